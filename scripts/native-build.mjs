#!/usr/bin/env node
// Builds the native parts this project needs, because `.npmrc` sets ignore-scripts=true (mediasoup 3.8.4's own
// postinstall cannot build on today's toolchain). Idempotent: skips when the installed binary carries the
// fingerprint of exactly this recipe, reuses a per-machine cache (~/.cache/call-widget) across fresh clones,
// prints progress while compiling, and fails with what is missing and how to install it.
//
// Usage: node scripts/native-build.mjs [--force] [--quiet]
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MEDIASOUP_VERSION = '3.8.4';
// Bump when the recipe changes in a way the hashed inputs below do not capture.
const RECIPE_REVISION = '1';
// Compile steps of a full 3.8.4 worker build, counted once; only used to show a percentage.
const EXPECTED_COMPILE_STEPS = 1027;

const here = dirname(fileURLToPath(import.meta.url));
const nativeDir = join(here, 'native');
const force = process.argv.includes('--force');
const quiet = process.argv.includes('--quiet');

const log = (msg) => console.log(`[native-build] ${msg}`);
const info = (msg) => { if (!quiet) log(msg); };

function fail(message, howToFix) {
  console.error(`\n[native-build] ERROR: ${message}`);
  if (howToFix) console.error(`[native-build] How to fix: ${howToFix}`);
  process.exit(1);
}

function mediasoupDir() {
  const require = createRequire(join(here, '..', 'package.json'));
  let pkgPath;
  try {
    pkgPath = require.resolve('mediasoup/package.json');
  } catch {
    fail('the mediasoup package is not installed.', 'run `npm install` (or `npm ci`) in the project root first.');
  }
  const dir = dirname(pkgPath);
  const { version } = JSON.parse(readFileSync(pkgPath, 'utf8'));
  if (version !== MEDIASOUP_VERSION) {
    fail(
      `mediasoup ${version} is installed, but this project pins ${MEDIASOUP_VERSION} (the newest release whose worker builds offline).`,
      `keep "mediasoup": "${MEDIASOUP_VERSION}" exactly in package.json and run \`npm ci\`.`,
    );
  }
  return dir;
}

function fingerprint() {
  const hash = createHash('sha256');
  hash.update(`mediasoup@${MEDIASOUP_VERSION}\nrecipe@${RECIPE_REVISION}\n${process.platform}-${process.arch}\n`);
  for (const file of ['sitecustomize.py', 'sigstksz-compat.h', 'consumer-transport-state.patch.json']) {
    hash.update(readFileSync(join(nativeDir, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

function requireTool(cmd, args, what) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    fail(`${what} (\`${cmd}\`) is missing or broken.`, 'on Debian/Ubuntu: `sudo apt-get install -y build-essential python3`.');
  }
}

/** Applies the Chrome freeze fix to the worker sources; safe to run on already patched sources. */
function applyConsumerPatch(msDir) {
  const patch = JSON.parse(readFileSync(join(nativeDir, 'consumer-transport-state.patch.json'), 'utf8'));
  const file = join(msDir, patch.file);
  let src = readFileSync(file, 'utf8');
  if (src.includes(patch.marker)) {
    info('worker patch (idempotent consumer transport state) already applied');
    return;
  }
  for (const edit of patch.edits) {
    const at = src.indexOf(edit.find);
    if (at < 0) fail(`cannot apply the worker patch: expected code not found in ${patch.file}.`, 'reinstall mediasoup with `npm ci`.');
    const end = at + edit.find.length;
    src = `${src.slice(0, end)}${edit.insert}${src.slice(end)}`;
  }
  src = `${patch.marker}\n${src}`;
  writeFileSync(file, src);
  info(`applied the Chrome video-freeze fix to ${patch.file} (idempotent consumer transport state, as upstream 3.9.9)`);
}

function compile(msDir) {
  requireTool('make', ['--version'], 'GNU make');
  requireTool('g++', ['--version'], 'a C++ compiler');
  requireTool('python3', ['--version'], 'Python 3');
  applyConsumerPatch(msDir);

  const env = { ...process.env };
  // The worker Makefile skips the build entirely when MEDIASOUP_WORKER_BIN is set.
  delete env.MEDIASOUP_WORKER_BIN;
  env.PYTHON = 'python3'; // its default probe (python2) hits a broken pyenv shim on Debian dev machines
  env.PYTHONPATH = [nativeDir, env.PYTHONPATH].filter(Boolean).join(':');
  env.CXXFLAGS = [`-include ${join(nativeDir, 'sigstksz-compat.h')}`, env.CXXFLAGS].filter(Boolean).join(' ');

  const started = Date.now();
  log(`building the mediasoup ${MEDIASOUP_VERSION} worker (takes 3-6 minutes on 2 cores; runs once per machine)`);
  return new Promise((resolvePromise) => {
    const child = spawn('make', ['-C', join(msDir, 'worker')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let steps = 0;
    let lastPrint = 0;
    let tail = [];
    const onData = (chunk) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue;
        tail.push(line);
        if (tail.length > 40) tail = tail.slice(-40);
        if (/^\s*(CXX|CC|AR|LINK|SOLINK)\(/.test(line)) steps += 1;
      }
      const now = Date.now();
      if (now - lastPrint > 5000) {
        lastPrint = now;
        const pct = Math.min(99, Math.round((steps / EXPECTED_COMPILE_STEPS) * 100));
        log(`  ... ${steps} compile steps (~${pct}%), ${Math.round((now - started) / 1000)} s elapsed`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (code) => {
      if (code !== 0) {
        console.error(tail.join('\n'));
        fail(
          `the mediasoup worker build failed (make exit ${code}); the last lines of its output are above.`,
          'make sure build-essential and python3 are installed (`sudo apt-get install -y build-essential python3`), then run `npm run build:native -- --force`.',
        );
      }
      log(`worker built: ${steps} compile steps in ${Math.round((Date.now() - started) / 1000)} s`);
      resolvePromise();
    });
  });
}

async function main() {
  const msDir = mediasoupDir();
  const fp = fingerprint();
  const binary = join(msDir, 'worker', 'out', 'Release', 'mediasoup-worker');
  const stamp = `${binary}.fingerprint`;
  const cacheRoot = process.env.CALL_WIDGET_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'call-widget');
  const cached = join(cacheRoot, `mediasoup-worker-${MEDIASOUP_VERSION}-${fp}`);

  if (!force && existsSync(binary) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === fp) {
    info(`mediasoup worker up to date (${fp})`);
    return;
  }
  mkdirSync(dirname(binary), { recursive: true });
  if (!force && existsSync(cached)) {
    copyFileSync(cached, binary);
    chmodSync(binary, 0o755);
    writeFileSync(stamp, `${fp}\n`);
    log(`mediasoup worker restored from cache ${cached}`);
    return;
  }
  await compile(msDir);
  if (!existsSync(binary)) fail(`the build finished but ${binary} is missing.`, 'run `npm run build:native -- --force` and read its output.');
  writeFileSync(stamp, `${fp}\n`);
  try {
    mkdirSync(cacheRoot, { recursive: true });
    const tmp = `${cached}.${process.pid}.tmp`;
    copyFileSync(binary, tmp);
    renameSync(tmp, cached); // atomic, so a concurrent clone never sees half a binary
    log(`cached the worker binary at ${cached}`);
  } catch (err) {
    log(`note: could not write the cache (${err.message}); the build is still usable`);
  }
}

await main();

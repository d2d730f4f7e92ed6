#!/usr/bin/env node
// Builds the native parts this project needs, because `.npmrc` sets ignore-scripts=true (mediasoup 3.8.4's own
// postinstall cannot build on today's toolchain). Idempotent: skips when the installed binary carries the
// fingerprint of exactly this recipe, reuses a per-machine cache (~/.cache/call-widget) across fresh clones,
// prints progress while compiling, and fails with what is missing and how to install it.
//
// Usage: node scripts/native-build.mjs [--force] [--quiet]
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MEDIASOUP_VERSION = '3.8.4';
// Bump when the recipe changes in a way the hashed inputs below do not capture.
const RECIPE_REVISION = '2';
// Source patches applied before compiling, in order (see each file's "why").
const PATCHES = ['consumer-transport-state.patch.json', 'system-openssl.patch.json'];
// Compile steps of a full 3.8.4 worker build, counted once; only used to show a percentage.
const EXPECTED_COMPILE_STEPS = 321;

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
  for (const file of ['sitecustomize.py', 'sigstksz-compat.h', ...PATCHES]) {
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

/** Applies one patch file to the worker sources; safe to run on already patched sources (per-file marker). */
function applyPatch(msDir, patchFile) {
  const patch = JSON.parse(readFileSync(join(nativeDir, patchFile), 'utf8'));
  for (const target of patch.files) {
    const file = join(msDir, target.file);
    let src = readFileSync(file, 'utf8');
    if (src.includes(target.marker)) continue;
    for (const edit of target.edits) {
      const at = src.indexOf(edit.find);
      if (at < 0) fail(`cannot apply ${patchFile}: expected code not found in ${target.file}.`, 'reinstall mediasoup with `npm ci`.');
      src = `${src.slice(0, at)}${edit.replace}${src.slice(at + edit.find.length)}`;
    }
    writeFileSync(file, `${target.marker}\n${src}`);
  }
  info(`worker sources patched: ${patchFile.replace('.patch.json', '')}`);
}

/**
 * The worker links Debian's OpenSSL 3 (security-maintained) instead of its bundled 1.1.1k. Installs libssl-dev
 * when we can (root with apt-get), otherwise says how.
 */
function ensureSystemOpenSSL() {
  const header = '/usr/include/openssl/opensslv.h';
  const major = () => (existsSync(header) ? /OPENSSL_VERSION_MAJOR\s+(\d+)/.exec(readFileSync(header, 'utf8'))?.[1] : undefined);
  if (major() === undefined && process.getuid?.() === 0 && spawnSync('apt-get', ['--version']).status === 0) {
    log('installing libssl-dev (OpenSSL 3 headers) with apt-get ...');
    const install = () => spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'libssl-dev'], { stdio: 'inherit' }).status === 0;
    // A new machine's package lists may be empty: update once and retry.
    if (!install()) {
      spawnSync('apt-get', ['update'], { stdio: 'inherit' });
      install();
    }
  }
  const found = major();
  if (found === undefined) fail('the OpenSSL 3 development files are missing.', '`sudo apt-get install -y libssl-dev`.');
  if (Number(found) < 3) fail(`the system OpenSSL is ${found}.x; the worker needs OpenSSL 3.`, 'install libssl-dev from Debian 12 / Ubuntu 22.04 or newer.');
}

/** Proves the binary uses the system OpenSSL 3 and carries no bundled copy (ldd alone proves nothing). */
function verifyOpenSSLLinkage(binary) {
  const defined = spawnSync('nm', [binary], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const imports = spawnSync('nm', ['-D', '--undefined-only', binary], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (defined.status !== 0 || imports.status !== 0) {
    log('note: `nm` is not available, skipping the OpenSSL linkage check');
    return;
  }
  const bundled = defined.stdout.split('\n').filter((l) => / T (SSL|EVP)_/.test(l)).length;
  const fromSystem = imports.stdout.split('\n').filter((l) => /@OPENSSL_3/.test(l)).length;
  if (bundled > 0 || fromSystem === 0) {
    fail(`the worker is not linked against the system OpenSSL 3 (${bundled} bundled SSL_/EVP_ symbols, ${fromSystem} OPENSSL_3 imports).`, 'run `npm run build:native -- --force`.');
  }
  log(`worker links the system OpenSSL 3 (${fromSystem} imported symbols, none bundled)`);
}

function compile(msDir) {
  requireTool('make', ['--version'], 'GNU make');
  requireTool('g++', ['--version'], 'a C++ compiler');
  requireTool('python3', ['--version'], 'Python 3');
  ensureSystemOpenSSL();
  for (const patch of PATCHES) applyPatch(msDir, patch);
  // Objects compiled by another recipe (e.g. against the bundled OpenSSL headers) must not be reused.
  const outDir = join(msDir, 'worker', 'out');
  const recipeStamp = join(outDir, '.call-widget-recipe');
  if (existsSync(outDir) && (!existsSync(recipeStamp) || readFileSync(recipeStamp, 'utf8').trim() !== fingerprint())) {
    rmSync(outDir, { recursive: true, force: true });
  }
  mkdirSync(outDir, { recursive: true });
  writeFileSync(recipeStamp, `${fingerprint()}\n`);

  const env = { ...process.env };
  // The worker Makefile skips the build entirely when MEDIASOUP_WORKER_BIN is set.
  delete env.MEDIASOUP_WORKER_BIN;
  env.PYTHON = 'python3'; // its default probe (python2) hits a broken pyenv shim on Debian dev machines
  env.PYTHONPATH = [nativeDir, env.PYTHONPATH].filter(Boolean).join(':');
  const opensslCompat = '-DOPENSSL_API_COMPAT=0x10100000L';
  env.CFLAGS = [opensslCompat, env.CFLAGS].filter(Boolean).join(' ');
  env.CXXFLAGS = [`-include ${join(nativeDir, 'sigstksz-compat.h')}`, opensslCompat, env.CXXFLAGS].filter(Boolean).join(' ');

  const started = Date.now();
  log(`building the mediasoup ${MEDIASOUP_VERSION} worker (takes 2-4 minutes on 2 cores; runs once per machine)`);
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

function cacheRoot() {
  return process.env.CALL_WIDGET_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'call-widget');
}

/** Copies `file` into the cache atomically, so a concurrent clone never sees half a binary. */
function storeInCache(file, cached) {
  try {
    mkdirSync(dirname(cached), { recursive: true });
    const tmp = `${cached}.${process.pid}.tmp`;
    copyFileSync(file, tmp);
    renameSync(tmp, cached);
    log(`cached ${cached}`);
  } catch (err) {
    log(`note: could not write the cache (${err.message}); the build is still usable`);
  }
}

/** Runs a long command, printing a heartbeat every 5 s and its last lines if it fails. */
function runWithProgress(cmd, args, options, label) {
  const started = Date.now();
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = [];
    const onData = (chunk) => {
      tail.push(...chunk.toString().split('\n').filter((l) => l.trim()));
      if (tail.length > 40) tail = tail.slice(-40);
    };
    const timer = setInterval(() => log(`  ... ${label}, ${Math.round((Date.now() - started) / 1000)} s elapsed`), 5000);
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (err) => tail.push(err.message));
    child.on('close', (code) => {
      clearInterval(timer);
      resolvePromise({ code, tail, seconds: Math.round((Date.now() - started) / 1000) });
    });
  });
}

/** better-sqlite3 (call records, webhook outbox): compiled with node-gyp against the running Node's headers. */
async function buildSqlite() {
  const require = createRequire(join(here, '..', 'package.json'));
  let pkgDir;
  try {
    pkgDir = dirname(require.resolve('better-sqlite3/package.json'));
  } catch {
    fail('the better-sqlite3 package is not installed.', 'run `npm install` (or `npm ci`) in the project root first.');
  }
  const { version } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const addon = join(pkgDir, 'build', 'Release', 'better_sqlite3.node');
  const loads = () => spawnSync(process.execPath, ['-e', `new (require(${JSON.stringify(pkgDir)}))(':memory:').close()`]).status === 0;
  if (!force && existsSync(addon) && loads()) {
    info(`better-sqlite3 ${version} up to date`);
    return;
  }
  const cached = join(cacheRoot(), `better-sqlite3-${version}-abi${process.versions.modules}-${process.platform}-${process.arch}.node`);
  if (!force && existsSync(cached)) {
    mkdirSync(dirname(addon), { recursive: true });
    copyFileSync(cached, addon);
    if (loads()) {
      log(`better-sqlite3 restored from cache ${cached}`);
      return;
    }
  }
  requireTool('make', ['--version'], 'GNU make');
  requireTool('g++', ['--version'], 'a C++ compiler');
  const npmDir = process.env.npm_execpath ? join(dirname(process.env.npm_execpath), '..') : join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm');
  const nodeGyp = join(npmDir, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  if (!existsSync(nodeGyp)) fail(`node-gyp was not found at ${nodeGyp}.`, 'use the npm that ships with Node (`npm --version` ≥ 10).');
  // Offline, node-gyp cannot download headers: point it at the ones installed with Node.
  const prefix = join(dirname(process.execPath), '..');
  const nodedir = existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : process.env.npm_config_nodedir;
  if (!nodedir) fail('the Node.js C headers were not found next to node.', 'install Node.js with its headers (the Debian/NodeSource `nodejs` package has them in /usr/include/node).');
  log(`building better-sqlite3 ${version} (about 1 minute; runs once per machine)`);
  const result = await runWithProgress(process.execPath, [nodeGyp, 'rebuild', '--release', `--nodedir=${nodedir}`], { cwd: pkgDir, env: { ...process.env, npm_config_nodedir: nodedir } }, 'compiling SQLite');
  if (result.code !== 0 || !loads()) {
    console.error(result.tail.join('\n'));
    fail('the better-sqlite3 build failed; the last lines of its output are above.', 'install build-essential and python3, then run `npm run build:native -- --force`.');
  }
  log(`better-sqlite3 built in ${result.seconds} s`);
  storeInCache(addon, cached);
}

async function buildWorker() {
  const msDir = mediasoupDir();
  const fp = fingerprint();
  const binary = join(msDir, 'worker', 'out', 'Release', 'mediasoup-worker');
  const stamp = `${binary}.fingerprint`;
  const cached = join(cacheRoot(), `mediasoup-worker-${MEDIASOUP_VERSION}-${fp}`);

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
  verifyOpenSSLLinkage(binary);
  writeFileSync(stamp, `${fp}\n`);
  storeInCache(binary, cached);
}

await buildWorker();
await buildSqlite();

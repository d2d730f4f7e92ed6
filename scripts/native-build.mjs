#!/usr/bin/env node
// Builds the native parts this project needs, because `.npmrc` sets ignore-scripts=true (mediasoup's own install
// script would download a prebuilt worker or its C++ dependencies from code hosts). Idempotent: skips when the
// installed binary carries the fingerprint of exactly this recipe, reuses a per-machine cache
// (~/.cache/call-widget) across fresh clones, prints progress while compiling, and fails with what is missing
// and how to install it. The worker recipe itself is scripts/native/mediasoup-worker.mjs.
//
// Usage: node scripts/native-build.mjs [--force] [--quiet]
import { spawnSync } from 'node:child_process';
import { RECIPE_FILES, compileWorker, verifyLinkage } from './native/mediasoup-worker.mjs';
import { fail, info, log, runWithProgress } from './native/log.mjs';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The newest 3.19.x that builds offline against Debian's libraries and passes the whole suite (README explains).
const MEDIASOUP_VERSION = '3.19.22';
// Bump when the recipe changes in a way the hashed inputs below do not capture.
const RECIPE_REVISION = '3';

const here = dirname(fileURLToPath(import.meta.url));
const nativeDir = join(here, 'native');
const force = process.argv.includes('--force');

function mediasoupDir() {
  const require = createRequire(join(here, '..', 'package.json'));
  let pkgPath;
  try {
    // mediasoup 3.19's `exports` do not expose package.json: its main is <dir>/node/lib/index.js.
    pkgPath = join(dirname(require.resolve('mediasoup')), '..', '..', 'package.json');
  } catch {
    fail('the mediasoup package is not installed.', 'run `npm install` (or `npm ci`) in the project root first.');
  }
  const dir = dirname(pkgPath);
  const { version } = JSON.parse(readFileSync(pkgPath, 'utf8'));
  if (version !== MEDIASOUP_VERSION) {
    fail(
      `mediasoup ${version} is installed, but this project pins ${MEDIASOUP_VERSION} (see README, "Native parts").`,
      `keep "mediasoup": "${MEDIASOUP_VERSION}" exactly in server/package.json and run \`npm ci\`.`,
    );
  }
  return dir;
}

function fingerprint() {
  const hash = createHash('sha256');
  hash.update(`mediasoup@${MEDIASOUP_VERSION}\nrecipe@${RECIPE_REVISION}\n${process.platform}-${process.arch}\n`);
  for (const file of RECIPE_FILES) {
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
  const built = await compileWorker(msDir, MEDIASOUP_VERSION);
  if (!existsSync(built)) fail(`the build finished but ${built} is missing.`, 'run `npm run build:native -- --force` and read its output.');
  verifyLinkage(built);
  writeFileSync(stamp, `${fp}\n`);
  storeInCache(binary, cached);
}

await buildWorker();
await buildSqlite();

#!/usr/bin/env node
// `npm start`. `.npmrc` sets ignore-scripts=true, and with it npm skips every pre/post script, so everything
// `npm start` needs happens here, in order:
//   1. native parts (mediasoup worker, better-sqlite3): built once per machine, restored from the cache after
//      a fresh `npm ci`, skipped when up to date (scripts/native-build.mjs);
//   2. development: every build target whose inputs changed (scripts/build.mjs --if-stale), so a `git pull`
//      rebuilds only what it touched; production (NODE_ENV=production): nothing is built — the dev tools may be
//      absent (`npm ci --omit=dev`) — and a missing build is one clear line;
//   3. the server itself, in this process (dist/server/main.js on plain node), so signals reach it directly.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const production = process.env.NODE_ENV === 'production';

function step(args) {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

step([join(root, 'scripts', 'native-build.mjs'), '--quiet']);
step([join(root, 'scripts', 'build.mjs'), production ? '--check' : '--if-stale']);
await import(pathToFileURL(join(root, 'dist', 'server', 'main.js')).href);

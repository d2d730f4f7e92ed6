#!/usr/bin/env node
// `npm run apps -- <command>`: the apps CLI (server/cli/apps.ts) from the server bundle, so it also works in a
// production install without dev tools. In development the bundle is rebuilt first when its sources changed.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.env.NODE_ENV === 'production' ? '--check' : '--if-stale';
const built = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs'), check, '--quiet'], { cwd: root, stdio: ['ignore', 2, 2] });
if (built.status !== 0) process.exit(built.status ?? 1);
await import(pathToFileURL(join(root, 'dist', 'server', 'apps.js')).href);

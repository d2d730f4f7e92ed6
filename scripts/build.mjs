#!/usr/bin/env node
// Builds what the server serves and what the widget package ships, one target at a time.
//   node scripts/build.mjs             every target (`npm run build`)
//   node scripts/build.mjs --if-stale  only targets whose inputs changed since their last build (`npm start`)
//   node scripts/build.mjs --check     exit 1 with one line per missing target (production start: no dev tools)
//   --quiet                            progress to stderr, nothing when up to date (for CLIs whose stdout is data)
// A target is stale when the hash of its input files (paths + contents) differs from the stamp written after its
// last successful build, or when one of its outputs is missing. Hashing contents, not mtimes, means a `git pull`
// that touched only the server rebuilds only the server bundle, and a fresh clone builds everything.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const quiet = process.argv.includes('--quiet');
const log = quiet ? console.error : console.log;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const STAMPS = join(root, 'dist', '.stamps');
const bin = (name) => join(root, 'node_modules', '.bin', name);

// The widget folder minus its outputs (dist/, custom-elements.json: skipped below).
const WIDGET_SOURCES = ['widget', 'protocol'];
const SHARED = ['package-lock.json', 'tsconfig.json'];

/** Each target: its inputs (files or folders), the outputs whose absence makes it stale, and its commands. */
export const TARGETS = [
  {
    name: 'widget script-tag bundle',
    inputs: [...WIDGET_SOURCES, 'vite.config.ts', ...SHARED],
    outputs: ['widget/dist/call-widget.js'],
    clean: ['widget/dist/call-widget.js', 'widget/dist/chunks'],
    run: [[bin('vite'), ['build', '--logLevel', 'warn']]],
  },
  {
    name: 'widget ESM build',
    inputs: [...WIDGET_SOURCES, 'vite.config.ts', ...SHARED],
    outputs: ['widget/dist/lib/index.js'],
    clean: ['widget/dist/lib'],
    run: [[bin('vite'), ['build', '--mode', 'lib', '--logLevel', 'warn']]],
  },
  {
    name: 'widget types',
    inputs: [...WIDGET_SOURCES, 'tsconfig.lib.json', 'scripts/bundle-types.mjs', ...SHARED],
    outputs: ['widget/dist/index.d.ts'],
    clean: ['widget/dist/index.d.ts', 'dist/types'],
    run: [[bin('tsc'), ['-p', 'tsconfig.lib.json']], [process.execPath, ['scripts/bundle-types.mjs']]],
  },
  {
    name: 'custom elements manifest',
    inputs: ['widget/components', 'custom-elements-manifest.config.mjs', ...SHARED],
    outputs: ['widget/custom-elements.json'],
    clean: [],
    run: [[bin('custom-elements-manifest'), ['analyze', '--quiet']]],
  },
  {
    name: 'demo pages',
    inputs: ['demo', ...WIDGET_SOURCES, 'vite.config.ts', ...SHARED],
    outputs: ['dist/demo/index.html', 'dist/demo/live.html'],
    clean: ['dist/demo'],
    run: [[bin('vite'), ['build', '--mode', 'demo', '--logLevel', 'warn']], ['copy', ['demo/live.html', 'dist/demo/live.html']]],
  },
  {
    name: 'server bundle',
    inputs: ['server', 'protocol', ...SHARED],
    outputs: ['dist/server/main.js', 'dist/server/apps.js'],
    clean: ['dist/server'],
    // Dependencies stay external (installed by `npm ci --omit=dev`); only our TypeScript is compiled, so the
    // server runs on plain `node` in production (no tsx, vite or tsc at run time).
    run: [[bin('esbuild'), ['server/main.ts', 'server/cli/apps.ts', '--bundle', '--platform=node', '--format=esm', '--target=node20', '--packages=external', '--sourcemap', '--log-level=warning', '--outdir=dist/server', '--entry-names=[name]']]],
  },
];

/** Outputs and tools, never inputs. */
const SKIP = new Set(['node_modules', 'dist', '.git', 'screenshots', 'custom-elements.json']);

function listFiles(path) {
  const abs = join(root, path);
  if (!existsSync(abs)) return [];
  if (statSync(abs).isFile()) return [path];
  return readdirSync(abs, { withFileTypes: true })
    .filter((e) => !SKIP.has(e.name))
    .flatMap((e) => listFiles(join(path, e.name)))
    .sort();
}

function inputHash(target) {
  const hash = createHash('sha256');
  for (const file of [...new Set(target.inputs.flatMap(listFiles))].sort()) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(join(root, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

const stampFile = (target) => join(STAMPS, `${target.name.replace(/\W+/g, '-')}.sha256`);
const outputsPresent = (target) => target.outputs.every((o) => existsSync(join(root, o)));

export function isStale(target) {
  if (!outputsPresent(target)) return true;
  const stamp = stampFile(target);
  return !existsSync(stamp) || readFileSync(stamp, 'utf8').trim() !== inputHash(target);
}

function runTarget(target) {
  const started = Date.now();
  log(`[build] ${target.name} ...`);
  for (const path of target.clean) rmSync(join(root, path), { recursive: true, force: true });
  for (const [cmd, args] of target.run) {
    if (cmd === 'copy') {
      mkdirSync(dirname(join(root, args[1])), { recursive: true });
      copyFileSync(join(root, args[0]), join(root, args[1]));
      continue;
    }
    if (!existsSync(cmd) && cmd !== process.execPath) {
      console.error(`[build] ERROR: ${relative(root, cmd)} is missing: building needs the dev dependencies (run \`npm ci\`, not \`npm ci --omit=dev\`).`);
      process.exit(1);
    }
    const r = spawnSync(cmd, args, { cwd: root, stdio: quiet ? ['inherit', 2, 2] : 'inherit' });
    if (r.status !== 0) {
      console.error(`[build] ERROR: ${target.name} failed (${relative(root, cmd)} ${args.join(' ')} exited with ${r.status ?? r.signal}).`);
      process.exit(1);
    }
  }
  mkdirSync(STAMPS, { recursive: true });
  writeFileSync(stampFile(target), `${inputHash(target)}\n`);
  log(`[build] ${target.name} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const mode = process.argv.includes('--if-stale') ? 'if-stale' : process.argv.includes('--check') ? 'check' : 'all';
  if (mode === 'check') {
    const missing = TARGETS.filter((t) => !outputsPresent(t));
    for (const t of missing) console.error(`[build] ${t.name} is missing (${t.outputs.join(', ')}): run \`npm run build\` before \`npm ci --omit=dev\`.`);
    process.exit(missing.length ? 1 : 0);
  }
  const todo = mode === 'all' ? TARGETS : TARGETS.filter(isStale);
  if (todo.length === 0 && !quiet) log('[build] everything up to date');
  for (const target of todo) runTarget(target);
}

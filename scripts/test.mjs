#!/usr/bin/env node
// `npm test`: everything CI checks, in order, stopping at the first failure.
import { spawnSync } from 'node:child_process';
import { ensureBrowsers } from './ensure-browsers.mjs';

const steps = [
  ['native build', 'node', ['scripts/native-build.mjs', '--quiet']],
  ['typecheck', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']],
  ['lint', 'npx', ['eslint', '--max-warnings', '0', '.']],
  ['build', 'npm', ['run', 'build', '--silent']],
  ['unit, server and package tests', 'npm', ['run', 'test:unit', '--silent']],
  ['component tests (Chromium, Firefox)', 'npm', ['run', 'test:components', '--silent']],
  ['end-to-end tests (Chromium, Firefox + server)', 'npm', ['run', 'test:e2e', '--silent']],
];

const only = process.argv.slice(2);
ensureBrowsers();
for (const [name, cmd, args] of steps) {
  if (only.length && !only.some((o) => name.startsWith(o))) continue;
  const started = Date.now();
  console.log(`\n=== ${name} ===`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) {
    console.error(`\n✗ ${name} failed (${secs} s)`);
    process.exit(r.status ?? 1);
  }
  console.log(`✓ ${name} (${secs} s)`);
}
console.log('\nAll checks passed.');

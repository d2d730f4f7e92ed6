#!/usr/bin/env node
// `npm run soak`: repeats the browser fault tests (socket drop, worker kill, offline past and within the grace
// period) SOAK_RUNS times (default 10) and reports how many runs failed. Several minutes; not part of `npm test`,
// which runs them once. Build first (`npm run build`) so /widget.js is current.
import { spawnSync } from 'node:child_process';

const runs = Number(process.env.SOAK_RUNS ?? 10);
let failed = 0;
for (let i = 1; i <= runs; i += 1) {
  const started = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=dot', 'test/e2e/reliability.test.ts'], { stdio: 'inherit' });
  if (r.status !== 0) failed += 1;
  console.log(`[soak] run ${i}/${runs}: ${r.status === 0 ? 'pass' : 'FAIL'} in ${Math.round((Date.now() - started) / 1000)} s`);
}
console.log(`[soak] ${runs - failed}/${runs} runs passed`);
process.exit(failed === 0 ? 0 : 1);

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

// npm test runs the native build first, so the worker is built and stamped when this suite runs.
test('the native build is idempotent: a built, stamped worker is not rebuilt', () => {
  const r = spawnSync(process.execPath, ['scripts/native-build.mjs'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /mediasoup worker up to date \([0-9a-f]{16}\)/);
});

test('a missing build tool fails fast with what is missing and how to install it', () => {
  // --force skips the stamp and the cache; with no PATH, `make` cannot be found, before anything is touched.
  const r = spawnSync(process.execPath, ['scripts/native-build.mjs', '--force'], { encoding: 'utf8', env: { ...process.env, PATH: '/nonexistent' } });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /GNU make \(`make`\) is missing/);
  assert.match(r.stderr, /apt-get install -y build-essential python3/);
});

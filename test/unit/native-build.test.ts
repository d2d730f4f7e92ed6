import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';

const require = createRequire(import.meta.url);
const worker = join(dirname(require.resolve('mediasoup/package.json')), 'worker', 'out', 'Release', 'mediasoup-worker');

// npm test runs the native build first, so the worker is built and stamped when this suite runs.
test('the native build is idempotent: a built, stamped worker is not rebuilt', () => {
  const r = spawnSync(process.execPath, ['scripts/native-build.mjs'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /mediasoup worker up to date \([0-9a-f]{16}\)/);
  assert.match(r.stdout, /better-sqlite3 [\d.]+ up to date/);
});

test('the SFU worker uses the system OpenSSL 3 and carries no bundled copy (ldd alone would not prove it)', () => {
  const defined = spawnSync('nm', [worker], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  assert.equal(defined.status, 0, defined.stderr);
  const bundled = defined.stdout.split('\n').filter((l) => / T (SSL|EVP)_/.test(l));
  assert.deepEqual(bundled, [], 'SSL_/EVP_ functions are compiled into the worker');
  const imports = spawnSync('nm', ['-D', '--undefined-only', worker], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.match(imports.stdout, /SSL_CTX_new@OPENSSL_3/);
  assert.match(imports.stdout, /EVP_\w+@OPENSSL_3/);
});

test('a missing build tool fails fast with what is missing and how to install it', () => {
  // --force skips the stamp and the cache; with no PATH, `make` cannot be found, before anything is touched.
  const r = spawnSync(process.execPath, ['scripts/native-build.mjs', '--force'], { encoding: 'utf8', env: { ...process.env, PATH: '/nonexistent' } });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /GNU make \(`make`\) is missing/);
  assert.match(r.stderr, /apt-get install -y build-essential python3/);
});

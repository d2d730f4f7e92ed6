import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';

const require = createRequire(import.meta.url);
// mediasoup's main is <package>/node/lib/index.js (its exports hide package.json).
const worker = join(dirname(require.resolve('mediasoup')), '..', '..', 'worker', 'out', 'Release', 'mediasoup-worker');

// npm test runs the native build first, so the worker is built and stamped when this suite runs.
test('the native build is idempotent: a built, stamped worker is not rebuilt', () => {
  const r = spawnSync(process.execPath, ['scripts/native-build.mjs'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /mediasoup worker up to date \([0-9a-f]{16}\)/);
  assert.match(r.stdout, /better-sqlite3 [\d.]+ up to date/);
});

test("the SFU worker links Debian's libssl3 and libsrtp2 and carries no bundled copy (ldd alone would not prove it)", () => {
  const dynamic = spawnSync('readelf', ['-d', worker], { encoding: 'utf8' });
  assert.equal(dynamic.status, 0, dynamic.stderr);
  for (const lib of ['libssl.so.3', 'libcrypto.so.3', 'libsrtp2.so.1', 'libuv.so.1']) assert.match(dynamic.stdout, new RegExp(`Shared library: \\[${lib.replace(/\./g, '\\.')}\\]`), lib);
  assert.match(dynamic.stdout, /Shared library: \[libusrsctp\.so\.\d+\]/);
  const defined = spawnSync('nm', ['--defined-only', worker], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  assert.equal(defined.status, 0, defined.stderr);
  const bundled = defined.stdout.split('\n').filter((l) => / [Tt] (SSL_|EVP_|srtp_protect|srtp_create|srtp_init)/.test(l));
  assert.deepEqual(bundled, [], 'OpenSSL or libsrtp functions are compiled into the worker');
  const imports = spawnSync('nm', ['-D', '--undefined-only', worker], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.match(imports.stdout, /SSL_CTX_new@OPENSSL_3/);
  assert.match(imports.stdout, /\bsrtp_protect\b/);
});

test('the libsrtp bridge round-trips SRTP and SRTCP (AEAD_AES_256_GCM, AES_CM_128_HMAC_SHA1_80), rejects replays and removes streams', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cw-srtp-'));
  const binary = join(dir, 'srtp-roundtrip');
  try {
    const build = spawnSync('g++', ['-std=c++17', '-Wall', '-Wextra', '-Werror', '-I', 'scripts/native/subprojects/libsrtp3/include', 'scripts/native/srtp-roundtrip.cpp', '-lsrtp2', '-o', binary], { encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
    const run = spawnSync(binary, { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stdout);
    const lines = run.stdout.split('\n');
    assert.ok(!lines.some((l) => l.startsWith('FAIL')), run.stdout);
    for (const profile of ['AEAD_AES_256_GCM', 'AES_CM_128_HMAC_SHA1_80']) assert.ok(lines.includes(`# ${profile}`), profile);
    for (const check of ['SRTP unprotect restores the packet', 'SRTCP unprotect restores the packet', 'SRTP replay is rejected', 'SRTCP replay is rejected', 'tampered SRTP fails authentication', 'srtp_stream_remove removes the receiver\'s stream', 'a second removal finds no stream']) {
      assert.equal(lines.filter((l) => l.startsWith(`ok ${check}`)).length, 2, `${check}: for both profiles`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing build dependency fails fast with what is missing and the exact command', () => {
  // --force skips the stamp and the cache; with no PATH nothing can be found (nor apt-get run), before anything is touched.
  const r = spawnSync(process.execPath, ['scripts/native-build.mjs', '--force'], { encoding: 'utf8', env: { ...process.env, PATH: '/nonexistent' } });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /build dependencies are missing: g\+\+ pkg-config ninja-build/);
  assert.match(r.stderr, /sudo apt-get install -y --no-install-recommends g\+\+ pkg-config ninja-build/);
});

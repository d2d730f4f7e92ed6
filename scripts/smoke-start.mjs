#!/usr/bin/env node
// Smoke of the README's start command, exactly as a new user runs it: `npm start` on a free port with a temporary
// DATA_DIR. Waits for /healthz, fetches /widget.js, / and /live, gets a demo token, opens /v1/signal and expects
// the welcome, then sends SIGTERM and expects a clean exit (code 0). Exit 1 with the server's output otherwise.
// Usage: node scripts/smoke-start.mjs [extra env as NAME=value]...
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

// First start on a fresh machine compiles the mediasoup worker and SQLite (minutes); later ones take seconds.
const READY_TIMEOUT_MS = 15 * 60_000;
const STEP_TIMEOUT_MS = 15_000;

const freePort = () =>
  new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });

const port = await freePort();
const dataDir = mkdtempSync(join(tmpdir(), 'cw-smoke-'));
const base = `http://127.0.0.1:${port}`;
const extraEnv = Object.fromEntries(process.argv.slice(2).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
const child = spawn('npm', ['start'], {
  env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, MEDIASOUP_WORKERS: '1', ...extraEnv },
  stdio: ['ignore', 'pipe', 'pipe'],
  detached: true, // its own process group, so a failure can stop npm and everything it started
});
let output = '';
child.stdout.on('data', (d) => (output += d));
child.stderr.on('data', (d) => (output += d));
const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));

function fail(message) {
  console.error(`[smoke] FAILED: ${message}\n[smoke] npm start output:\n${output}`);
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(1);
}

const withTimeout = (promise, what) =>
  Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer in ${STEP_TIMEOUT_MS / 1000} s`)), STEP_TIMEOUT_MS))]);

async function get(path, expectType) {
  const res = await withTimeout(fetch(`${base}${path}`), `GET ${path}`);
  const body = await res.text();
  if (!res.ok) fail(`GET ${path} answered ${res.status}`);
  if (expectType && !String(res.headers.get('content-type')).includes(expectType)) fail(`GET ${path} is ${res.headers.get('content-type')}, expected ${expectType}`);
  console.log(`[smoke] GET ${path}: ${res.status}, ${body.length} bytes`);
  return body;
}

try {
  console.log(`[smoke] npm start on ${base} (DATA_DIR ${dataDir})`);
  const started = Date.now();
  for (;;) {
    const done = await Promise.race([exited, new Promise((r) => setTimeout(() => r(undefined), 500))]);
    if (done) fail(`npm start exited early (code ${done.code}, signal ${done.signal})`);
    if (Date.now() - started > READY_TIMEOUT_MS) fail(`/healthz not answering after ${READY_TIMEOUT_MS / 60_000} minutes`);
    const ok = await fetch(`${base}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
  }
  console.log(`[smoke] /healthz up after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const widget = await get('/widget.js', 'javascript');
  if (!widget.includes('call-widget')) fail('/widget.js does not define call-widget');
  await get('/', 'text/html');
  const live = await get('/live', 'text/html');
  if (!live.includes('/widget.js')) fail('/live does not load /widget.js');

  const tokenRes = await withTimeout(
    fetch(`${base}/v1/demo/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'smoke' }) }),
    'POST /v1/demo/token',
  );
  if (!tokenRes.ok) fail(`POST /v1/demo/token answered ${tokenRes.status}`);
  const { token } = await tokenRes.json();
  console.log('[smoke] demo token issued');

  const welcome = await withTimeout(
    new Promise((resolve, reject) => {
      const ws = new WebSocket(`${base.replace('http', 'ws')}/v1/signal`);
      ws.on('error', reject);
      ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', protocol: 1, token })));
      ws.on('message', (data) => {
        const message = JSON.parse(String(data));
        ws.close();
        if (message.type === 'welcome') resolve(message);
        else reject(new Error(`expected welcome, got ${String(data)}`));
      });
    }),
    'the signaling welcome',
  );
  console.log(`[smoke] /v1/signal welcome for ${welcome.user?.userId ?? welcome.userId ?? '?'}`);

  child.kill('SIGTERM'); // to npm itself, as a service manager or `kill` would; npm passes it on to the server
  const exit = await withTimeout(exited, 'exit after SIGTERM');
  if (exit.code !== 0) fail(`after SIGTERM npm start exited with code ${exit.code} (signal ${exit.signal}), expected 0`);
  console.log('[smoke] SIGTERM: clean exit (code 0)');
} catch (err) {
  fail(err.message);
}
rmSync(dataDir, { recursive: true, force: true });
console.log('[smoke] npm start works');

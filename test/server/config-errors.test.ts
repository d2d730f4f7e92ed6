// An operator's configuration mistake: one line naming the setting and what it expects, exit code 1, no stack.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

function startWith(env: Record<string, string>) {
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'cw-config-'));
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', MEDIASOUP_WORKERS: '1', NODE_ENV: 'production', ...env, DATA_DIR: dataDir },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (!env.DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
  return { status: r.status, stderr: r.stderr.trim() };
}

function assertOneLine(result: { status: number | null; stderr: string }, pattern: RegExp) {
  assert.equal(result.status, 1, `exit code 1 (stderr: ${result.stderr})`);
  const lines = result.stderr.split('\n').filter((l) => l.trim());
  assert.equal(lines.length, 1, `exactly one line, got:\n${result.stderr}`);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
}

describe('bad configuration', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ['PORT not a number', { PORT: 'eighty' }, /PORT must be an integer between 0 and 65535, got "eighty"/],
    ['RTC_MIN_PORT below 1024', { RTC_MIN_PORT: '80' }, /RTC_MIN_PORT must be an integer between 1024 and 65535/],
    ['RTC_MAX_PORT below RTC_MIN_PORT', { RTC_MIN_PORT: '45000', RTC_MAX_PORT: '44000' }, /RTC_MAX_PORT must be greater than RTC_MIN_PORT/],
    ['LOG_LEVEL unknown', { LOG_LEVEL: 'verbose' }, /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "verbose"/],
    ['ANNOUNCED_IP a host name', { ANNOUNCED_IP: 'calls.example.com' }, /ANNOUNCED_IP must be an IPv4 or IPv6 address/],
    ['RTC_LISTEN_IP not an address', { RTC_LISTEN_IP: 'eth0' }, /RTC_LISTEN_IP must be an IPv4 or IPv6 address/],
    ['REDIS_URL not a redis URL', { REDIS_URL: 'localhost:6379' }, /REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL .*got "localhost:6379"/],
    ['CLUSTER_NODE_ID with spaces', { REDIS_URL: 'redis://127.0.0.1:1', CLUSTER_NODE_ID: 'node one' }, /CLUSTER_NODE_ID must be 1-64 letters, digits/],
    // Nothing listens on port 1: a cluster node that cannot reach its Redis does not start.
    ['REDIS_URL unreachable', { REDIS_URL: 'redis://127.0.0.1:1' }, /REDIS_URL redis:\/\/127\.0\.0\.1:1 cannot be reached/],
    ['DATABASE_URL not a postgres URL', { DATABASE_URL: 'mysql://u:secret@db/x' }, /DATABASE_URL must be a postgres:\/\/ URL .*got "mysql:\/\/u:\*\*\*@db\/x"/],
    // Nothing listens on port 1 either; the password never reaches the log.
    ['DATABASE_URL unreachable', { DATABASE_URL: 'postgres://cw:hunter2@127.0.0.1:1/cw' }, /DATABASE_URL postgres:\/\/cw:\*\*\*@127\.0\.0\.1:1\/cw cannot be used \(.*ECONNREFUSED/],
    // Under a regular file, so it is unwritable even for root (CI runs as root).
    ['DATA_DIR unwritable', { DATA_DIR: '/etc/hostname/data' }, /DATA_DIR must be a writable directory, but \/etc\/hostname\/data is not/],
  ];
  for (const [name, env, pattern] of cases) {
    test(name, () => assertOneLine(startWith(env), pattern));
  }

  test('an apps file that is not valid', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cw-config-apps-'));
    writeFileSync(join(dataDir, 'apps.json'), '{ "apps": [ { "name": "Shop", "environments": { "production": { "appKey": "pk_1", "secret": "0123456789abcdef", "allowedOrigins": ["https://shop.example/"] } } } ] }');
    assertOneLine(startWith({ DATA_DIR: dataDir }), /APPS_FILE .*apps\.json is invalid: .*allowedOrigins "https:\/\/shop\.example\/": not an origin/);
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('a port already in use', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      assertOneLine(startWith({ PORT: String(port) }), new RegExp(`PORT ${port} is already in use on 127\\.0\\.0\\.1`));
    } finally {
      blocker.close();
    }
  });

  // Another server already holds the media port (UDP; mediasoup binds UDP and TCP on it).
  test('a media port already in use', async () => {
    const blocker = createSocket('udp4');
    await new Promise<void>((resolve) => blocker.bind(0, '127.0.0.1', resolve));
    const { port } = blocker.address();
    try {
      assertOneLine(startWith({ RTC_LISTEN_IP: '127.0.0.1', ANNOUNCED_IP: '127.0.0.1', RTC_PORT: String(port), RTC_MIN_PORT: '20000', RTC_MAX_PORT: '20100' }), new RegExp(`RTC_PORT ${port} is already in use on 127\\.0\\.0\\.1 .*choose another RTC_PORT`));
    } finally {
      blocker.close();
    }
  });
});

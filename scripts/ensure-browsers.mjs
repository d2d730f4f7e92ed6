#!/usr/bin/env node
// Browser tests use Debian's chromium and firefox-esr (never a downloaded browser: this machine has no internet),
// the TURN tests Debian's coturn, the HTTPS test Debian's caddy, the cluster tests Debian's redis-server and the record store's tests Debian's postgresql. Installs what is missing with apt-get when
// running as root; otherwise prints the exact command and fails.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const BROWSERS = [
  { name: 'chromium', path: process.env.CHROMIUM_PATH || '/usr/bin/chromium', pkg: 'chromium', env: 'CHROMIUM_PATH' },
  { name: 'firefox', path: process.env.FIREFOX_PATH || '/usr/bin/firefox-esr', pkg: 'firefox-esr', env: 'FIREFOX_PATH' },
  { name: 'coturn', path: process.env.TURNSERVER_PATH || '/usr/bin/turnserver', pkg: 'coturn', env: 'TURNSERVER_PATH' },
  { name: 'caddy', path: process.env.CADDY_PATH || '/usr/bin/caddy', pkg: 'caddy', env: 'CADDY_PATH' },
  // The cluster suites run three nodes on a real Redis.
  { name: 'redis', path: process.env.REDIS_SERVER_PATH || '/usr/bin/redis-server', pkg: 'redis-server', env: 'REDIS_SERVER_PATH' },
  // The record store's suites and the cluster suites run on a real PostgreSQL too (started as its own user).
  { name: 'postgresql', path: `${process.env.PG_BIN || '/usr/lib/postgresql/15/bin'}/postgres`, pkg: 'postgresql', env: 'PG_BIN' },
];

export function ensureBrowsers() {
  const missing = BROWSERS.filter((b) => !existsSync(b.path));
  if (missing.length === 0) return;
  const packages = missing.map((b) => b.pkg).join(' ');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    const override = missing.map((b) => `${b.env}`).join(' / ');
    console.error(`[browsers] missing: ${missing.map((b) => b.path).join(', ')}. Install with:\n  sudo apt-get update && sudo apt-get install -y ${packages}\n(or set ${override} to the browser binary)`);
    process.exit(1);
  }
  console.log(`[browsers] installing Debian ${packages} with apt-get (a minute or two)...`);
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...missing.map((b) => b.pkg)]]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status !== 0) {
      console.error(`[browsers] apt-get ${args.join(' ')} failed; install ${packages} manually and retry.`);
      process.exit(1);
    }
  }
  const still = missing.filter((b) => !existsSync(b.path));
  if (still.length > 0) {
    console.error(`[browsers] apt-get finished but ${still.map((b) => b.path).join(', ')} is still missing.`);
    process.exit(1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) ensureBrowsers();

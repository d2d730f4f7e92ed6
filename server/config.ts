import { accessSync, constants, mkdirSync } from 'node:fs';
import { isIP } from 'node:net';
import { cpus } from 'node:os';
import { resolve } from 'node:path';

/** Everything the server reads from its environment; `loadConfig` is the only place env vars are parsed. */
export interface ServerConfig {
  port: number;
  host: string;
  /** The IP that clients reach the SFU on; goes into ICE candidates. */
  announcedIp: string;
  /** The local IP mediasoup transports bind to. */
  listenIp: string;
  rtcMinPort: number;
  rtcMaxPort: number;
  mediasoupWorkers: number;
  dataDir: string;
  /** The apps file (App Keys, secrets, origins, limits); created with a demo app on first start if missing. */
  appsFile: string;
  /** SQLite file with call and session records and the webhook outbox. */
  databaseFile: string;
  logLevel: string;
  /** Pretty, human-readable logs (development) instead of JSON lines. */
  prettyLogs: boolean;
  /** How long a client whose connection dropped keeps its place in calls and rooms (0: none). */
  reconnectGraceMs: number;
  /** Directory holding the built demo pages (`npm run build` output: dist/demo). */
  distDir: string;
  /** Directory holding the built script-tag bundle served at /widget.js (the widget package's dist). */
  widgetDir: string;
}

/** A setting the operator must fix: main prints its message as one line and exits 1 (no stack trace). */
export class ConfigError extends Error {}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function ipFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (isIP(raw) === 0) throw new ConfigError(`${name} must be an IPv4 or IPv6 address (e.g. 203.0.113.10), got "${raw}"`);
  return raw;
}

function intFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<ServerConfig> = {}): ServerConfig {
  const rtcMinPort = intFromEnv(env, 'RTC_MIN_PORT', 40000, 1024, 65535);
  const rtcMaxPort = intFromEnv(env, 'RTC_MAX_PORT', 49999, 1024, 65535);
  if (rtcMaxPort <= rtcMinPort) throw new ConfigError('RTC_MAX_PORT must be greater than RTC_MIN_PORT');
  const host = env.HOST || '0.0.0.0';
  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  const config: ServerConfig = {
    port: intFromEnv(env, 'PORT', 3000, 0, 65535),
    host,
    listenIp: ipFromEnv(env, 'RTC_LISTEN_IP', host === '0.0.0.0' || host === '::' || isIP(host) === 0 ? '0.0.0.0' : host),
    announcedIp: ipFromEnv(env, 'ANNOUNCED_IP', '127.0.0.1'),
    rtcMinPort,
    rtcMaxPort,
    mediasoupWorkers: intFromEnv(env, 'MEDIASOUP_WORKERS', Math.max(1, cpus().length), 1, 256),
    dataDir: resolve(env.DATA_DIR || './data'),
    appsFile: resolve(env.APPS_FILE || resolve(env.DATA_DIR || './data', 'apps.json')),
    databaseFile: resolve(env.DATABASE_FILE || resolve(env.DATA_DIR || './data', 'call-widget.db')),
    logLevel,
    reconnectGraceMs: intFromEnv(env, 'RECONNECT_GRACE_SECONDS', 20, 0, 3600) * 1000,
    prettyLogs: env.NODE_ENV !== 'production',
    distDir: resolve(env.DIST_DIR || './dist'),
    widgetDir: resolve(env.WIDGET_DIST_DIR || './widget/dist'),
    ...overrides,
  };
  return config;
}

/** The data directory must exist (created if missing) and be writable: apps file and SQLite live there. */
export function ensureWritableDataDir(config: Pick<ServerConfig, 'dataDir'>, name = 'DATA_DIR'): void {
  try {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    accessSync(config.dataDir, constants.W_OK);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ConfigError(`${name} must be a writable directory, but ${config.dataDir} is not (${reason})`);
  }
}

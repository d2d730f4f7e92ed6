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
  /** Directory holding the built widget bundle and demo (`vite build` output). */
  distDir: string;
}

class ConfigError extends Error {}

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
  const config: ServerConfig = {
    port: intFromEnv(env, 'PORT', 3000, 0, 65535),
    host,
    listenIp: env.RTC_LISTEN_IP || (host === '0.0.0.0' || host === '::' ? '0.0.0.0' : host),
    announcedIp: env.ANNOUNCED_IP || '127.0.0.1',
    rtcMinPort,
    rtcMaxPort,
    mediasoupWorkers: intFromEnv(env, 'MEDIASOUP_WORKERS', Math.max(1, cpus().length), 1, 256),
    dataDir: resolve(env.DATA_DIR || './data'),
    appsFile: resolve(env.APPS_FILE || resolve(env.DATA_DIR || './data', 'apps.json')),
    databaseFile: resolve(env.DATABASE_FILE || resolve(env.DATA_DIR || './data', 'call-widget.db')),
    logLevel: env.LOG_LEVEL || 'info',
    reconnectGraceMs: intFromEnv(env, 'RECONNECT_GRACE_SECONDS', 20, 0, 3600) * 1000,
    prettyLogs: env.NODE_ENV !== 'production',
    distDir: resolve(env.DIST_DIR || './dist'),
    ...overrides,
  };
  return config;
}

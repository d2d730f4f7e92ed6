import { accessSync, constants, mkdirSync } from 'node:fs';
import { isIP } from 'node:net';
import { cpus, hostname, networkInterfaces } from 'node:os';
import { resolve } from 'node:path';

/** Bounds of one signaling connection and of one user's connections (env: see loadConfig). */
export interface SignalingLimits {
  maxMessageBytes: number;
  /** Messages per second per user, across all the user's connections (token bucket with `messageBurst`). */
  messagesPerSecond: number;
  messageBurst: number;
  helloTimeoutMs: number;
  heartbeatIntervalMs: number;
  /** Bytes waiting to be sent to one socket beyond which it is closed with `slow_consumer` (4013). */
  maxQueuedBytes: number;
  /** Connections one user (one userId in one app environment) may hold open on one node. */
  connectionsPerUser: number;
  /** Sockets one client address may hold open before they send hello (each waits up to `helloTimeoutMs`). */
  unauthenticatedPerAddress: number;
}

/** Everything the server reads from its environment; `loadConfig` is the only place env vars are parsed. */
export interface ServerConfig {
  port: number;
  host: string;
  /** The IP that clients reach the SFU on; goes into ICE candidates. */
  announcedIp: string;
  /** The local IP mediasoup transports bind to. */
  listenIp: string;
  /**
   * More local addresses to listen on and announce, each as itself (development default when `ANNOUNCED_IP` and
   * `RTC_LISTEN_IP` are unset and `HOST` is all interfaces: the machine's non-loopback IPv4 addresses, so a
   * browser that ignores loopback candidates — Firefox — or one on the LAN connects).
   */
  extraMediaAddresses: string[];
  /** WebRTC media port of worker 0 (worker i listens on rtcPort + i, UDP and TCP); 0 = any free port of the range. */
  rtcPort: number;
  /** Protocols the WebRTC media ports listen on (`RTC_PROTOCOLS`): both by default; `tcp` alone for UDP-blocked setups. */
  rtcProtocols: ('udp' | 'tcp')[];
  /** Port range for transports that cannot share a port (plain and pipe transports; WebRTC when rtcPort is 0). */
  rtcMinPort: number;
  rtcMaxPort: number;
  mediasoupWorkers: number;
  dataDir: string;
  /** The apps file (App Keys, secrets, origins, limits); created with a demo app on first start if missing. */
  appsFile: string;
  /** SQLite file with call and session records and the webhook outbox (when `databaseUrl` is not set). */
  databaseFile: string;
  /** PostgreSQL (`DATABASE_URL=postgres://...`) for records and the outbox instead: one database for every node. */
  databaseUrl?: string | undefined;
  logLevel: string;
  /** Pretty, human-readable logs (development) instead of JSON lines. */
  prettyLogs: boolean;
  /**
   * Whether a development demo app may exist (created on a first start, `POST /v1/demo/token` served):
   * always in development; in production only with `DEMO_APP=on`.
   */
  demoApp: boolean;
  /** Which proxies' X-Forwarded-For to believe (Fastify `trustProxy`): rate limits then key on the client. */
  trustProxy: boolean | string[];
  /** On SIGTERM, how long running calls and rooms may go on (no new ones start) before they are ended. */
  drainMs: number;
  /** Bearer token that /metrics on the main port requires; unset: no /metrics on the main port. */
  metricsToken: string | undefined;
  /**
   * A separate listener for /metrics only, without a token (reach it over a private network or loopback):
   * `METRICS_PORT` on `METRICS_HOST` (default 127.0.0.1). Unset: no separate listener.
   */
  metricsListen: { port: number; host: string } | undefined;
  /** Media transports this node holds open at once, all apps together (`MAX_TRANSPORTS`). */
  maxTransports: number;
  signaling: SignalingLimits;
  /** Ended calls and sessions and settled webhook deliveries older than this are deleted (0: kept forever). */
  retentionDays: number;
  /** Failed REST authentications allowed per minute, per (App Key, client address) and per address. */
  authFailures: { perAppKeyAndAddress: number; perAddress: number };
  /** Webhook delivery: one attempt's deadline, and whether loopback/private targets and plain http are allowed. */
  webhooks: { timeoutMs: number; allowPrivate: boolean };
  /** How long a client whose connection dropped keeps its place in calls and rooms (0: none). */
  reconnectGraceMs: number;
  /** TURN (coturn `use-auth-secret`): URLs and the shared secret browsers' credentials are derived from. */
  turn: { urls: string[]; secret: string | undefined; credentialTtlSeconds: number };
  /** Directory holding the built demo pages (`npm run build` output: dist/demo). */
  distDir: string;
  /** Directory holding the built script-tag bundle served at /widget.js (the widget package's dist). */
  widgetDir: string;
  /**
   * Several nodes behind one load balancer (`REDIS_URL`): presence, call and room placement and the node-to-node
   * relay go through Redis. Unset: a single node, everything in this process (the default).
   */
  cluster: {
    redisUrl: string;
    nodeId: string;
    heartbeatMs: number;
    /**
     * Where pipe transports to other nodes listen (`PIPE_LISTEN_IP`, default `RTC_LISTEN_IP`) and the address
     * other nodes reach them on (`PIPE_ANNOUNCED_IP`, default `ANNOUNCED_IP`): cascaded live rooms.
     */
    pipe?: { ip: string; announcedAddress: string };
  } | undefined;
  /** Participants one router of a room carries before the room takes a router on another worker (`PEERS_PER_ROUTER`). */
  peersPerRouter: number;
  /** This node's name (`CLUSTER_NODE_ID`, default `<hostname>-<PORT>`): what its open calls are recorded under. */
  nodeId?: string;
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
  const rtcMinPort = intFromEnv(env, 'RTC_MIN_PORT', 40100, 1024, 65535);
  const rtcMaxPort = intFromEnv(env, 'RTC_MAX_PORT', 49999, 1024, 65535);
  if (rtcMaxPort <= rtcMinPort) throw new ConfigError('RTC_MAX_PORT must be greater than RTC_MIN_PORT');
  const mediasoupWorkers = intFromEnv(env, 'MEDIASOUP_WORKERS', Math.max(1, cpus().length), 1, 256);
  const rtcPort = env.RTC_PORT === '0' ? 0 : intFromEnv(env, 'RTC_PORT', 40000, 1024, 65535 - mediasoupWorkers + 1);
  const rtcPortLast = rtcPort + mediasoupWorkers - 1;
  if (rtcPort !== 0 && rtcPort <= rtcMaxPort && rtcPortLast >= rtcMinPort) {
    throw new ConfigError(`RTC_PORT ${rtcPort}..${rtcPortLast} (one per worker) must lie outside RTC_MIN_PORT..RTC_MAX_PORT (${rtcMinPort}..${rtcMaxPort})`);
  }
  const protocols = (env.RTC_PROTOCOLS || 'udp,tcp').split(',').map((p) => p.trim().toLowerCase());
  if (protocols.length === 0 || protocols.some((p) => p !== 'udp' && p !== 'tcp')) {
    throw new ConfigError(`RTC_PROTOCOLS must be "udp,tcp", "udp" or "tcp", got "${env.RTC_PROTOCOLS}"`);
  }
  const host = env.HOST || '0.0.0.0';
  const logLevel = env.LOG_LEVEL || 'info';
  if (env.METRICS_TOKEN && env.METRICS_TOKEN.length < 16) throw new ConfigError('METRICS_TOKEN must be at least 16 characters (it guards /metrics)');
  if (env.WEBHOOK_ALLOW_PRIVATE && env.WEBHOOK_ALLOW_PRIVATE !== 'on' && env.WEBHOOK_ALLOW_PRIVATE !== 'off') throw new ConfigError(`WEBHOOK_ALLOW_PRIVATE must be "on" or "off", got "${env.WEBHOOK_ALLOW_PRIVATE}"`);
  if (env.DEMO_APP !== undefined && env.DEMO_APP !== '' && env.DEMO_APP !== 'on' && env.DEMO_APP !== 'off') throw new ConfigError(`DEMO_APP must be "on" or "off", got "${env.DEMO_APP}"`);
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  const turnUrls = (env.TURN_URLS ?? '').split(',').map((u) => u.trim()).filter(Boolean);
  const badTurnUrl = turnUrls.find((u) => !/^turns?:[^\s]+$/.test(u));
  if (badTurnUrl) throw new ConfigError(`TURN_URLS must be comma-separated turn: or turns: URLs (e.g. turn:turn.example.com:3478?transport=udp), got "${badTurnUrl}"`);
  if (turnUrls.length > 0 && !env.TURN_SECRET) throw new ConfigError('TURN_SECRET must be set when TURN_URLS is (coturn\'s static-auth-secret)');
  if (env.TURN_SECRET && turnUrls.length === 0) throw new ConfigError('TURN_URLS must be set when TURN_SECRET is');
  const allInterfaces = host === '0.0.0.0' || host === '::';
  const devAnnounce = env.NODE_ENV !== 'production' && allInterfaces && !env.ANNOUNCED_IP && !env.RTC_LISTEN_IP;
  const port = intFromEnv(env, 'PORT', 3000, 0, 65535);
  if (env.METRICS_PORT && port !== 0 && intFromEnv(env, 'METRICS_PORT', 0, 0, 65535) === port) throw new ConfigError(`METRICS_PORT must differ from PORT (${port})`);
  const redisUrl = env.REDIS_URL || undefined;
  if (redisUrl && !/^rediss?:\/\/[^\s]+$/.test(redisUrl)) throw new ConfigError(`REDIS_URL must be a redis:// or rediss:// URL (e.g. redis://10.0.0.5:6379), got "${redisUrl}"`);
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\/[^\s]+$/.test(databaseUrl)) throw new ConfigError(`DATABASE_URL must be a postgres:// URL (e.g. postgres://call_widget:secret@10.0.0.6:5432/call_widget), got "${databaseUrl.replace(/:[^:@/]*@/, ':***@')}"`);
  const nodeId = env.CLUSTER_NODE_ID || `${hostname()}-${port}`;
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(nodeId)) throw new ConfigError(`CLUSTER_NODE_ID must be 1-64 letters, digits, ".", "_" or "-", got "${nodeId}"`);
  const config: ServerConfig = {
    port,
    host,
    // With extra addresses each one is bound separately (same port per address), so loopback is bound alone.
    listenIp: ipFromEnv(env, 'RTC_LISTEN_IP', devAnnounce ? '127.0.0.1' : allInterfaces || isIP(host) === 0 ? '0.0.0.0' : host),
    extraMediaAddresses: devAnnounce ? machineAddresses() : [],
    announcedIp: ipFromEnv(env, 'ANNOUNCED_IP', '127.0.0.1'),
    rtcPort,
    rtcProtocols: [...new Set(protocols)] as ('udp' | 'tcp')[],
    rtcMinPort,
    rtcMaxPort,
    mediasoupWorkers,
    dataDir: resolve(env.DATA_DIR || './data'),
    appsFile: resolve(env.APPS_FILE || resolve(env.DATA_DIR || './data', 'apps.json')),
    databaseFile: resolve(env.DATABASE_FILE || resolve(env.DATA_DIR || './data', 'call-widget.db')),
    databaseUrl,
    nodeId,
    logLevel,
    reconnectGraceMs: intFromEnv(env, 'RECONNECT_GRACE_SECONDS', 20, 0, 3600) * 1000,
    turn: { urls: turnUrls, secret: env.TURN_SECRET || undefined, credentialTtlSeconds: intFromEnv(env, 'TURN_CREDENTIAL_TTL_SECONDS', 3600, 60, 86_400) },
    prettyLogs: env.NODE_ENV !== 'production',
    demoApp: env.NODE_ENV !== 'production' || env.DEMO_APP === 'on',
    metricsToken: env.METRICS_TOKEN || undefined,
    metricsListen: env.METRICS_PORT ? { port: intFromEnv(env, 'METRICS_PORT', 0, 0, 65535), host: ipFromEnv(env, 'METRICS_HOST', '127.0.0.1') } : undefined,
    drainMs: intFromEnv(env, 'DRAIN_SECONDS', 10, 0, 3600) * 1000,
    maxTransports: intFromEnv(env, 'MAX_TRANSPORTS', 4000, 2, 1_000_000),
    retentionDays: intFromEnv(env, 'RETENTION_DAYS', 30, 0, 36_500),
    authFailures: {
      perAppKeyAndAddress: intFromEnv(env, 'AUTH_FAILURES_PER_KEY_PER_MINUTE', 10, 1, 100_000),
      perAddress: intFromEnv(env, 'AUTH_FAILURES_PER_ADDRESS_PER_MINUTE', 30, 1, 100_000),
    },
    webhooks: { timeoutMs: intFromEnv(env, 'WEBHOOK_TIMEOUT_SECONDS', 5, 1, 60) * 1000, allowPrivate: env.WEBHOOK_ALLOW_PRIVATE === 'on' },
    signaling: {
      maxMessageBytes: intFromEnv(env, 'MAX_MESSAGE_KIB', 64, 1, 1024) * 1024,
      messagesPerSecond: intFromEnv(env, 'MESSAGES_PER_SECOND', 50, 1, 100_000),
      messageBurst: intFromEnv(env, 'MESSAGE_BURST', 200, 1, 100_000),
      helloTimeoutMs: intFromEnv(env, 'HELLO_TIMEOUT_SECONDS', 10, 1, 120) * 1000,
      heartbeatIntervalMs: intFromEnv(env, 'HEARTBEAT_SECONDS', 15, 1, 300) * 1000,
      maxQueuedBytes: intFromEnv(env, 'MAX_QUEUED_KIB', 1024, 16, 1024 * 1024) * 1024,
      connectionsPerUser: intFromEnv(env, 'MAX_CONNECTIONS_PER_USER', 10, 1, 10_000),
      unauthenticatedPerAddress: intFromEnv(env, 'MAX_UNAUTHENTICATED_PER_ADDRESS', 50, 1, 100_000),
    },
    trustProxy: trustProxyFromEnv(env.TRUST_PROXY),
    distDir: resolve(env.DIST_DIR || './dist'),
    widgetDir: resolve(env.WIDGET_DIST_DIR || './widget/dist'),
    cluster: redisUrl ? { redisUrl, nodeId, heartbeatMs: intFromEnv(env, 'CLUSTER_HEARTBEAT_MS', 1000, 100, 60_000), ...pipeFromEnv(env) } : undefined,
    peersPerRouter: intFromEnv(env, 'PEERS_PER_ROUTER', 200, 1, 100_000),
    ...overrides,
  };
  return config;
}

/** PIPE_LISTEN_IP / PIPE_ANNOUNCED_IP when either is set (else the media addresses serve, see app.ts). */
function pipeFromEnv(env: NodeJS.ProcessEnv): { pipe: { ip: string; announcedAddress: string } } | undefined {
  if (!env.PIPE_LISTEN_IP && !env.PIPE_ANNOUNCED_IP) return undefined;
  const ip = ipFromEnv(env, 'PIPE_LISTEN_IP', ipFromEnv(env, 'RTC_LISTEN_IP', '0.0.0.0'));
  return { pipe: { ip, announcedAddress: ipFromEnv(env, 'PIPE_ANNOUNCED_IP', ipFromEnv(env, 'ANNOUNCED_IP', ip)) } };
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

/** This machine's non-loopback IPv4 addresses (LAN, container), for the development announce default. */
function machineAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && a.family === 'IPv4' && !a.internal)
    .map((a) => a!.address);
}

/** An operator-facing warning about a setting that works but probably not as meant, or undefined. */
export function configWarning(config: ServerConfig): string | undefined {
  const loopback = (ip: string) => ip === '::1' || ip.startsWith('127.');
  if (loopback(config.announcedIp) && !loopback(config.host) && config.extraMediaAddresses.length === 0) {
    return `ANNOUNCED_IP is ${config.announcedIp} while HOST is ${config.host}: browsers on other machines can load the page but not send media; set ANNOUNCED_IP to the address they reach this server on`;
  }
  return undefined;
}

/** TRUST_PROXY: unset (trust no proxy), `true` (any: only behind a proxy that always sets the header), or addresses/CIDRs. */
function trustProxyFromEnv(raw: string | undefined): boolean | string[] {
  if (!raw) return false;
  if (raw === 'true') return true;
  const entries = raw.split(',').map((e) => e.trim()).filter(Boolean);
  const bad = entries.find((e) => {
    const [ip, bits, extra] = e.split('/');
    return extra !== undefined || isIP(ip ?? '') === 0 || (bits !== undefined && !/^\d{1,3}$/.test(bits));
  });
  if (bad) throw new ConfigError(`TRUST_PROXY must be "true" or comma-separated proxy addresses/CIDRs (e.g. 127.0.0.1,10.0.0.0/8), got "${bad}"`);
  return entries;
}

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { type BuildOptions, buildApp, type CallWidgetServer } from '../../server/app';
import { loadConfig, type ServerConfig } from '../../server/config';
import type { AppDefinition } from '../../server/domain/apps';
import { issueToken, type TokenRequest } from '../../server/domain/tokens';
import type { Environment } from '../../protocol';
import type { StatusResponse } from '../../protocol/http';
import { statusOf } from '../../server/http/operator';
import { newApp } from '../../server/store/apps-file';

export interface TestServer {
  app: CallWidgetServer;
  url: string;
  apps: AppDefinition[];
  token(userId: string, options?: Partial<TokenRequest> & { app?: AppDefinition; environment?: Environment }): Promise<string>;
  /** What an operator's `/status` shows (workers with pids and media ports, load), read in-process. */
  status(): StatusResponse;
  close(): Promise<void>;
}

/**
 * A real server on a random port: real mediasoup workers, real sockets. Media ports are random too (rtcPort 0:
 * each worker's WebRtcServer takes a free port of the range), so suites can run side by side. By default one demo app (any origin)
 * with both environments, plus a second app for isolation tests.
 */
export async function startServer(options: BuildOptions & { workers?: number; dataDir?: string; reconnectGraceMs?: number; rtcPort?: number; rtcProtocols?: ('udp' | 'tcp')[]; turn?: ServerConfig['turn']; metricsToken?: string; trustProxy?: ServerConfig['trustProxy']; maxTransports?: number; webhooks?: Partial<ServerConfig['webhooks']>; cluster?: { redisUrl: string; nodeId: string }; databaseUrl?: string; peersPerRouter?: number } = {}): Promise<TestServer> {
  const apps = options.apps ?? [
    newApp('Test A', { demo: true, origins: ['*'] }),
    newApp('Test B', { demo: false, origins: ['http://b.example'] }),
  ];
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'cw-test-'));
  const config = loadConfig(
    { ...process.env, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn', NODE_ENV: 'production' },
    { port: 0, host: '127.0.0.1', demoApp: true, listenIp: '127.0.0.1', announcedIp: '127.0.0.1', mediasoupWorkers: options.workers ?? 1, rtcPort: options.rtcPort ?? 0, ...(options.rtcProtocols ? { rtcProtocols: options.rtcProtocols } : {}), ...(options.turn ? { turn: options.turn } : {}), ...(options.metricsToken ? { metricsToken: options.metricsToken } : {}), ...(options.trustProxy ? { trustProxy: options.trustProxy } : {}), ...(options.maxTransports ? { maxTransports: options.maxTransports } : {}), ...(options.webhooks ? { webhooks: { timeoutMs: 5000, allowPrivate: false, ...options.webhooks } } : {}), dataDir, appsFile: join(dataDir, 'apps.json'), databaseFile: join(dataDir, 'call-widget.db'), ...(options.reconnectGraceMs !== undefined ? { reconnectGraceMs: options.reconnectGraceMs } : {}), ...(options.cluster ? { cluster: { ...options.cluster, heartbeatMs: 200 } } : {}), ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}), ...(options.peersPerRouter ? { peersPerRouter: options.peersPerRouter } : {}) },
  );
  const app = await buildApp(config, { ...options, apps });
  app.get('/e2e', { schema: { hide: true } }, (_req, reply) =>
    reply.type('text/html').send('<!doctype html><html lang="en"><head><meta charset="utf-8"><script type="module" src="/widget.js"></script></head><body></body></html>'),
  );
  // Stands in for a site's own backend in token-url tests: it would know the visitor from its session.
  app.post('/e2e/token/:userId', { schema: { hide: true } }, async (req) => {
    const tenant = app.services.apps.tenant((apps[0] as AppDefinition).environments.development?.appKey ?? '');
    const ttl = Number((req.query as { ttl?: string }).ttl);
    return issueToken(tenant!, { userId: (req.params as { userId: string }).userId, ...(ttl > 0 ? { ttlSeconds: ttl } : {}) });
  });
  app.get('/e2e/raw', { schema: { hide: true } }, (req, reply) => reply.type('text/html').send(String((req.query as { html?: string }).html ?? '')));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const firstApp = apps[0] as AppDefinition;
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    apps,
    async token(userId, opts = {}) {
      const def = opts.app ?? firstApp;
      const environment = opts.environment ?? 'development';
      const tenant = app.services.apps.tenant(def.environments[environment]?.appKey ?? '');
      if (!tenant) throw new Error(`no ${environment} environment in app ${def.name}`);
      return (await issueToken(tenant, { userId, name: opts.name ?? userId, ...(opts.ttlSeconds ? { ttlSeconds: opts.ttlSeconds } : {}), ...(opts.grants ? { grants: opts.grants } : {}) })).token;
    },
    status: () => statusOf(app.services),
    close: () => app.close(),
  };
}

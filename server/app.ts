import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyWebsocket from '@fastify/websocket';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import { ConfigError, configWarning, type ServerConfig, type SignalingLimits } from './config';
import { type AppDefinition, AppRegistry, DEFAULT_LIMITS } from './domain/apps';
import { CallService } from './domain/calls';
import { Moderation } from './domain/moderation';
import { Presence } from './domain/presence';
import { LocalUserDirectory } from './domain/user-directory';
import { type Room, RoomRegistry } from './domain/rooms';
import { healthRoutes } from './http/health';
import { roomRoutes } from './http/rooms';
import { moveIdleClients } from './signaling/client-lifecycle';
import { type ServerMetrics, createMetrics } from './http/metrics';
import { operatorRoutes } from './http/operator';
import { staticRoutes } from './http/static';
import { tokenRoutes } from './http/token';
import { MediaCascade } from './media/cascade';
import { RoomMedia } from './media/room-media';
import { TransportBudget } from './media/transport-budget';
import { MediaListenError, WorkerPool } from './media/worker-pool';
import type { Lifecycle, Services } from './services';
import { ClusterWiring } from './cluster-wiring';
import { SingleNodeTopology } from './topology/single-node';
import { signalingRoutes } from './signaling/route';
import { SessionRegistry } from './signaling/client-session';
import { loadOrCreateApps } from './store/apps-file';
import { CallRecordStore } from './store/call-records';
import { openRecordDatabase } from './store/database';
import { pruneRecords } from './store/retention';
import { LifecycleRecorder } from './store/recorder';
import { WebhookOutbox } from './store/webhook-outbox';
import { WebhookDispatcher } from './webhooks/dispatcher';
import { targetUrlProblem } from './webhooks/target-guard';
import { callRoutes } from './http/calls';
import { AuthFailureLimiter, type AuthFailureLimits } from './domain/auth-failures';

export interface BuildOptions {
  /** Apps to serve instead of reading `config.appsFile` (tests). */
  apps?: AppDefinition[];
  signalingLimits?: Partial<SignalingLimits>;
  tokenRateLimitPerMinute?: number;
  /** Overrides every app's ring timeout (tests). */
  ringTimeoutMs?: number;
  /** Wait before a dead media worker is replaced (tests make it long to observe the dead state). */
  workerRespawnDelayMs?: number;
  /** How long rooms of a dead worker wait for a live one before they fail (default 10 s). */
  mediaRecoveryTimeoutMs?: number;
  /** Waits between webhook attempts (tests use short ones). */
  webhookRetryScheduleMs?: readonly number[];
  webhookPollMs?: number;
  /** Failed REST authentications allowed per minute (tests make them small). */
  authFailureLimits?: AuthFailureLimits;
}

export type CallWidgetServer = FastifyInstance & { services: Services; metrics: ServerMetrics };

/** A media port that cannot be opened, said as the setting the operator changes (like a busy PORT). */
function mediaListenProblem(err: MediaListenError): string {
  if (err.port === undefined) return `no free WebRTC media port in RTC_MIN_PORT..RTC_MAX_PORT on RTC_LISTEN_IP ${err.listenIp} (${err.reason}); widen the range or free ports`;
  if (err.inUse) return `RTC_PORT ${err.port} is already in use on ${err.listenIp} (worker ${err.workerIndex} listens on RTC_PORT + ${err.workerIndex}, UDP and TCP); choose another RTC_PORT`;
  return `RTC_PORT ${err.port} on RTC_LISTEN_IP ${err.listenIp} cannot be used (${err.reason})`;
}

/** Builds the whole server without listening: `app.inject()` and real sockets both work on the result. */
export async function buildApp(config: ServerConfig, options: BuildOptions = {}): Promise<CallWidgetServer> {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      ...(config.prettyLogs ? { transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss', ignore: 'pid,hostname' } } } : {}),
      redact: ['req.headers.authorization', '*.secret', '*.token'],
    },
    ajv: { customOptions: { removeAdditional: false } },
    trustProxy: config.trustProxy,
  });
  app.setValidatorCompiler(TypeBoxValidatorCompiler);

  let apps = options.apps;
  let registry: AppRegistry;
  try {
    if (!apps) {
      const loaded = loadOrCreateApps(config.appsFile, { demo: config.demoApp });
      apps = loaded.apps;
      if (loaded.created) {
        const key = apps[0]?.environments.development?.appKey;
        app.log.info(`created a development demo app (App Key ${key}); its secret is stored in ${config.appsFile}`);
      } else if (apps.length === 0) {
        app.log.warn(`no apps in ${config.appsFile}: create one with \`npm run apps -- create <name> --origin https://your.site\` (production creates no demo app unless DEMO_APP=on)`);
      }
    }
    registry = new AppRegistry(apps);
  } catch (err) {
    // A broken apps file is the operator's to fix: main prints it as one line.
    await app.close();
    throw new ConfigError(`APPS_FILE ${config.appsFile} is invalid: ${(err as Error).message.replace(`${config.appsFile}: `, '')}`);
  }

  const nodeId = config.cluster?.nodeId ?? config.nodeId ?? 'local';
  const db = await openRecordDatabase(config, (err) => app.log.warn({ reason: err.message }, 'records database connection lost; writes are kept and retried')).catch(async (err: Error) => {
    if (!config.databaseUrl) throw err;
    await app.close();
    throw new ConfigError(`DATABASE_URL ${config.databaseUrl.replace(/:[^:@/]*@/, ':***@')} cannot be used (${err.message})`);
  });
  const records = new CallRecordStore(db, nodeId);
  const outbox = new WebhookOutbox(db);
  const dispatcher = new WebhookDispatcher(outbox, {
    secretFor: (tenantKey) => registry.byKeyOf(tenantKey)?.settings.webhooks.secret,
    ...(options.webhookRetryScheduleMs ? { retryScheduleMs: options.webhookRetryScheduleMs } : {}),
    ...(options.webhookPollMs ? { pollMs: options.webhookPollMs } : {}),
    log: (message, details) => app.log.warn(details ?? {}, message),
    timeoutMs: config.webhooks.timeoutMs,
    allowPrivate: config.webhooks.allowPrivate,
  });
  for (const tenant of registry.tenants()) {
    for (const url of tenant.settings.webhooks.urls) {
      const problem = targetUrlProblem(url, config.webhooks.allowPrivate);
      if (problem) app.log.warn(`webhook URL ${url} of ${tenant.settings.appKey} will not be delivered to: ${problem}`);
    }
  }
  const recorder = new LifecycleRecorder(db, records, outbox, {
    webhookUrls: (tenantKey) => registry.byKeyOf(tenantKey)?.settings.webhooks.urls ?? [],
    onQueued: () => dispatcher.kick(),
    onError: (err, event) => app.log.error({ err, event }, 'could not store a call record'),
    onAvailability: (available, pending) =>
      available ? app.log.warn(`records database reachable again: ${pending} waiting record(s) being written`) : app.log.error(`records database unreachable: call records are kept in memory (${pending} waiting) and written when it returns`),
  });
  records.readsAfter(() => recorder.drained(2000));
  const leftOpen = await recorder.closeLeftOpen();
  if (leftOpen.calls + leftOpen.sessions > 0) {
    app.log.warn(`closed ${leftOpen.calls} call(s) and ${leftOpen.sessions} session(s) left open by the previous run (reason server_restart)`);
  }
  dispatcher.start();
  // Records are not kept forever: what ended before the retention goes, at start and then hourly.
  const prune = async () => {
    if (config.retentionDays === 0) return;
    try {
      const pruned = await pruneRecords(db, config.retentionDays * 86_400_000);
      if (pruned.calls + pruned.sessions + pruned.deliveries > 0) app.log.info({ pruned }, `pruned records older than ${config.retentionDays} days`);
    } catch (error) {
      app.log.error({ err: error }, 'pruning old records failed');
    }
  };
  await prune();
  const pruneTimer = setInterval(() => void prune(), 3_600_000).unref();

  const warning = configWarning(config);
  if (warning) app.log.warn(warning);
  if (config.extraMediaAddresses.length > 0) app.log.info(`media also announced on ${config.extraMediaAddresses.join(', ')} (development default; set ANNOUNCED_IP to choose)`);
  const pool = await WorkerPool.start({
    size: config.mediasoupWorkers,
    rtcMinPort: config.rtcMinPort,
    rtcMaxPort: config.rtcMaxPort,
    webRtc: { listenIp: config.listenIp, announcedIp: config.announcedIp, extraAddresses: config.extraMediaAddresses, port: config.rtcPort, protocols: config.rtcProtocols },
    ...(options.workerRespawnDelayMs !== undefined ? { respawnDelayMs: options.workerRespawnDelayMs } : {}),
  }).catch(async (err: unknown) => {
    if (!(err instanceof MediaListenError)) throw err;
    await app.close();
    throw new ConfigError(mediaListenProblem(err));
  });
  pool.on('workerDied', (health, error) =>
    app.log.error({ worker: health, err: error }, `mediasoup worker ${health.pid} died: its rooms move to a live worker; a replacement is starting`),
  );
  pool.on('workerRespawned', (health) => app.log.warn({ worker: health }, `mediasoup worker slot ${health.index} replaced (pid ${health.pid})`));
  // REDIS_URL: this node joins a cluster (shared presence, call and room homes, a relay to other nodes).
  const cluster = config.cluster ? await ClusterWiring.open(config.cluster, (message, err) => app.log.warn(err instanceof Error ? { reason: err.message } : {}, message)).catch(async (err: Error) => {
    await pool.close();
    await app.close();
    throw new ConfigError(`REDIS_URL ${config.cluster?.redisUrl} cannot be reached (${err.message})`);
  }) : undefined;
  const presence = new Presence(cluster?.presenceObserver());
  const transports = new TransportBudget(config.maxTransports, (tenantKey) => registry.byKeyOf(tenantKey)?.settings.limits.maxTransports ?? DEFAULT_LIMITS.maxTransports);
  // Cascading (cluster): set once the relay exists, before any room is created.
  let cascade: MediaCascade | undefined;
  const rooms = new RoomRegistry((tenantKey, events) => RoomMedia.create(pool, events, () => transports.acquire(tenantKey), { peersPerRouter: config.peersPerRouter, tenantKey, ...(cascade ? { cascade } : {}) }), options.mediaRecoveryTimeoutMs);
  const clients = new SessionRegistry();
  const local = new LocalUserDirectory(presence, rooms);
  const lifecycle: Lifecycle = { shuttingDown: false, moveIdleClients: () => moveIdleClients(services) };
  /** Pending sweeps after dead nodes (cleared on close: they write to the records database). */
  const sweeps = new Set<NodeJS.Timeout>();
  const joined = cluster?.start({ graceMs: config.reconnectGraceMs, rejoinCall: async (link, snapshot): Promise<Room> => {
      const room = await calls.rejoin(link, snapshot, config.reconnectGraceMs);
      // Its end (and this node's restart) is now this node's to record: the dead node's restart leaves it be.
      recorder.adopt(snapshot.tenantKey, snapshot.callId);
      return room;
    }, onNodeDied: (node, sweeper) => {
      cascade?.nodeDied(node);
      // Once its clients had their grace to come back, what the dead node left open and nobody continued ends.
      if (!sweeper) return;
      const sweep = setTimeout(() => {
        sweeps.delete(sweep);
        recorder.closeLeftOpen(node, 'failed').then(
          (n) => n.calls + n.sessions > 0 && app.log.warn(`ended ${n.calls} call(s) and ${n.sessions} session(s) node ${node} left open (reason failed)`),
          (err: unknown) => app.log.error({ err }, `could not end what node ${node} left open`),
        );
      }, config.reconnectGraceMs + 5000).unref();
      sweeps.add(sweep);
    }, apps: registry, rooms, local, localLink: (id) => clients.withId(id), leaveRoom: (link, lost): void => void calls.leaveRoom(link, lost), draining: () => lifecycle.shuttingDown });
  const calls = new CallService(rooms, joined?.users ?? local, {
    ringTimeoutMs: (link) => options.ringTimeoutMs ?? link.identity.tenant.settings.ringTimeoutSeconds * 1000,
    lifecycle: recorder.sink,
    ...(cluster ? { registry: cluster.callRegistry(), rings: cluster.rings() } : {}),
  });
  const { sink } = recorder;
  const at = (room: Room) => ({ sessionId: room.sessionId, roomId: room.roomId, at: Date.now() });
  rooms.events.subscribe((event) => {
    const { room } = event;
    switch (event.type) {
      case 'created':
        return sink(room.tenant, { type: 'session.started', kind: room.kind, ...at(room) });
      case 'participantJoined': {
        const { info } = event.participant;
        return sink(room.tenant, { type: 'participant.joined', userId: info.userId, ...(info.name !== undefined ? { name: info.name } : {}), role: info.role, ...at(room) });
      }
      case 'participantLeft':
        return sink(room.tenant, { type: 'participant.left', userId: event.participant.info.userId, ...at(room) });
      case 'sessionEnded':
        return sink(room.tenant, { type: 'session.ended', reason: room.endReason ?? event.reason, ...at(room) });
      case 'failed':
        return calls.failRoom(room, event.participants.map((p) => p.link));
      case 'mediaRecovered':
        return app.log.warn({ roomId: room.roomId, sessionId: room.sessionId, elapsedMs: event.elapsedMs }, 'room media recreated on a live worker');
    }
  });
  if (cluster && joined && config.cluster) {
    const { relay } = joined;
    cascade = new MediaCascade(config.cluster.nodeId, relay.mediaChannel(), config.cluster.pipe ?? { ip: config.listenIp, announcedAddress: config.announcedIp }, pool, config.peersPerRouter, (tenantKey) => () => transports.acquire(tenantKey), (node) => relay.isLive(node));
    relay.setMediaHandler(cascade);
    cluster.followRooms(rooms, joined.relay);
    cluster.resyncFrom({ links: () => presence.all(), rooms: () => rooms.all(), calls: () => calls.live() });
  }
  const moderation = new Moderation(rooms, calls);
  const topology = joined?.topology ?? new SingleNodeTopology(rooms, nodeId);
  const services: Services = { config, apps: registry, pool, presence, rooms, calls, moderation, clients, records, outbox, recordsWaiting: () => recorder.pending, lifecycle, authFailures: new AuthFailureLimiter(options.authFailureLimits ?? config.authFailures), topology, ...(cascade ? { cascade } : {}) };
  app.decorate('services', services);

  await app.register(fastifyRateLimit, {
    global: false,
    errorResponseBuilder: (_req, ctx) => ({
      statusCode: ctx.statusCode,
      code: 'rate_limited',
      error: 'Too Many Requests',
      message: `rate limit of ${ctx.max} requests per ${ctx.after} exceeded; retry later`,
    }),
  });
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'call-widget server', version: '1', description: 'Tokens, rooms and sessions for <call-widget>.' },
      components: { securitySchemes: { appSecret: { type: 'http', scheme: 'basic', description: 'App Key as user, app secret as password' } } },
    },
  });
  // Security headers everywhere (nosniff, frame options, referrer policy, same-origin resource policy, HSTS
  // when served over https). CSP is per page: the demo pages set theirs (page-csp.ts), the API answers JSON,
  // and Swagger UI sets its own static one, minus upgrade-insecure-requests so /docs works on plain http too.
  await app.register(fastifyHelmet, { contentSecurityPolicy: false, global: true });
  await app.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    transformStaticCSP: (header) => header.replace(/\s*upgrade-insecure-requests;?/, ''),
  });
  await app.register(fastifyWebsocket, { options: { maxPayload: 1024 * 1024 } });

  await app.register(healthRoutes, { services });
  const metrics = createMetrics(services);
  app.decorate('metrics', metrics);
  await app.register(operatorRoutes, { metrics, services, token: config.metricsToken });
  await app.register(roomRoutes, { services });
  await app.register(callRoutes, { services });
  await app.register(tokenRoutes, { services, rateLimitPerMinute: options.tokenRateLimitPerMinute ?? 120 });
  await app.register(signalingRoutes, { services, limits: { ...config.signaling, ...options.signalingLimits }, observeRequest: metrics.observeRequest });
  await app.register(staticRoutes, { distDir: config.distDir, widgetDir: config.widgetDir });

  await joined?.relay.start();
  app.addHook('onClose', async () => {
    clearInterval(pruneTimer);
    for (const sweep of sweeps) clearTimeout(sweep);
    await joined?.relay.stop();
    calls.closeAll();
    rooms.closeAll();
    cascade?.close();
    // What the drain did not see finish is recorded as ended now (reason server_restart), and its webhooks
    // are attempted before the process goes (dispatcher.stop waits for attempts in flight).
    const open = await recorder.closeLeftOpen();
    if (open.calls + open.sessions > 0) app.log.warn(`ended ${open.calls} call(s) and ${open.sessions} session(s) still running at shutdown (reason server_restart)`);
    await pool.close();
    await dispatcher.flush(5000);
    await dispatcher.stop();
    await recorder.drained();
    await db.close();
  });
  return app as unknown as CallWidgetServer;
}

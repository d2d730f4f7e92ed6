import fp from 'fastify-plugin';
import { ConfigError, type ServerConfig } from '../config';
import { DEFAULT_LIMITS } from '../domain/apps';
import type { MediaFactory } from '../domain/rooms';
import { MediaCascade } from '../media/cascade';
import { RoomMedia } from '../media/room-media';
import { TransportBudget } from '../media/transport-budget';
import { MediaListenError, WorkerPool } from '../media/worker-pool';
import type { BuildOptions } from './build-options';

/** The SFU as the rest of the server uses it: rooms' media is made here; no mediasoup type leaves. */
export interface Media {
  pool: WorkerPool;
  /** Makes a room's media for a tenant (its participants' transports count against the tenant's budget). */
  createRoomMedia: MediaFactory;
  /** In a cluster: rooms of this node served partly by others, and this node's part of others' live rooms. */
  cascade: MediaCascade | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    media: Media;
  }
}

/** A media port that cannot be opened, said as the setting the operator changes (like a busy PORT). */
function mediaListenProblem(err: MediaListenError): string {
  if (err.port === undefined) return `no free WebRTC media port in RTC_MIN_PORT..RTC_MAX_PORT on RTC_LISTEN_IP ${err.listenIp} (${err.reason}); widen the range or free ports`;
  if (err.inUse) return `RTC_PORT ${err.port} is already in use on ${err.listenIp} (worker ${err.workerIndex} listens on RTC_PORT + ${err.workerIndex}, UDP and TCP); choose another RTC_PORT`;
  return `RTC_PORT ${err.port} on RTC_LISTEN_IP ${err.listenIp} cannot be used (${err.reason})`;
}

/** mediasoup workers (one WebRTC port each), the transport budget, and — in a cluster — cascading. */
export const mediaPlugin = fp<{ config: ServerConfig; options: BuildOptions }>(
  async (app, { config, options }) => {
    if (config.extraMediaAddresses.length > 0) app.log.info(`media also announced on ${config.extraMediaAddresses.join(', ')} (development default; set ANNOUNCED_IP to choose)`);
    const pool = await WorkerPool.start({
      size: config.mediasoupWorkers,
      rtcMinPort: config.rtcMinPort,
      rtcMaxPort: config.rtcMaxPort,
      webRtc: { listenIp: config.listenIp, announcedIp: config.announcedIp, extraAddresses: config.extraMediaAddresses, port: config.rtcPort, protocols: config.rtcProtocols },
      ...(options.workerRespawnDelayMs !== undefined ? { respawnDelayMs: options.workerRespawnDelayMs } : {}),
    }).catch((err: unknown) => {
      throw err instanceof MediaListenError ? new ConfigError(mediaListenProblem(err)) : err;
    });
    pool.on('workerDied', (health, error) =>
      app.log.error({ worker: health, err: error }, `mediasoup worker ${health.pid} died: its rooms move to a live worker; a replacement is starting`),
    );
    pool.on('workerRespawned', (health) => app.log.warn({ worker: health }, `mediasoup worker slot ${health.index} replaced (pid ${health.pid})`));
    const registry = app.apps;
    const transports = new TransportBudget(config.maxTransports, (tenantKey) => registry.byKeyOf(tenantKey)?.settings.limits.maxTransports ?? DEFAULT_LIMITS.maxTransports);
    const lease = (tenantKey: string) => () => transports.acquire(tenantKey);
    const { cluster } = app;
    const cascade = cluster && config.cluster
      ? new MediaCascade(cluster.link.self, cluster.link.mediaChannel(), config.cluster.pipe ?? { ip: config.listenIp, announcedAddress: config.announcedIp }, pool, config.peersPerRouter, lease, (node) => cluster.link.isLive(node))
      : undefined;
    const createRoomMedia: MediaFactory = (tenantKey, events) => RoomMedia.create(pool, events, lease(tenantKey), { peersPerRouter: config.peersPerRouter, tenantKey, ...(cascade ? { cascade } : {}) });
    app.decorate('media', { pool, createRoomMedia, cascade });
    app.addHook('onClose', async () => {
      cascade?.close();
      await pool.close();
    });
  },
  { name: 'media', dependencies: ['apps', 'cluster'] },
);

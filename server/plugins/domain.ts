import fp from 'fastify-plugin';
import type { ServerConfig } from '../config';
import { AuthFailureLimiter } from '../domain/auth-failures';
import { CallService } from '../domain/calls';
import { Moderation } from '../domain/moderation';
import { Presence } from '../domain/presence';
import type { Room, RoomRegistry } from '../domain/rooms';
import { RoomRegistry as Rooms } from '../domain/rooms';
import { LocalUserDirectory } from '../domain/user-directory';
import type { LifecycleRecorder } from '../store/recorder';
import type { Lifecycle, Services } from '../services';
import { SessionRegistry } from '../signaling/client-session';
import { SingleNodeTopology } from '../topology/single-node';
import type { Topology } from '../topology/topology';
import type { BuildOptions } from './build-options';

declare module 'fastify' {
  interface FastifyInstance {
    /** The long-lived services signaling and HTTP use (built once here, closed on shutdown). */
    services: Services;
  }
}

/** Room sessions become session and participant records (and their webhooks). */
function recordRooms(rooms: RoomRegistry, recorder: LifecycleRecorder, calls: CallService, log: (details: object, message: string) => void): void {
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
        return log({ roomId: room.roomId, sessionId: room.sessionId, elapsedMs: event.elapsedMs }, 'room media recreated on a live worker');
    }
  });
}

/**
 * The domain — presence, rooms, calls, moderation — over the media and records built before it, and the
 * Topology: this node alone, or (REDIS_URL) a cluster whose relay starts beating once everything is
 * registered. Each part is built after what it uses; nothing is captured before it exists.
 */
export const domainPlugin = fp<{ config: ServerConfig; options: BuildOptions }>(
  async (app, { config, options }) => {
    const { apps, records, media, cluster } = app;
    const { recorder } = records;
    const nodeId = config.cluster?.nodeId ?? config.nodeId ?? 'local';
    const lifecycle: Lifecycle = { shuttingDown: false };
    const presence = new Presence(cluster?.presenceObserver());
    const rooms = new Rooms(media.createRoomMedia, options.mediaRecoveryTimeoutMs);
    const clients = new SessionRegistry();
    const local = new LocalUserDirectory(presence, rooms);
    const remotes = cluster?.remoteLinks(apps, config.reconnectGraceMs);
    const calls = new CallService(rooms, cluster && remotes ? cluster.users(local, remotes) : local, {
      ringTimeoutMs: (link) => options.ringTimeoutMs ?? link.identity.tenant.settings.ringTimeoutSeconds * 1000,
      lifecycle: recorder.sink,
      ...(cluster ? { registry: cluster.callRegistry(), rings: cluster.rings() } : {}),
    });
    recordRooms(rooms, recorder, calls, (details, message) => app.log.warn(details, message));

    /** Pending sweeps after dead nodes (cleared on close: they write to the records database). */
    const sweeps = new Set<NodeJS.Timeout>();
    const joined = cluster && remotes && media.cascade ? cluster.start({
      rooms, remotes, media: media.cascade, graceMs: config.reconnectGraceMs,
      localLink: (id) => clients.withId(id),
      leaveRoom: (link, lost) => void calls.leaveRoom(link, lost),
      draining: () => lifecycle.shuttingDown,
      rejoinCall: async (link, snapshot) => {
        const room = await calls.rejoin(link, snapshot, config.reconnectGraceMs);
        // Its end (and this node's restart) is now this node's to record: the dead node's restart leaves it be.
        recorder.adopt(snapshot.tenantKey, snapshot.callId);
        return room;
      },
      onNodeDied: (node, sweeper) => {
        media.cascade?.nodeDied(node);
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
      },
    }) : undefined;
    if (cluster && joined) {
      cluster.followRooms(rooms, joined.relay);
      cluster.resyncFrom({ links: () => presence.all(), rooms: () => rooms.all(), calls: () => calls.live() });
    }
    const topology: Topology = joined?.topology ?? new SingleNodeTopology(rooms, nodeId);
    const services: Services = {
      config, apps, pool: media.pool, presence, rooms, calls, moderation: new Moderation(rooms, calls), clients,
      records: records.store, outbox: records.outbox, recordsWaiting: () => recorder.pending, lifecycle,
      authFailures: new AuthFailureLimiter(options.authFailureLimits ?? config.authFailures), topology,
      ...(media.cascade ? { cascade: media.cascade } : {}),
    };
    app.decorate('services', services);
    // Other nodes route requests here only once this node beats, so only once signaling serves them.
    app.addHook('onReady', async () => joined?.relay.start());
    app.addHook('onClose', async () => {
      for (const sweep of sweeps) clearTimeout(sweep);
      await joined?.relay.stop();
      calls.closeAll();
      rooms.closeAll();
    });
  },
  { name: 'domain', dependencies: ['apps', 'records', 'cluster', 'media'] },
);

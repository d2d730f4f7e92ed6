import type { ServerConfig } from './config';
import type { AppRegistry } from './domain/apps';
import type { CallRegistry } from './domain/calls';
import type { CallSnapshot } from './domain/call-snapshot';
import type { ClientLink } from './domain/links';
import type { Room, RoomRegistry } from './domain/rooms';
import type { LocalUserDirectory, UserDirectory } from './domain/user-directory';
import type { RingLimiter } from './domain/ring-budget';
import { ClusterUserDirectory } from './cluster/cluster-users';
import { ClusterRings } from './cluster/rings';
import type { ClusterDirectory } from './cluster/directory';
import { ClusterRelay, clusterCallKey, clusterRoomKey } from './cluster/relay';
import { refOf } from './cluster/remote-link';
import { RedisBus, RedisDirectory } from './store/redis-cluster';
import { ClusterTopology } from './topology/cluster';

type Log = (message: string, err?: unknown) => void;

/** Failures repeat while Redis is away (every reconnect attempt, every presence change): one line per 10 s each. */
function throttled(log: Log): Log {
  const last = new Map<string, number>();
  return (message, err) => {
    if (Date.now() - (last.get(message) ?? 0) < 10_000) return;
    last.set(message, Date.now());
    log(message, err);
  };
}

/** The cluster half of the wiring (REDIS_URL set): the directory and bus on Redis, and how this node uses them. */
export class ClusterWiring {
  relay: ClusterRelay | undefined;

  private constructor(
    private readonly config: NonNullable<ServerConfig['cluster']>,
    readonly directory: ClusterDirectory,
    private readonly bus: RedisBus,
    private readonly log: Log,
  ) {}

  static async open(config: NonNullable<ServerConfig['cluster']>, log: Log): Promise<ClusterWiring> {
    const quiet = throttled(log);
    const onError = (err: Error) => quiet(`redis: ${err.message}`);
    const directory = await RedisDirectory.open(config.redisUrl, onError);
    const bus = await RedisBus.open(config.redisUrl, config.nodeId, onError);
    return new ClusterWiring(config, directory, bus, quiet);
  }

  /**
   * After an outage Redis may have come back empty (a restart without persistence): this node writes again
   * what it holds — its connections, room memberships, and the homes of its rooms and calls.
   */
  resyncFrom(source: { links(): ClientLink[]; rooms(): Room[]; calls(): { tenantKey: string; callId: string }[] }): void {
    const { nodeId } = this.config;
    this.directory.onReconnected(() => {
      const d = this.directory;
      const writes = [
        ...source.links().map((link) => d.addConnection(refOf(link, nodeId))),
        ...source.rooms().flatMap((room) => [
          d.claim('room', clusterRoomKey(room.tenantKey, room.kind, room.roomId), nodeId),
          ...[...room.participants.keys()].map((userId) => d.enteredRoom(room.tenantKey, userId, nodeId)),
        ]),
        ...source.calls().map(({ tenantKey, callId }) => d.claim('call', clusterCallKey(tenantKey, callId), nodeId)),
      ];
      void Promise.all(writes).then(
        () => this.log(`redis is back: wrote ${writes.length} presence and placement entries of this node again`),
        (err) => this.log('redis is back but rewriting this node\'s entries failed', err),
      );
    });
  }

  /** Presence mirrored into the directory, so other nodes can ring this node's clients. */
  presenceObserver(): { added(link: ClientLink): void; removed(link: ClientLink): void } {
    const { nodeId } = this.config;
    const warn = (err: unknown) => this.log('could not update cluster presence', err);
    return {
      added: (link) => void this.directory.addConnection(refOf(link, nodeId)).catch(warn),
      removed: (link) => void this.directory.removeConnection(link.identity.tenant.key, link.identity.userId, link.id).catch(warn),
    };
  }

  /** Ring limits counted for the whole cluster (Redis), not per node. */
  rings(): RingLimiter {
    return new ClusterRings(this.directory);
  }

  /** Calls are findable from every node before they ring; forgotten when their late-answer window closes. */
  callRegistry(): CallRegistry {
    const { nodeId } = this.config;
    return {
      registered: async (tenantKey, callId) => void (await this.directory.claim('call', clusterCallKey(tenantKey, callId), nodeId)),
      changed: (snapshot) => void this.directory.saveCall(clusterCallKey(snapshot.tenantKey, snapshot.callId), snapshot).catch((err) => this.log('could not save a call snapshot', err)),
      ended: (tenantKey, callId) => void this.directory.dropCall(clusterCallKey(tenantKey, callId)).catch((err) => this.log('could not drop a call snapshot', err)),
      unregistered: (tenantKey, callId) => void this.directory.release('call', clusterCallKey(tenantKey, callId), nodeId).catch((err) => this.log('could not release a call home', err)),
    };
  }

  /** The relay, and the cluster-wide user directory calls ring through. */
  start(deps: { graceMs: number; rejoinCall(link: ClientLink, snapshot: CallSnapshot): Promise<Room>; apps: AppRegistry; rooms: RoomRegistry; local: LocalUserDirectory; localLink(id: string): ClientLink | undefined; leaveRoom(link: ClientLink, lost: boolean): void; draining(): boolean; onNodeDied?(node: string, sweeper: boolean): void }): { relay: ClusterRelay; users: UserDirectory; topology: ClusterTopology } {
    const { nodeId, heartbeatMs } = this.config;
    const relay = new ClusterRelay({ node: nodeId, directory: this.directory, bus: this.bus, apps: deps.apps, rooms: deps.rooms, describeLocal: (tenantKey, room) => ClusterTopology.describeLocal(deps.rooms, tenantKey, room), leaveRoom: deps.leaveRoom, localLink: deps.localLink, heartbeatMs, graceMs: deps.graceMs, rejoinCall: deps.rejoinCall, load: () => deps.rooms.participantCount, draining: deps.draining, ...(deps.onNodeDied ? { onNodeDied: deps.onNodeDied } : {}), log: this.log });
    this.relay = relay;
    return { relay, users: new ClusterUserDirectory(deps.local, this.directory, relay), topology: new ClusterTopology(relay, this.directory, deps.rooms) };
  }

  /** Memberships and room homes in the directory follow this node's rooms (after the records: subscribed later). */
  followRooms(rooms: RoomRegistry, relay: ClusterRelay): void {
    const { nodeId } = this.config;
    const warn = (err: unknown) => this.log('could not update the cluster directory', err);
    rooms.events.subscribe((event) => {
      const { room } = event;
      switch (event.type) {
        case 'participantJoined':
          return void this.directory.enteredRoom(room.tenantKey, event.participant.info.userId, nodeId).catch(warn);
        case 'participantLeft':
          void this.directory.leftRoom(room.tenantKey, event.participant.info.userId, nodeId).catch(warn);
          return relay.participantLeft(event.participant.link);
        case 'sessionEnded':
          return void this.directory.release('room', clusterRoomKey(room.tenantKey, room.kind, room.roomId), nodeId).catch(warn);
        default:
          return;
      }
    });
  }
}

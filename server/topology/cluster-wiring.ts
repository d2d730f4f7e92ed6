import type { ServerConfig } from '../config';
import type { AppRegistry } from '../domain/apps';
import type { CallRegistry } from '../domain/calls';
import type { ClientLink } from '../domain/links';
import type { Room, RoomRegistry } from '../domain/rooms';
import type { LocalUserDirectory, UserDirectory } from '../domain/user-directory';
import type { RingLimiter } from '../domain/ring-budget';
import { ClusterUserDirectory } from '../cluster/cluster-users';
import { ClusterRings } from '../cluster/rings';
import type { ClusterDirectory } from '../cluster/directory';
import { ClusterRelay, type ClusterRelayOptions, clusterCallKey, clusterRoomKey } from '../cluster/relay';
import { NodeLink } from '../cluster/node-link';
import { RemoteLinks, refOf } from '../cluster/remote-link';
import { RedisBus, RedisDirectory } from '../store/redis-cluster';
import { ClusterTopology } from './cluster';

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
  /** This node's line to the others: media cascading, ringing and relaying are built with it. */
  readonly link: NodeLink;

  private constructor(
    private readonly config: NonNullable<ServerConfig['cluster']>,
    readonly directory: ClusterDirectory,
    bus: RedisBus,
    private readonly log: Log,
  ) {
    this.link = new NodeLink(config.nodeId, bus, log);
  }

  static async open(config: NonNullable<ServerConfig['cluster']>, log: Log): Promise<ClusterWiring> {
    const quiet = throttled(log);
    const onError = (err: Error) => quiet(`redis: ${err.message}`);
    const directory = await RedisDirectory.open(config.redisUrl, onError);
    const bus = await RedisBus.open(config.redisUrl, config.nodeId, onError);
    return new ClusterWiring(config, directory, bus, quiet);
  }

  /** Closes the bus and the directory's connections (after the relay stopped and left the directory). */
  async close(): Promise<void> {
    await Promise.all([this.link.bus.close(), this.directory.close()]);
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

  /** Connections of other nodes as ClientLinks of this one: ringing reaches them, rooms hold them. */
  remoteLinks(apps: AppRegistry, graceMs: number): RemoteLinks {
    return new RemoteLinks((key) => apps.byKeyOf(key), (node, linkId, notification) => this.link.send(node, { t: 'notify', linkId, notification }), graceMs);
  }

  /** Where users are, cluster-wide (calls ring through it). */
  users(local: LocalUserDirectory, remotes: RemoteLinks): UserDirectory {
    return new ClusterUserDirectory(local, this.directory, this.link, remotes);
  }

  /** The relay (heartbeat, request routing, adoption, recovery) and the Topology signaling and HTTP see. */
  start(deps: Omit<ClusterRelayOptions, 'link' | 'directory' | 'heartbeatMs' | 'log' | 'describeLocal' | 'load'>): { relay: ClusterRelay; topology: ClusterTopology } {
    const relay = new ClusterRelay({
      ...deps,
      link: this.link,
      directory: this.directory,
      heartbeatMs: this.config.heartbeatMs,
      load: () => deps.rooms.participantCount,
      describeLocal: (tenantKey, room) => ClusterTopology.describeLocal(deps.rooms, tenantKey, room),
      log: this.log,
    });
    return { relay, topology: new ClusterTopology(relay, this.directory, deps.rooms) };
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

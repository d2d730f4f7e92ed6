import type { CallSnapshot } from '../domain/call-snapshot';
import type { Grants } from '../domain/tokens';

/** A connection as other nodes see it: enough to ring it and to act for it (no socket, no tenant object). */
export interface LinkRef {
  id: string;
  /** The node holding its WebSocket. */
  node: string;
  tenantKey: string;
  userId: string;
  name?: string;
  avatarUrl?: string;
  grants: Grants;
  expiresAt: number;
}

/** What the cluster shares about one node: how loaded it is, and whether it takes new calls and rooms. */
export interface NodeInfo {
  id: string;
  /** Participants in its rooms plus connections it holds (placement picks the lowest). */
  load: number;
  draining: boolean;
}

/** A client session as the cluster knows it, by resume token: another node can continue it if its node dies. */
export interface SessionRecord {
  linkId: string;
  node: string;
  tenantKey: string;
  userId: string;
  /** The node whose room the client is in, when not its own. */
  attached?: string;
  /** The room it is in (wherever that is): continued elsewhere if the room's node dies. */
  room?: RoomRef;
}

/** A room by kind and RoomID (a call's room: kind `call`, RoomID = CallID). */
export interface RoomRef {
  roomId: string;
  kind: 'call' | 'conference' | 'live';
}

/** What lives somewhere: a call (by CallID) or a room (by kind and RoomID), per tenant. */
export type HomeKind = 'call' | 'room';

/**
 * The cluster's shared state (Redis in production, see store/redis-directory.ts): who is connected where,
 * who is in a room, which node holds each call and room, and which nodes are alive. Every method may fail
 * when the store is unreachable; callers turn that into `cluster_unavailable`.
 */
export interface ClusterDirectory {
  addConnection(link: LinkRef): Promise<void>;
  /**
   * Takes rings from the caller's and each callee's counter for the cluster at once, or takes none and says
   * which bound is reached (`over`: 'caller', or the index of the callee) and when its window ends.
   */
  takeRings(tenantKey: string, callerId: string, callees: readonly string[], bounds: { perCaller: number; perCallee: number; windowMs: number }): Promise<{ over: 'caller' | number; resetInMs: number } | undefined>;
  removeConnection(tenantKey: string, userId: string, linkId: string): Promise<void>;
  connectionsOf(tenantKey: string, userId: string): Promise<LinkRef[]>;
  /** The user is in a room on `node` (one room per user, cluster-wide). */
  enteredRoom(tenantKey: string, userId: string, node: string): Promise<void>;
  leftRoom(tenantKey: string, userId: string, node: string): Promise<void>;
  /** The node whose room the user is in, if any. */
  roomNodeOf(tenantKey: string, userId: string): Promise<string | undefined>;
  /** Records `node` as the home of `key` unless it has one; returns the home (first claim wins). */
  claim(kind: HomeKind, key: string, node: string): Promise<string>;
  homeOf(kind: HomeKind, key: string): Promise<string | undefined>;
  /** Forgets the home of `key` if it is still `node` (a newer claim is left alone). */
  release(kind: HomeKind, key: string, node: string): Promise<void>;
  /** Makes `node` the home of `key` whatever it was (a call continued on `node` after its node died). */
  assign(kind: HomeKind, key: string, node: string): Promise<void>;
  saveCall(key: string, snapshot: CallSnapshot): Promise<void>;
  callOf(key: string): Promise<CallSnapshot | undefined>;
  dropCall(key: string): Promise<void>;
  saveSession(resumeToken: string, record: SessionRecord, ttlMs: number): Promise<void>;
  sessionOf(resumeToken: string): Promise<SessionRecord | undefined>;
  dropSession(resumeToken: string): Promise<void>;
  /** This node is alive with this load; a node that stops beating is dead after `ttlMs`. */
  heartbeat(info: NodeInfo, ttlMs: number): Promise<void>;
  liveNodes(): Promise<NodeInfo[]>;
  /** This node stops (clean shutdown): it is dead at once, and so are its connections. */
  leave(node: string): Promise<void>;
  /** Called each time the store comes back after an outage (it may have lost everything: write it again). */
  onReconnected(listener: () => void): void;
  close(): Promise<void>;
}

/** What one heartbeat tells a node about the others (see `judgeLiveness`). */
export interface Liveness {
  /** Nodes to route to: alive, or suspects not yet dead. */
  nodes: NodeInfo[];
  suspects: Map<string, { info: NodeInfo; since: number }>;
  /** Nodes declared dead by this beat. */
  dead: string[];
}

/**
 * Who is alive after a heartbeat that read `fresh` (nodes whose heartbeat key has not expired). A node that
 * went missing is a suspect — still routed to — and dead once missing for 1.5 beats while this node's own beats
 * succeeded for 2.5 beats: a Redis that restarted empty, or an outage, never makes a node look dead.
 */
export function judgeLiveness(previous: Liveness, fresh: NodeInfo[], now: number, lastFailedBeat: number, beatMs: number): Liveness {
  const isFresh = (id: string) => fresh.some((n) => n.id === id);
  const suspects = new Map([...previous.suspects].filter(([id]) => !isFresh(id)));
  for (const n of previous.nodes) if (!isFresh(n.id) && !suspects.has(n.id)) suspects.set(n.id, { info: n, since: now });
  const trusted = now - lastFailedBeat > beatMs * 2.5;
  const dead = [...suspects].filter(([, s]) => trusted && now - s.since >= beatMs * 1.5).map(([id]) => id);
  for (const id of dead) suspects.delete(id);
  return { nodes: [...fresh, ...[...suspects.values()].map((s) => s.info)], suspects, dead };
}

/** Picks where a new call or room goes: the least-loaded live node that is not draining; this node on a tie. */
export function placeOn(nodes: readonly NodeInfo[], self: string): string {
  const open = nodes.filter((n) => !n.draining);
  if (open.length === 0) return self;
  const least = Math.min(...open.map((n) => n.load));
  return open.find((n) => n.id === self && n.load === least)?.id ?? open.find((n) => n.load === least)!.id;
}

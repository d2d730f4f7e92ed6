import { Redis } from 'ioredis';
import type { BusMessage, NodeBus } from '../cluster/bus';
import type { ClusterDirectory, HomeKind, LinkRef, NodeInfo, SessionRecord } from '../cluster/directory';
import type { CallSnapshot } from '../domain/call-snapshot';

/** Homes and room memberships outlive no day: a node that died without cleaning up leaves no key forever. */
const SAFETY_TTL_MS = 24 * 3_600_000;
const P = 'cw:';
const users = (tenantKey: string, userId: string) => `${tenantKey}\u0000${userId}`;

/** Deletes a key only while it still holds the value this node wrote (a newer writer's key is left alone). */
const DELETE_IF = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
/** The key's value, or — when it has none — ARGV[1], written with a TTL: the first claim wins. */
/**
 * Ring counters, checked and taken at once (fixed windows from a key's first count, as WindowCounter):
 * KEYS[1] the caller's, KEYS[2..] the callees'; ARGV: rings asked, per-caller bound, per-callee bound, window.
 * Returns {0, 0} when taken, else {index of the key over its bound (1-based), ms until its window ends}.
 */
const TAKE_RINGS = `
local asked = tonumber(ARGV[1])
if tonumber(redis.call('get', KEYS[1]) or '0') + asked > tonumber(ARGV[2]) then return {1, redis.call('pttl', KEYS[1])} end
for i = 2, #KEYS do
  if tonumber(redis.call('get', KEYS[i]) or '0') >= tonumber(ARGV[3]) then return {i, redis.call('pttl', KEYS[i])} end
end
if redis.call('incrby', KEYS[1], asked) == asked then redis.call('pexpire', KEYS[1], ARGV[4]) end
for i = 2, #KEYS do
  if redis.call('incr', KEYS[i]) == 1 then redis.call('pexpire', KEYS[i], ARGV[4]) end
end
return {0, 0}`;
const CLAIM = "local v = redis.call('get', KEYS[1]) if v then return v end redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) return ARGV[1]";

/**
 * Commands fail fast when Redis is away (no offline queue, 2 s deadline): the caller answers `cluster_unavailable`
 * instead of leaving a client's request hanging; ioredis keeps reconnecting in the background.
 */
function connect(url: string, onError: (err: Error) => void): Redis {
  const redis = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 2000, retryStrategy: (times) => Math.min(times * 100, 1000) });
  redis.on('error', onError);
  return redis;
}

/** The cluster directory on Redis (hashes per user, one key per home, a TTL key per live node). */
export class RedisDirectory implements ClusterDirectory {
  private constructor(private readonly redis: Redis) {}

  static async open(url: string, onError: (err: Error) => void): Promise<RedisDirectory> {
    const redis = connect(url, onError);
    await redis.connect();
    return new RedisDirectory(redis);
  }

  async takeRings(tenantKey: string, callerId: string, callees: readonly string[], bounds: { perCaller: number; perCallee: number; windowMs: number }): Promise<{ over: 'caller' | number; resetInMs: number } | undefined> {
    const keys = [`${P}rings:by:${users(tenantKey, callerId)}`, ...callees.map((u) => `${P}rings:to:${users(tenantKey, u)}`)];
    const [index, ttl] = (await this.redis.eval(TAKE_RINGS, keys.length, ...keys, callees.length, bounds.perCaller, bounds.perCallee, bounds.windowMs)) as [number, number];
    if (index === 0) return undefined;
    return { over: index === 1 ? 'caller' : index - 2, resetInMs: Math.max(0, ttl) };
  }

  async addConnection(link: LinkRef): Promise<void> {
    await this.redis
      .multi()
      .hset(`${P}conns:${users(link.tenantKey, link.userId)}`, link.id, JSON.stringify(link))
      .sadd(`${P}nodeconns:${link.node}`, `${users(link.tenantKey, link.userId)}\u0000${link.id}`)
      .exec();
  }

  async removeConnection(tenantKey: string, userId: string, linkId: string): Promise<void> {
    const refs = await this.redis.hget(`${P}conns:${users(tenantKey, userId)}`, linkId);
    const node = refs ? (JSON.parse(refs) as LinkRef).node : undefined;
    const tx = this.redis.multi().hdel(`${P}conns:${users(tenantKey, userId)}`, linkId);
    if (node) tx.srem(`${P}nodeconns:${node}`, `${users(tenantKey, userId)}\u0000${linkId}`);
    await tx.exec();
  }

  async connectionsOf(tenantKey: string, userId: string): Promise<LinkRef[]> {
    const all = await this.redis.hgetall(`${P}conns:${users(tenantKey, userId)}`);
    return Object.values(all).map((v) => JSON.parse(v) as LinkRef);
  }

  async enteredRoom(tenantKey: string, userId: string, node: string): Promise<void> {
    await this.redis.set(`${P}inroom:${users(tenantKey, userId)}`, node, 'PX', SAFETY_TTL_MS);
  }

  async leftRoom(tenantKey: string, userId: string, node: string): Promise<void> {
    await this.redis.eval(DELETE_IF, 1, `${P}inroom:${users(tenantKey, userId)}`, node);
  }

  async roomNodeOf(tenantKey: string, userId: string): Promise<string | undefined> {
    return (await this.redis.get(`${P}inroom:${users(tenantKey, userId)}`)) ?? undefined;
  }

  async claim(kind: HomeKind, key: string, node: string): Promise<string> {
    return String(await this.redis.eval(CLAIM, 1, `${P}home:${kind}:${key}`, node, SAFETY_TTL_MS));
  }

  async homeOf(kind: HomeKind, key: string): Promise<string | undefined> {
    return (await this.redis.get(`${P}home:${kind}:${key}`)) ?? undefined;
  }

  async release(kind: HomeKind, key: string, node: string): Promise<void> {
    await this.redis.eval(DELETE_IF, 1, `${P}home:${kind}:${key}`, node);
  }

  async assign(kind: HomeKind, key: string, node: string): Promise<void> {
    await this.redis.set(`${P}home:${kind}:${key}`, node, 'PX', SAFETY_TTL_MS);
  }

  async saveCall(key: string, snapshot: CallSnapshot): Promise<void> {
    await this.redis.set(`${P}callstate:${key}`, JSON.stringify(snapshot), 'PX', SAFETY_TTL_MS);
  }

  async callOf(key: string): Promise<CallSnapshot | undefined> {
    const value = await this.redis.get(`${P}callstate:${key}`);
    return value ? (JSON.parse(value) as CallSnapshot) : undefined;
  }

  async dropCall(key: string): Promise<void> {
    await this.redis.del(`${P}callstate:${key}`);
  }

  async saveSession(resumeToken: string, record: SessionRecord, ttlMs: number): Promise<void> {
    await this.redis.set(`${P}session:${resumeToken}`, JSON.stringify(record), 'PX', ttlMs);
  }

  async sessionOf(resumeToken: string): Promise<SessionRecord | undefined> {
    const value = await this.redis.get(`${P}session:${resumeToken}`);
    return value ? (JSON.parse(value) as SessionRecord) : undefined;
  }

  async dropSession(resumeToken: string): Promise<void> {
    await this.redis.del(`${P}session:${resumeToken}`);
  }

  async heartbeat(info: NodeInfo, ttlMs: number): Promise<void> {
    await this.redis.multi().set(`${P}node:${info.id}`, JSON.stringify(info), 'PX', ttlMs).sadd(`${P}nodes`, info.id).exec();
  }

  async liveNodes(): Promise<NodeInfo[]> {
    const ids = await this.redis.smembers(`${P}nodes`);
    if (ids.length === 0) return [];
    const values = await this.redis.mget(...ids.map((id) => `${P}node:${id}`));
    return values.flatMap((v) => (v ? [JSON.parse(v) as NodeInfo] : []));
  }

  async leave(node: string): Promise<void> {
    const conns = await this.redis.smembers(`${P}nodeconns:${node}`);
    const tx = this.redis.multi().del(`${P}node:${node}`).srem(`${P}nodes`, node).del(`${P}nodeconns:${node}`);
    for (const entry of conns) {
      const cut = entry.lastIndexOf('\u0000');
      tx.hdel(`${P}conns:${entry.slice(0, cut)}`, entry.slice(cut + 1));
    }
    await tx.exec();
  }

  /** The first connection is made in `open`, so every later `ready` is a reconnection. */
  onReconnected(listener: () => void): void {
    this.redis.on('ready', listener);
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

/** Node-to-node messages on Redis pub/sub: each node subscribes to its own channel. */
export class RedisBus implements NodeBus {
  private handler: (message: BusMessage) => void = () => undefined;

  private constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
  ) {}

  static async open(url: string, node: string, onError: (err: Error) => void): Promise<RedisBus> {
    const pub = connect(url, onError);
    // The subscriber queues its SUBSCRIBE across reconnects (ioredis resubscribes by itself).
    const sub = new Redis(url, { lazyConnect: true, retryStrategy: (times) => Math.min(times * 100, 1000) });
    sub.on('error', onError);
    await Promise.all([pub.connect(), sub.connect()]);
    const bus = new RedisBus(pub, sub);
    sub.on('messageBuffer', (_channel: Buffer, data: Buffer) => {
      let message: BusMessage;
      try {
        message = JSON.parse(data.toString('utf8')) as BusMessage;
      } catch {
        onError(new Error('dropped a bus message that is not JSON'));
        return;
      }
      bus.handler(message);
    });
    await sub.subscribe(`${P}bus:${node}`);
    return bus;
  }

  async send(node: string, message: BusMessage): Promise<void> {
    await this.pub.publish(`${P}bus:${node}`, JSON.stringify(message));
  }

  onMessage(handler: (message: BusMessage) => void): void {
    this.handler = handler;
  }

  get connected(): boolean {
    return this.pub.status === 'ready' && this.sub.status === 'ready';
  }

  async close(): Promise<void> {
    this.sub.disconnect();
    this.pub.disconnect();
  }
}

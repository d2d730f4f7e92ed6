import { after, before } from 'node:test';
import { testPostgres } from './record-databases';
import { startRedis, type TestRedis } from './redis';
import { startServer, type TestServer } from './server';
import { until } from './until';

type NodeOptions = Omit<NonNullable<Parameters<typeof startServer>[0]>, 'cluster'>;

/** Nodes `ids` of one cluster on `redisUrl` (each a real server), once every node sees all the others. */
export async function startNodes(redisUrl: string, ids: string[], options: NodeOptions = {}): Promise<TestServer[]> {
  const nodes: TestServer[] = [];
  for (const nodeId of ids) nodes.push(await startServer({ ...options, cluster: { redisUrl, nodeId } }));
  await until('every node to see the others', () => (nodes.every((node) => ids.every((id) => node.app.services.topology.isLive(id))) ? true : undefined), 5000);
  return nodes;
}

export interface ClusterFixture {
  readonly redis: TestRedis;
  readonly nodes: TestServer[];
  /** Closed with the suite (before the nodes). */
  closeLater(closable: { close(): unknown }): void;
}

/**
 * One cluster for a suite: a real redis-server, nodes `ids` (real servers in this process) that see each
 * other before the first test, and — with `database` — one PostgreSQL database they share, as a deployment
 * has. Everything is closed after the suite, in reverse.
 */
export function useCluster(ids: string[], options: NodeOptions & { database?: string } = {}): ClusterFixture {
  let redis: TestRedis | undefined;
  const nodes: TestServer[] = [];
  const closables: { close(): unknown }[] = [];
  before(async () => {
    redis = await startRedis();
    const { database, ...nodeOptions } = options;
    const databaseUrl = database ? await (await testPostgres()).createDatabase(database) : undefined;
    nodes.push(...(await startNodes(redis.url, ids, { ...nodeOptions, ...(databaseUrl ? { databaseUrl } : {}) })));
  });
  after(async () => {
    for (const c of closables.splice(0).reverse()) await c.close();
    for (const node of nodes) await node.close();
    await redis?.close();
  });
  return {
    get redis() {
      if (!redis) throw new Error('cluster not started');
      return redis;
    },
    nodes,
    closeLater: (closable) => void closables.push(closable),
  };
}

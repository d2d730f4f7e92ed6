import { startServer, type TestServer } from './server';
import { until } from './until';

/** Nodes `ids` of one cluster on `redisUrl` (each a real server), once every node sees all the others. */
export async function startNodes(redisUrl: string, ids: string[], options: Omit<NonNullable<Parameters<typeof startServer>[0]>, 'cluster'> = {}): Promise<TestServer[]> {
  const nodes: TestServer[] = [];
  for (const nodeId of ids) nodes.push(await startServer({ ...options, cluster: { redisUrl, nodeId } }));
  await until('every node to see the others', () => (nodes.every((node) => ids.every((id) => node.app.services.topology.isLive(id))) ? true : undefined), 5000);
  return nodes;
}

import fp from 'fastify-plugin';
import { ConfigError, type ServerConfig } from '../config';
import { ClusterWiring } from '../topology/cluster-wiring';

declare module 'fastify' {
  interface FastifyInstance {
    /** REDIS_URL set: this node's connection to the cluster (directory, bus, liveness); undefined on one node. */
    cluster: ClusterWiring | undefined;
  }
}

/**
 * The cluster's shared directory and bus on Redis, opened before media and the domain are built: both are
 * built with this node's line to the others (cascading, ringing across nodes, relaying). Nothing on one node.
 */
export const clusterPlugin = fp<{ config: ServerConfig }>(
  async (app, { config }) => {
    const settings = config.cluster;
    const cluster = settings
      ? await ClusterWiring.open(settings, (message, err) => app.log.warn(err instanceof Error ? { reason: err.message } : {}, message)).catch((err: Error) => {
          throw new ConfigError(`REDIS_URL ${settings.redisUrl} cannot be reached (${err.message})`);
        })
      : undefined;
    app.decorate('cluster', cluster);
    if (cluster) app.addHook('onClose', () => cluster.close());
  },
  { name: 'cluster' },
);

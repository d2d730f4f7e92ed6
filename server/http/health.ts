import type { FastifyPluginAsync } from 'fastify';
import { HealthResponse } from '../../protocol/http';
import type { Services } from '../services';

/** GET /healthz: each worker's pid and liveness; 503 when a worker is dead so load balancers notice. */
export const healthRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/healthz',
    { schema: { tags: ['ops'], summary: 'Liveness of the server and its media workers', response: { 200: HealthResponse, 503: HealthResponse } } },
    async (_req, reply) => {
      const healthy = services.pool.healthy;
      return reply.code(healthy ? 200 : 503).send({
        status: healthy ? 'ok' : 'degraded',
        workers: services.pool.health(),
        rooms: services.rooms.size,
        connections: services.presence.connectionCount,
        uptimeSeconds: Math.round(process.uptime()),
      });
    },
  );
};

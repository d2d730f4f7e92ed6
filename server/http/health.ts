import type { FastifyPluginAsync } from 'fastify';
import { HealthResponse, ReadinessResponse } from '../../protocol/http';
import type { Services } from '../services';

/**
 * GET /healthz (liveness): each worker's pid and liveness; 503 when a worker is dead. GET /readyz (readiness):
 * whether to send new users here — 503 while a worker is being replaced, with no app configured, or once
 * shutdown has begun — so a proxy or orchestrator drains this node without restarting it.
 */
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
  app.get(
    '/readyz',
    { schema: { tags: ['ops'], summary: 'Readiness: whether this node should get new users', response: { 200: ReadinessResponse, 503: ReadinessResponse } } },
    async (_req, reply) => {
      const reasons = [
        ...(services.pool.healthy ? [] : ['a media worker is down']),
        ...(services.apps.apps.length > 0 ? [] : ['no app is configured']),
        ...(services.lifecycle.shuttingDown ? ['shutting down'] : []),
      ];
      return reply.code(reasons.length === 0 ? 200 : 503).send({ ready: reasons.length === 0, reasons });
    },
  );
};

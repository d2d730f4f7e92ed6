import type { FastifyPluginAsync } from 'fastify';
import { HealthResponse, ReadinessResponse } from '../../protocol/http';
import type { Services } from '../services';

/**
 * GET /healthz (liveness, public): alive or not — 503 when a media worker is dead; counts and worker details
 * are the operator's (`/status` and `/metrics`, see metrics.ts), not anyone's. GET /readyz (readiness):
 * whether to send new users here — 503 while a worker is being replaced, with no app configured, or once
 * shutdown has begun — so a proxy or orchestrator drains this node without restarting it.
 */
export const healthRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/healthz',
    { schema: { tags: ['ops'], summary: 'Liveness of the server and its media workers', response: { 200: HealthResponse, 503: HealthResponse } } },
    async (_req, reply) => {
      const healthy = services.pool.healthy;
      return reply.code(healthy ? 200 : 503).send({ status: healthy ? 'ok' : 'degraded' });
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

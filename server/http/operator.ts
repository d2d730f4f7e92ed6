import { timingSafeEqual } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyPluginAsync } from 'fastify';
import type { StatusResponse } from '../../protocol/http';
import type { Services } from '../services';
import type { ServerMetrics } from './metrics';

/** What only the operator sees: Prometheus metrics and this node's status (workers, load, uptime). */
export interface OperatorView {
  metrics: ServerMetrics;
  services: Services;
}

export function statusOf(services: Services): StatusResponse {
  return {
    status: services.pool.healthy ? 'ok' : 'degraded',
    workers: services.pool.health(),
    rooms: services.rooms.size,
    connections: services.presence.connectionCount,
    uptimeSeconds: Math.round(process.uptime()),
  };
}

const sameSecret = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * GET /metrics (Prometheus text) and GET /status (JSON) on the main port. Not public: they answer only with
 * `Authorization: Bearer <METRICS_TOKEN>` and do not exist (404) when no METRICS_TOKEN is configured.
 */
export const operatorRoutes: FastifyPluginAsync<OperatorView & { token: string | undefined }> = async (app, { metrics, services, token }) => {
  if (!token) return;
  app.addHook('onRequest', async (req, reply) => {
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ') || !sameSecret(auth.slice(7), token)) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ code: 'unauthorized', message: 'send Authorization: Bearer <METRICS_TOKEN>' });
    }
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
  app.get('/status', { schema: { hide: true } }, async () => statusOf(services));
};

/**
 * The separate operator listener (`METRICS_PORT`): GET /metrics and GET /status without a token, nothing
 * else. Kept off the public port so a scraper on a private network or loopback needs no secret.
 */
export async function listenOperator({ metrics, services }: OperatorView, host: string, port: number): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === '/status') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(statusOf(services)));
      return;
    }
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics and GET /status here\n');
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}

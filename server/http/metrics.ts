import { timingSafeEqual } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyPluginAsync } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Services } from '../services';

export interface ServerMetrics {
  registry: Registry;
  /** Called for every signaling request (see SignalingContext.observeRequest). */
  observeRequest(type: string, outcome: 'ok' | 'error', seconds: number): void;
}

/**
 * Prometheus metrics (prom-client): live state is read when scraped (gauges with collect), signaling requests
 * are counted as they happen. One registry per server instance, so tests with several servers do not collide.
 */
export function createMetrics(services: Services): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'call_widget_' });
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({ name, help, registers: [registry], collect() { this.set(read()); } }); // prettier-ignore
  gauge('call_widget_connections', 'Connected signaling sockets', () => services.presence.connectionCount);
  gauge('call_widget_rooms', 'Rooms with a live session (calls, conferences, live rooms)', () => services.rooms.size);
  new Gauge({
    name: 'call_widget_calls',
    help: 'Live calls by state',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      for (const [state, n] of Object.entries(services.calls.countByPhase())) this.set({ state }, n);
    },
  });
  gauge('call_widget_calls_preparing', 'Callees preparing media while their call rings', () => services.rooms.preparedCount);
  gauge('call_widget_webhook_backlog', 'Webhook deliveries not yet delivered or failed for good', () => services.outbox.pendingCount);
  gauge('call_widget_webhook_failed', 'Webhook deliveries that failed for good (all retries used)', () => services.outbox.failedCount);
  /** One gauge with a `worker` label, filled from the pool's plain per-worker data when scraped. */
  const perWorker = (name: string, help: string, read: () => { index: number; value: number }[] | Promise<{ index: number; value: number }[]>) =>
    new Gauge({
      name,
      help,
      labelNames: ['worker'],
      registers: [registry],
      async collect() {
        for (const w of await read()) this.set({ worker: String(w.index) }, w.value);
      },
    });
  perWorker('call_widget_worker_alive', '1 when the media worker of this slot is alive', () => services.pool.health().map((w) => ({ index: w.index, value: w.alive ? 1 : 0 })));
  perWorker('call_widget_worker_routers', 'Routers (rooms) on each media worker', () => services.pool.health().map((w) => ({ index: w.index, value: w.routers })));
  perWorker('call_widget_worker_transports', 'Open transports on each media worker', () => services.pool.transportCounts().map((w) => ({ index: w.index, value: w.transports })));
  perWorker('call_widget_worker_cpu_seconds', 'CPU time (user + system) used by each media worker', async () => (await services.pool.resourceUsage()).map((u) => ({ index: u.index, value: u.cpuSeconds })));
  perWorker('call_widget_worker_max_rss_bytes', 'Peak resident memory of each media worker', async () => (await services.pool.resourceUsage()).map((u) => ({ index: u.index, value: u.maxRssBytes })));
  const latency = new Histogram({
    name: 'call_widget_signaling_request_seconds',
    help: 'Signaling request handling time by request type and outcome',
    labelNames: ['type', 'outcome'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const errors = new Counter({ name: 'call_widget_signaling_request_errors_total', help: 'Signaling requests answered with an error', labelNames: ['type'], registers: [registry] });
  return {
    registry,
    observeRequest(type, outcome, seconds) {
      latency.observe({ type, outcome }, seconds);
      if (outcome === 'error') errors.inc({ type });
    },
  };
}

const sameSecret = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * GET /metrics in Prometheus text format. Not public: it answers only with `Authorization: Bearer <METRICS_TOKEN>`
 * and does not exist (404) when no METRICS_TOKEN is configured.
 */
export const metricsRoutes: FastifyPluginAsync<{ metrics: ServerMetrics; token: string | undefined }> = async (app, { metrics, token }) => {
  if (!token) return;
  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ') || !sameSecret(auth.slice(7), token)) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ code: 'unauthorized', message: 'send Authorization: Bearer <METRICS_TOKEN>' });
    }
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
};

/**
 * The separate metrics listener (`METRICS_PORT`): GET /metrics without a token, nothing else. Kept off the
 * public port so a scraper on a private network or loopback needs no secret and users cannot reach it.
 */
export async function listenMetrics(metrics: ServerMetrics, host: string, port: number): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics here\n');
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

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Services } from '../services';
import { countByPhase } from '../domain/call-snapshot';

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
  const gauge = (name: string, help: string, read: () => number | Promise<number>) =>
    new Gauge({ name, help, registers: [registry], async collect() { this.set(await read()); } }); // prettier-ignore
  gauge('call_widget_connections', 'Connected signaling sockets', () => services.presence.connectionCount);
  gauge('call_widget_rooms', 'Rooms with a live session (calls, conferences, live rooms)', () => services.rooms.size);
  new Gauge({
    name: 'call_widget_calls',
    help: 'Live calls by state',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      for (const [state, n] of Object.entries(countByPhase(services.calls.live()))) this.set({ state }, n);
    },
  });
  gauge('call_widget_calls_preparing', 'Callees preparing media while their call rings', () => services.rooms.preparedCount);
  gauge('call_widget_webhook_backlog', 'Webhook deliveries not yet delivered or failed for good', () => services.outbox.pendingCount().catch(() => Number.NaN));
  gauge('call_widget_webhook_failed', 'Webhook deliveries that failed for good (all retries used)', () => services.outbox.failedCount().catch(() => Number.NaN));
  gauge('call_widget_records_waiting', 'Call records waiting to be written (the records database is slow or unreachable)', () => services.recordsWaiting());
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

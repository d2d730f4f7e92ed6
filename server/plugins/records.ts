import fp from 'fastify-plugin';
import { ConfigError, type ServerConfig } from '../config';
import { CallRecordStore } from '../store/call-records';
import { openRecordDatabase } from '../store/database';
import { LifecycleRecorder } from '../store/recorder';
import { pruneRecords } from '../store/retention';
import { WebhookOutbox } from '../store/webhook-outbox';
import { WebhookDispatcher } from '../webhooks/dispatcher';
import { targetUrlProblem } from '../webhooks/target-guard';
import type { BuildOptions } from './build-options';

/** Call and session records, the webhook outbox and its sender, over SQLite or PostgreSQL. */
export interface Records {
  store: CallRecordStore;
  outbox: WebhookOutbox;
  /** Lifecycle events go in here; calls never wait for the database. */
  recorder: LifecycleRecorder;
}

declare module 'fastify' {
  interface FastifyInstance {
    records: Records;
  }
}

/**
 * Records: opens the database (DATABASE_URL or SQLite), ends what the previous run of this node left open,
 * starts the webhook dispatcher and the hourly pruning. Closed last: what the others recorded while closing is
 * written and its webhooks attempted before the database goes.
 */
export const recordsPlugin = fp<{ config: ServerConfig; options: BuildOptions }>(
  async (app, { config, options }) => {
    const registry = app.apps;
    const nodeId = config.cluster?.nodeId ?? config.nodeId ?? 'local';
    const db = await openRecordDatabase(config, (err) => app.log.warn({ reason: err.message }, 'records database connection lost; writes are kept and retried')).catch((err: Error) => {
      if (!config.databaseUrl) throw err;
      throw new ConfigError(`DATABASE_URL ${config.databaseUrl.replace(/:[^:@/]*@/, ':***@')} cannot be used (${err.message})`);
    });
    const store = new CallRecordStore(db, nodeId);
    const outbox = new WebhookOutbox(db);
    const dispatcher = new WebhookDispatcher(outbox, {
      secretFor: (tenantKey) => registry.byKeyOf(tenantKey)?.settings.webhooks.secret,
      ...(options.webhookRetryScheduleMs ? { retryScheduleMs: options.webhookRetryScheduleMs } : {}),
      ...(options.webhookPollMs ? { pollMs: options.webhookPollMs } : {}),
      log: (message, details) => app.log.warn(details ?? {}, message),
      timeoutMs: config.webhooks.timeoutMs,
      allowPrivate: config.webhooks.allowPrivate,
    });
    for (const tenant of registry.tenants()) {
      for (const url of tenant.settings.webhooks.urls) {
        const problem = targetUrlProblem(url, config.webhooks.allowPrivate);
        if (problem) app.log.warn(`webhook URL ${url} of ${tenant.settings.appKey} will not be delivered to: ${problem}`);
      }
    }
    const recorder = new LifecycleRecorder(db, store, outbox, {
      webhookUrls: (tenantKey) => registry.byKeyOf(tenantKey)?.settings.webhooks.urls ?? [],
      onQueued: () => dispatcher.kick(),
      onError: (err, event) => app.log.error({ err, event }, 'could not store a call record'),
      onAvailability: (available, pending) =>
        available ? app.log.warn(`records database reachable again: ${pending} waiting record(s) being written`) : app.log.error(`records database unreachable: call records are kept in memory (${pending} waiting) and written when it returns`),
    });
    store.readsAfter(() => recorder.drained(2000));
    const leftOpen = await recorder.closeLeftOpen();
    if (leftOpen.calls + leftOpen.sessions > 0) {
      app.log.warn(`closed ${leftOpen.calls} call(s) and ${leftOpen.sessions} session(s) left open by the previous run (reason server_restart)`);
    }
    dispatcher.start();
    // Records are not kept forever: what ended before the retention goes, at start and then hourly.
    const prune = async () => {
      if (config.retentionDays === 0) return;
      try {
        const pruned = await pruneRecords(db, config.retentionDays * 86_400_000);
        if (pruned.calls + pruned.deliveries + pruned.sessions > 0) app.log.info({ pruned }, `pruned records older than ${config.retentionDays} days`);
      } catch (error) {
        app.log.error({ err: error }, 'pruning old records failed');
      }
    };
    await prune();
    const pruneTimer = setInterval(() => void prune(), 3_600_000).unref();

    app.decorate('records', { store, outbox, recorder });
    app.addHook('onClose', async () => {
      clearInterval(pruneTimer);
      // What the drain did not see finish is recorded as ended now (reason server_restart), and its webhooks
      // are attempted before the process goes (dispatcher.stop waits for attempts in flight).
      const open = await recorder.closeLeftOpen();
      if (open.calls + open.sessions > 0) app.log.warn(`ended ${open.calls} call(s) and ${open.sessions} session(s) still running at shutdown (reason server_restart)`);
      await dispatcher.flush(5000);
      await dispatcher.stop();
      await recorder.drained();
      await db.close();
    });
  },
  { name: 'records', dependencies: ['apps'] },
);

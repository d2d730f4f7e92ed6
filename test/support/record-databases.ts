// The record store's tests run once per database it supports: the embedded SQLite and a real PostgreSQL.
import { randomUUID } from 'node:crypto';
import type { LifecycleEvent, TenantRef } from '../../server/domain/lifecycle';
import { CallRecordStore } from '../../server/store/call-records';
import { openPostgres } from '../../server/store/postgres-client';
import { LifecycleRecorder } from '../../server/store/recorder';
import type { SqlClient, SqlDialect } from '../../server/store/sql';
import { openSqlite } from '../../server/store/sqlite-client';
import { WebhookOutbox } from '../../server/store/webhook-outbox';
import { startPostgres, type TestPostgres } from './postgres';

export const DIALECTS: readonly SqlDialect[] = ['sqlite', 'postgres'];

let shared: Promise<TestPostgres> | undefined;

/** One PostgreSQL per test process, started on first use and stopped when the process ends. */
export function testPostgres(): Promise<TestPostgres> {
  if (!shared) {
    shared = startPostgres().then((p) => {
      p.stopAtExit();
      return p;
    });
  }
  return shared;
}

/** An empty records database of `dialect` (a fresh PostgreSQL database each time). */
export async function openTestDatabase(dialect: SqlDialect): Promise<SqlClient> {
  if (dialect === 'sqlite') return openSqlite(':memory:');
  const url = await (await testPostgres()).createDatabase(`t_${randomUUID().replaceAll('-', '')}`);
  return openPostgres(url, () => undefined);
}

/** The store, outbox and recorder over `db`, as the server wires them; `write` resolves once stored. */
export function recordsOn(db: SqlClient, options: { node?: string; webhookUrls?: readonly string[]; now?: () => number } = {}) {
  const records = new CallRecordStore(db, options.node ?? 'node-a');
  const outbox = new WebhookOutbox(db);
  const recorder = new LifecycleRecorder(db, records, outbox, {
    webhookUrls: () => options.webhookUrls ?? [],
    onQueued: () => undefined,
    onError: (error) => {
      throw error;
    },
    ...(options.now ? { now: options.now } : {}),
  });
  const write = async (tenant: TenantRef, events: readonly LifecycleEvent[]) => {
    recorder.record(tenant, events);
    await recorder.drained();
  };
  return { records, outbox, recorder, write };
}

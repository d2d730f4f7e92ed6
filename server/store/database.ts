import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

export type Db = Database.Database;

/** Schema versions, applied in order; `PRAGMA user_version` records how many ran. Never edit a shipped one. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE sessions (
    tenant_key TEXT NOT NULL, session_id TEXT NOT NULL, app_id TEXT NOT NULL, environment TEXT NOT NULL,
    room_id TEXT NOT NULL, kind TEXT NOT NULL, started_at INTEGER NOT NULL, ended_at INTEGER, end_reason TEXT,
    PRIMARY KEY (tenant_key, session_id)
  );
  CREATE INDEX sessions_open ON sessions (ended_at) WHERE ended_at IS NULL;
  CREATE TABLE session_participants (
    id INTEGER PRIMARY KEY, tenant_key TEXT NOT NULL, session_id TEXT NOT NULL, user_id TEXT NOT NULL,
    name TEXT, role TEXT NOT NULL, joined_at INTEGER NOT NULL, left_at INTEGER
  );
  CREATE INDEX session_participants_session ON session_participants (tenant_key, session_id);
  CREATE TABLE calls (
    tenant_key TEXT NOT NULL, call_id TEXT NOT NULL, app_id TEXT NOT NULL, environment TEXT NOT NULL,
    room_id TEXT NOT NULL, session_id TEXT NOT NULL, caller TEXT NOT NULL, video INTEGER NOT NULL,
    ring_at INTEGER NOT NULL, answered_at INTEGER, ended_at INTEGER, end_reason TEXT, duration_ms INTEGER,
    PRIMARY KEY (tenant_key, call_id)
  );
  CREATE INDEX calls_open ON calls (ended_at) WHERE ended_at IS NULL;
  CREATE TABLE call_users (
    tenant_key TEXT NOT NULL, call_id TEXT NOT NULL, user_id TEXT NOT NULL, role TEXT NOT NULL, outcome TEXT,
    ring_at INTEGER NOT NULL, PRIMARY KEY (tenant_key, call_id, user_id)
  );
  CREATE INDEX call_users_user ON call_users (tenant_key, user_id, ring_at);
  CREATE TABLE webhook_deliveries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, message_id TEXT NOT NULL, tenant_key TEXT NOT NULL, url TEXT NOT NULL,
    event_type TEXT NOT NULL, ordering_key TEXT NOT NULL, payload TEXT NOT NULL, created_at INTEGER NOT NULL,
    status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL,
    last_attempt_at INTEGER, last_status INTEGER, last_error TEXT, delivered_at INTEGER,
    UNIQUE (message_id, url)
  );
  CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
  CREATE INDEX webhook_deliveries_order ON webhook_deliveries (url, ordering_key, status, seq);
  CREATE INDEX webhook_deliveries_tenant ON webhook_deliveries (tenant_key, seq);
  `,
  // Retention (records and deliveries pruned by age) and the names in recent calls, each one index lookup.
  `
  CREATE INDEX calls_ended ON calls (ended_at) WHERE ended_at IS NOT NULL;
  CREATE INDEX sessions_ended ON sessions (ended_at) WHERE ended_at IS NOT NULL;
  CREATE INDEX webhook_deliveries_settled ON webhook_deliveries (created_at) WHERE status != 'pending';
  CREATE INDEX session_participants_user ON session_participants (tenant_key, session_id, user_id);
  `,
];

/**
 * Opens (creating if needed) the SQLite file that holds call records and the webhook outbox. WAL with
 * synchronous=NORMAL: a committed transaction survives a process crash or kill -9 (not a power cut).
 */
export function openDatabase(file: string): Db {
  if (file !== ':memory:') {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    // Records name users and calls: owner-only, like the apps file. SQLite creates the -wal and -shm files
    // with the database file's own mode, so creating (or fixing) this one is enough.
    if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
    chmodSync(file, 0o600);
    for (const extra of [`${file}-wal`, `${file}-shm`]) if (existsSync(extra)) chmodSync(extra, 0o600);
  }
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const applied = db.pragma('user_version', { simple: true }) as number;
  for (let version = applied; version < MIGRATIONS.length; version += 1) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version] as string);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
  return db;
}

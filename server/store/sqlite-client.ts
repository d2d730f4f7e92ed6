import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { SCHEMA_VERSION, migrationSql } from './migrations';
import type { SqlClient, SqlRunner, SqlValue } from './sql';

/**
 * Opens (creating if needed) the SQLite file that holds call records and the webhook outbox. WAL with
 * synchronous=NORMAL: a committed transaction survives a process crash or kill -9 (not a power cut).
 */
export function openSqlite(file: string): SqlClient {
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
  for (let version = applied; version < SCHEMA_VERSION; version += 1) {
    db.transaction(() => {
      db.exec(migrationSql(version, 'sqlite'));
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
  return new SqliteClient(db);
}

/**
 * better-sqlite3 behind the async surface. Statements run synchronously (a resolved promise), but a
 * transaction's work awaits between them, so transactions and writes are taken one at a time: nothing else
 * writes inside another's transaction, and a rollback never takes someone else's write with it.
 */
class SqliteClient implements SqlClient {
  readonly dialect = 'sqlite' as const;
  private turn: Promise<unknown> = Promise.resolve();
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  private readonly direct: SqlRunner = {
    dialect: 'sqlite',
    all: async <T>(sql: string, params: readonly SqlValue[] = []) => this.statement(sql).all(...params) as T[],
    get: async <T>(sql: string, params: readonly SqlValue[] = []) => this.statement(sql).get(...params) as T | undefined,
    run: async (sql: string, params: readonly SqlValue[] = []) => this.statement(sql).run(...params).changes,
  };

  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.direct.all<T>(sql, params);
  }

  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.direct.get<T>(sql, params);
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.exclusive(() => this.direct.run(sql, params));
  }

  transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await work(this.direct);
        this.db.exec('COMMIT');
        return result;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    });
  }

  async close(): Promise<void> {
    await this.turn.catch(() => undefined);
    this.db.close();
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const mine = this.turn.then(work, work);
    this.turn = mine.catch(() => undefined);
    return mine;
  }

  private statement(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      // Statements are a fixed set written in this folder; the cache stays that size.
      this.statements.set(sql, st);
    }
    return st;
  }
}

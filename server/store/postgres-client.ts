import pg from 'pg';
import { SCHEMA_VERSION, migrationSql } from './migrations';
import type { SqlClient, SqlRunner, SqlValue } from './sql';

/** 64-bit integers (ms timestamps, counts) come back as numbers: every one we store is below 2^53. */
const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)),
} as pg.CustomTypesConfig;

/** `?` placeholders numbered for PostgreSQL (our statements carry no `?` inside literals). */
const numbered = (sql: string): string => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${(n += 1)}`);
};

const runnerOver = (q: (sql: string, params: readonly SqlValue[]) => Promise<pg.QueryResult>): SqlRunner => ({
  dialect: 'postgres',
  all: async <T>(sql: string, params: readonly SqlValue[] = []) => (await q(numbered(sql), params)).rows as T[],
  get: async <T>(sql: string, params: readonly SqlValue[] = []) => (await q(numbered(sql), params)).rows[0] as T | undefined,
  run: async (sql: string, params: readonly SqlValue[] = []) => (await q(numbered(sql), params)).rowCount ?? 0,
});

/**
 * PostgreSQL (`DATABASE_URL=postgres://...`), shared by every node. A pool of a few connections; a broken one
 * is dropped and replaced by the pool, and its error is reported to `onError` instead of crashing the process.
 * Migrations run under an advisory lock, so nodes starting together apply each version once.
 */
export async function openPostgres(url: string, onError: (err: Error) => void, poolSize = 5): Promise<SqlClient> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types, connectionTimeoutMillis: 3000, idleTimeoutMillis: 30_000, application_name: 'call-widget' });
  pool.on('error', onError);
  const client = new PostgresClient(pool);
  try {
    await client.transaction(async (tx) => {
      await tx.run('SELECT pg_advisory_xact_lock(715517)');
      await tx.run('CREATE TABLE IF NOT EXISTS call_widget_schema (version INTEGER NOT NULL)');
      const row = await tx.get<{ version: number }>('SELECT max(version) AS version FROM call_widget_schema');
      for (let version = row?.version ?? 0; version < SCHEMA_VERSION; version += 1) {
        // Multi-statement text goes through the simple query protocol (no parameters).
        await tx.all(migrationSql(version, 'postgres'));
        await tx.run('INSERT INTO call_widget_schema (version) VALUES (?)', [version + 1]);
      }
    });
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
  return client;
}

class PostgresClient implements SqlClient {
  readonly dialect = 'postgres' as const;
  private readonly direct: SqlRunner;

  constructor(private readonly pool: pg.Pool) {
    this.direct = runnerOver((sql, params) => pool.query(sql, params as SqlValue[]));
  }

  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.direct.all<T>(sql, params);
  }

  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.direct.get<T>(sql, params);
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.direct.run(sql, params);
  }

  async transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T> {
    const conn = await this.pool.connect();
    let broken: Error | undefined;
    // A connection that drops while checked out reports it here (its query rejects too): never unhandled.
    const dropped = (err: Error) => (broken = err);
    conn.on('error', dropped);
    try {
      await conn.query('BEGIN');
      const result = await work(runnerOver((sql, params) => (params.length === 0 ? conn.query(sql) : conn.query(sql, params as SqlValue[]))));
      await conn.query('COMMIT');
      return result;
    } catch (err) {
      broken = err as Error;
      await conn.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      // A connection that failed mid-transaction is not given back to the pool.
      conn.off('error', dropped);
      conn.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

import { ServiceError } from '../errors';

/**
 * The one SQL surface the record store, the webhook outbox and retention are written against, so the same
 * statements run on the embedded SQLite file (single node, the default) and on PostgreSQL (`DATABASE_URL`,
 * shared by every node of a cluster). Statements use `?` placeholders; the PostgreSQL client numbers them.
 */
export type SqlDialect = 'sqlite' | 'postgres';

export type SqlValue = string | number | null;

export interface SqlRunner {
  readonly dialect: SqlDialect;
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** Runs a statement; resolves to the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

export interface SqlClient extends SqlRunner {
  /** `work` inside one transaction: committed when it resolves, rolled back when it rejects. */
  transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Where the dialects differ, the statement names the difference once: `{{skipLocked}}` (row locks that other
 * nodes skip instead of waiting on: PostgreSQL only; SQLite has one writer), `{{jsonArray(a, b)}}`-style JSON
 * aggregation is written by the caller per dialect.
 */
export function dialectSql(sql: string, dialect: SqlDialect): string {
  return sql.replaceAll('{{skipLocked}}', dialect === 'postgres' ? 'FOR UPDATE OF d SKIP LOCKED' : '');
}

/**
 * A failure of the database connection rather than of the statement (PostgreSQL down, restarting, network
 * gone): the write is kept and retried. Anything else (a constraint, a full disk) is that write's own.
 */
export function isConnectionFailure(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  // Node socket errors, and PostgreSQL classes 08 (connection exception) and 57P (operator intervention:
  // admin shutdown, crash shutdown, cannot connect now).
  if (/^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|EAI_AGAIN)$/.test(code)) return true;
  if (/^(08|57P)/.test(code)) return true;
  return typeof e?.message === 'string' && /Connection terminated|connection timeout|Client has encountered a connection error|not queryable/i.test(e.message);
}

/** A read the records database cannot answer now, as the typed error clients get (HTTP 503, signaling). */
export async function recordsRead<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (isConnectionFailure(err)) throw new ServiceError('records_unavailable', 'the records database is unreachable; retry shortly');
    throw err;
  }
}

import type { ServerConfig } from '../config';
import { openPostgres } from './postgres-client';
import type { SqlClient } from './sql';
import { openSqlite } from './sqlite-client';

/**
 * The records database the configuration names: PostgreSQL when `DATABASE_URL` is set (every node of a cluster
 * shares it), else the embedded SQLite file. Both carry the same schema (migrations.ts).
 */
export async function openRecordDatabase(config: Pick<ServerConfig, 'databaseFile' | 'databaseUrl'>, onError: (err: Error) => void): Promise<SqlClient> {
  return config.databaseUrl ? openPostgres(config.databaseUrl, onError) : openSqlite(config.databaseFile);
}

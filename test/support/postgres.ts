// A real PostgreSQL (Debian's postgresql-15) on loopback for the store and cluster tests: initdb into a temp
// dir, its own port, trust auth for the test role, durability off (a test database need not survive a power
// cut). PostgreSQL refuses to run as root, so under root it runs as the `postgres` user Debian creates.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { killAndWait, launchUntilReady } from './daemon';
import { freeTcpPort } from './ports';

export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface TestPostgres {
  /** A fresh, empty database of its own (one per server or test): its postgres:// URL. */
  createDatabase(name: string): Promise<string>;
  /** Kills the server as a crash would (SIGQUIT: no shutdown checkpoint); `start` brings it back, data kept. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
  /**
   * Lets the test process end while the server runs: it is stopped when the process exits, and its directory
   * removed once it is gone.
   */
  stopAtExit(): void;
}

function runAs(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** initdb + postgres; resolves once it accepts connections (bounded: 30 s). */
export async function startPostgres(): Promise<TestPostgres> {
  if (!existsSync(join(PG_BIN, 'postgres'))) throw new Error(`PostgreSQL is not installed at ${PG_BIN} (apt-get install postgresql, or set PG_BIN)`);
  const dir = mkdtempSync(join(tmpdir(), 'cw-pg-'));
  const user = runAs();
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  execFileSync(join(PG_BIN, 'initdb'), ['-D', data, '-U', 'callwidget', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'], { stdio: 'pipe', ...(user ?? {}) });
  const port = await freeTcpPort();
  let child: ChildProcess | undefined;
  /** After stopAtExit, every server launched (a restart too) lets the process end. */
  let atExit = false;
  const release = (proc: ChildProcess) => {
    proc.unref();
    for (const stream of [proc.stdout, proc.stderr]) (stream as unknown as { unref?(): void } | null)?.unref?.();
  };
  const launch = async () => {
    const args = ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'max_connections=100'];
    child = await launchUntilReady(`postgres on port ${port}`, join(PG_BIN, 'postgres'), args, /database system is ready to accept connections/, 30_000, user ?? {});
    if (atExit) release(child);
  };
  const stop = async () => {
    const proc = child;
    child = undefined;
    await killAndWait(proc, 'SIGQUIT');
  };
  await launch();
  const base = `postgres://callwidget@127.0.0.1:${port}`;
  return {
    async createDatabase(name) {
      const admin = new pg.Client({ connectionString: `${base}/postgres` });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      } finally {
        await admin.end();
      }
      return `${base}/${name}`;
    },
    stop,
    start: launch,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    stopAtExit() {
      if (atExit) return;
      atExit = true;
      if (child) release(child);
      process.once('exit', () => {
        const pid = child?.pid;
        child?.kill('SIGQUIT');
        spawn('sh', ['-c', `for i in $(seq 100); do kill -0 ${pid ?? 0} 2>/dev/null || break; sleep 0.1; done; rm -rf '${dir}'`], { detached: true, stdio: 'ignore' }).unref();
      });
    },
  };
}

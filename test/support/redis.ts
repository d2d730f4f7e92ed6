// A real redis-server (Debian's) on loopback for cluster tests: its own port, a temp dir, no persistence.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killAndWait, launchUntilReady } from './daemon';
import { freeTcpPort } from './ports';

export const REDIS_SERVER = process.env.REDIS_SERVER_PATH ?? '/usr/bin/redis-server';

export interface TestRedis {
  url: string;
  /** Stops the server (an outage); `start` brings it back on the same port, empty. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Starts redis-server; resolves once it says it accepts connections (bounded: 10 s). */
export async function startRedis(): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'cw-redis-'));
  const port = await freeTcpPort();
  let child: ChildProcess | undefined;
  const launch = async () => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
    child = await launchUntilReady(`redis-server on port ${port}`, REDIS_SERVER, args, /Ready to accept connections/, 10_000);
  };
  const stop = async () => {
    const proc = child;
    child = undefined;
    await killAndWait(proc, 'SIGKILL');
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    stop,
    start: launch,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

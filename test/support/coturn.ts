// A real coturn (Debian's `turnserver`) on loopback for TURN tests: its own port, relay port range, temp log.
// Config facts (../shared/notes/platform.md): `use-auth-secret` with a static secret, and
// --allow-loopback-peers, without which coturn refuses to relay to 127.0.0.1 (where the test SFU listens).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeTcpPort } from './ports';

export const TURNSERVER = process.env.TURNSERVER_PATH ?? '/usr/bin/turnserver';

export interface Coturn {
  /** `turn:127.0.0.1:<port>?transport=udp` and its TCP twin. */
  urls: string[];
  secret: string;
  log(): string;
  stop(): Promise<void>;
}

/** Starts coturn; resolves once it accepts TCP on its listening port (bounded: 10 s). */
export async function startCoturn(secret: string): Promise<Coturn> {
  const dir = mkdtempSync(join(tmpdir(), 'cw-coturn-'));
  const logFile = join(dir, 'turn.log');
  const port = await freeTcpPort();
  // Relay ports away from the SFU's test range (40100–49999) and from ephemeral ports.
  const relayMin = 50_000 + Math.floor(Math.random() * 50) * 100;
  const child: ChildProcess = spawn(TURNSERVER, [
    '-n', // no config file
    '--listening-ip=127.0.0.1',
    '--relay-ip=127.0.0.1',
    `--listening-port=${port}`,
    `--min-port=${relayMin}`,
    `--max-port=${relayMin + 99}`,
    '--use-auth-secret',
    `--static-auth-secret=${secret}`,
    '--realm=call-widget.test',
    '--allow-loopback-peers',
    '--no-cli',
    '--no-tls',
    '--no-dtls',
    '--no-stdout-log',
    `--log-file=${logFile}`,
    `--pidfile=${join(dir, 'turnserver.pid')}`,
    `--db=${join(dir, 'turndb')}`,
    '--simple-log',
  ], { stdio: 'ignore' });
  const log = () => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = createServer().listen(port, '127.0.0.1');
      socket.once('listening', () => socket.close(() => resolve(false))); // still free: coturn is not up yet
      socket.once('error', () => resolve(true));
    });
    if (up) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`coturn did not start on port ${port}: ${log()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    urls: [`turn:127.0.0.1:${port}?transport=udp`, `turn:127.0.0.1:${port}?transport=tcp`],
    secret,
    log,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

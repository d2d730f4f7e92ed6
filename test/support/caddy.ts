// Debian's caddy on loopback as the HTTPS front of a test server: `tls internal` (Caddy's own local CA) for
// https://127.0.0.1:<port>, proxying everything — WebSocket upgrade of /v1/signal included — to the server;
// plus a second https origin serving a site page that embeds the widget from the first. Temp dirs, own ports,
// admin API off.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CADDY = process.env.CADDY_PATH ?? '/usr/bin/caddy';

export interface CaddyFront {
  /** https origin of the call-widget server (through Caddy). */
  serverUrl: string;
  /** https origin of a site whose page embeds the widget from serverUrl. */
  siteUrl: string;
  output(): string;
  stop(): Promise<void>;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

async function answers(url: string): Promise<boolean> {
  // Node's fetch does not know Caddy's local CA: only check that something accepts TLS connections there.
  return new Promise((resolve) => {
    const [host, port] = new URL(url).host.split(':');
    const socket = createServer();
    socket.once('error', () => resolve(true));
    socket.listen(Number(port), host, () => socket.close(() => resolve(false)));
  });
}

export async function startCaddy(upstream: string, deployCaddyfile: string): Promise<CaddyFront> {
  const dir = mkdtempSync(join(tmpdir(), 'cw-caddy-'));
  const [serverPort, sitePort] = [await freePort(), await freePort()];
  const serverUrl = `https://127.0.0.1:${serverPort}`;
  const siteUrl = `https://127.0.0.1:${sitePort}`;
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A site</title><script type="module" src="${serverUrl}/widget.js"></script></head><body><h1>A site that embeds the widget</h1></body></html>`;
  writeFileSync(join(dir, 'index.html'), page);
  // The server site is deploy/Caddyfile's own block, with the test address and upstream in place of the
  // example ones, so the operator's file is what the test exercises.
  const serverBlock = deployCaddyfile
    .split('\n')
    .filter((l) => !l.trim().startsWith('#'))
    .join('\n')
    .replace(/calls\.example\.com \{/, `${serverUrl} {\n\ttls internal`)
    .replaceAll('127.0.0.1:3000', upstream);
  const caddyfile = `{
\tadmin off
\tauto_https disable_redirects
\tstorage file_system ${join(dir, 'storage')}
\tskip_install_trust
}
${serverBlock}
${siteUrl} {
\ttls internal
\troot * ${dir}
\tfile_server
}
`;
  const caddy = await runCaddy(dir, caddyfile, [serverUrl, siteUrl]);
  return { serverUrl, siteUrl, ...caddy };
}

/** Runs caddy on `caddyfile` (written into `dir`) until every one of `urls` accepts connections. */
async function runCaddy(dir: string, caddyfile: string, urls: string[]): Promise<{ output(): string; stop(): Promise<void> }> {
  writeFileSync(join(dir, 'Caddyfile'), caddyfile);
  let output = '';
  const child: ChildProcess = spawn(CADDY, ['run', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'], {
    env: { ...process.env, HOME: dir, XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 15_000;
  for (;;) {
    const up = await Promise.all(urls.map(answers));
    if (up.every(Boolean)) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`caddy did not start:\n${output}\n${caddyfile}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface CaddyBalancer {
  /** http origin of the balancer in front of every node. */
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * deploy/Caddyfile.nodes on loopback (plain http: this is about routing, not TLS): its one site block with
 * the test's address, its example node list replaced by `upstreams`, and a fast health interval.
 */
export async function startCaddyBalancer(upstreams: string[], nodesCaddyfile: string): Promise<CaddyBalancer> {
  const dir = mkdtempSync(join(tmpdir(), 'cw-caddy-lb-'));
  const url = `http://127.0.0.1:${await freePort()}`;
  const block = nodesCaddyfile
    .split('\n')
    .filter((l) => !l.trim().startsWith('#'))
    .join('\n')
    .replace(/calls\.example\.com \{/, `${url} {`)
    .replace(/reverse_proxy [^{]+\{/, `reverse_proxy ${upstreams.join(' ')} {`)
    .replace(/health_interval \S+/, 'health_interval 200ms');
  const caddyfile = `{\n\tadmin off\n\tstorage file_system ${join(dir, 'storage')}\n}\n${block}\n`;
  return { url, ...(await runCaddy(dir, caddyfile, [url])) };
}

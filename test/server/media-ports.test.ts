// One media port per worker (mediasoup WebRtcServer): what an operator opens in the firewall is what clients get.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { configWarning, loadConfig } from '../../server/config';
import { startServerProcess } from '../support/server-process';
import { connectAs, type TestSocket } from '../support/ws-client';
import { startServer, type TestServer } from '../support/server';

/** Two consecutive ports free for both UDP and TCP on 127.0.0.1 (bounded search from a random start). */
async function freePortPair(): Promise<number> {
  const udpFree = (port: number) =>
    new Promise<boolean>((resolve) => {
      const s = createSocket('udp4');
      s.once('error', () => resolve(false));
      s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
  const tcpFree = (port: number) =>
    new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = 30000 + Math.floor(Math.random() * 9000);
    if ((await udpFree(port)) && (await tcpFree(port)) && (await udpFree(port + 1)) && (await tcpFree(port + 1))) return port;
  }
  throw new Error('no free port pair found');
}

interface Candidate {
  protocol: string;
  port: number;
  tcpType?: string;
}

describe('media ports: a WebRtcServer per worker', () => {
  let server: TestServer;
  let rtcPort: number;
  const sockets: TestSocket[] = [];
  before(async () => {
    rtcPort = await freePortPair();
    server = await startServer({ workers: 2, rtcPort });
  });
  after(async () => {
    for (const s of sockets) s.close();
    await server?.close();
  });

  test('worker i listens on RTC_PORT + i; the operator\u2019s /status shows it', async () => {
    const health = server.status();
    assert.deepEqual(health.workers.map((w) => [w.index, w.rtcPort]), [[0, rtcPort], [1, rtcPort + 1]]);
  });

  test('every transport of every room uses its worker port, ICE-UDP and ICE-TCP alike, however many transports there are', async () => {
    const ports = new Set<number>();
    for (let i = 0; i < 4; i += 1) {
      const s = await connectAs(server.url, await server.token(`user${i}`));
      sockets.push(s);
      // Four rooms over two workers (least-loaded placement): both worker ports are exercised.
      await s.request('room.join', { roomId: `ports-${i}`, video: true });
      for (const direction of ['send', 'recv']) {
        const answer = await s.request('media.createTransport', { direction });
        assert.equal(answer.type, 'response', JSON.stringify(answer));
        const candidates = (answer.data as { iceCandidates: Candidate[] }).iceCandidates;
        const udp = candidates.filter((c) => c.protocol === 'udp');
        const tcp = candidates.filter((c) => c.protocol === 'tcp');
        assert.equal(udp.length, 1, 'one UDP candidate');
        assert.equal(tcp.length, 1, 'one ICE-TCP candidate');
        assert.equal(tcp[0]!.tcpType, 'passive');
        assert.equal(udp[0]!.port, tcp[0]!.port, 'UDP and TCP on the same port');
        ports.add(udp[0]!.port);
      }
    }
    assert.deepEqual([...ports].sort(), [rtcPort, rtcPort + 1], 'eight transports, two ports: no port per transport');
  });
});

describe('media ports: RTC_PROTOCOLS=tcp', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ rtcProtocols: ['tcp'] });
  });
  after(async () => server?.close());

  test('transports offer only ICE-TCP candidates', async () => {
    const s = await connectAs(server.url, await server.token('tcp-only'));
    await s.request('room.join', { roomId: 'tcp-room', video: true });
    const answer = await s.request('media.createTransport', { direction: 'send' });
    const candidates = (answer.data as { iceCandidates: Candidate[] }).iceCandidates;
    assert.ok(candidates.length > 0);
    assert.deepEqual([...new Set(candidates.map((c) => c.protocol))], ['tcp']);
    s.close();
  });
});

describe('media addresses: the development default announces the machine\u2019s addresses too', () => {
  test('HOST 0.0.0.0 without ANNOUNCED_IP (development): candidates for 127.0.0.1 and every non-loopback IPv4 address', async () => {
    const expected = loadConfig({ HOST: '0.0.0.0' }).extraMediaAddresses;
    assert.deepEqual(expected, Object.values(networkInterfaces()).flat().filter((a) => a && a.family === 'IPv4' && !a.internal).map((a) => a!.address));
    assert.deepEqual(loadConfig({ HOST: '0.0.0.0', NODE_ENV: 'production' }).extraMediaAddresses, [], 'not in production');
    assert.deepEqual(loadConfig({ HOST: '0.0.0.0', ANNOUNCED_IP: '203.0.113.7' }).extraMediaAddresses, [], 'not when ANNOUNCED_IP is chosen');
    assert.match(configWarning(loadConfig({ HOST: '0.0.0.0', NODE_ENV: 'production' })) ?? '', /ANNOUNCED_IP is 127\.0\.0\.1 while HOST is 0\.0\.0\.0/);
    assert.equal(configWarning(loadConfig({ HOST: '0.0.0.0', NODE_ENV: 'production', ANNOUNCED_IP: '203.0.113.7' })), undefined);

    const dataDir = mkdtempSync(join(tmpdir(), 'cw-announce-'));
    const server = await startServerProcess(dataDir, { HOST: '0.0.0.0', NODE_ENV: 'development', DEMO_APP: 'on' });
    try {
      const res = await fetch(`${server.url}/v1/demo/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"userId":"lan"}' });
      const s = await connectAs(server.url, ((await res.json()) as { token: string }).token);
      await s.request('room.join', { roomId: 'lan-room', video: true });
      const answer = await s.request('media.createTransport', { direction: 'recv' });
      const ips = new Set((answer.data as { iceCandidates: { address?: string; ip?: string }[] }).iceCandidates.map((c) => c.address ?? c.ip));
      assert.deepEqual([...ips].sort(), ['127.0.0.1', ...expected].sort());
      s.close();
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ERROR_CODES } from '../../protocol';
import { ClientMessageSchemas } from '../../protocol/client-messages';
import { connectAs } from '../support/ws-client';
import { startServer, type TestServer } from '../support/server';
import { untilTrue } from '../support/until';

/** Deterministic pseudo-random generator so a failure reproduces. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

function malformed(rand: () => number, i: number): string {
  const types = Object.keys(ClientMessageSchemas);
  const type = types[Math.floor(rand() * types.length)];
  const junk: unknown[] = [null, 1, -1, 1e308, NaN, '', 'x'.repeat(300), '\u0000\ud800', 'é👍', [], [[[[[]]]]], {}, true, { $gt: '' }, '__proto__', { constructor: { prototype: { polluted: 1 } } }];
  const pick = () => junk[Math.floor(rand() * junk.length)];
  const fields = ['roomId', 'callId', 'callees', 'video', 'kind', 'transportId', 'producerId', 'consumerId', 'userId', 'source', 'role', 'direction', 'rtpParameters', 'dtlsParameters', 'width', 'visible', 'token', 'protocol', 'resume'];
  switch (i % 12) {
    case 0:
      return randomBytes(1 + Math.floor(rand() * 64)).toString('latin1'); // not JSON
    case 1:
      return JSON.stringify(pick()); // JSON but not an object
    case 2:
      return JSON.stringify({ type: `no.such.${i}`, requestId: `r${i}` });
    case 3: {
      // Required fields missing (only types that have some: `calls.recent` alone is a valid request).
      const needy = types.filter((t) => ((ClientMessageSchemas as Record<string, { required?: string[] }>)[t]?.required ?? []).some((k) => k !== 'type' && k !== 'requestId'));
      return JSON.stringify({ type: needy[Math.floor(rand() * needy.length)], requestId: `r${i}` });
    }
    case 4:
      return JSON.stringify({ type, requestId: `r${i}`, roomId: pick(), callId: pick(), callees: pick(), video: pick(), extra: pick() });
    case 5:
      return JSON.stringify({ type, requestId: `r${i}`, unexpected: 1 }); // unknown field
    case 6:
      return JSON.stringify({ type: 'media.produce', requestId: `r${i}`, transportId: 't', kind: 'smell', rtpParameters: {}, source: 'mic' });
    case 7:
      return `{"type":"room.join","requestId":"r${i}","roomId":`; // truncated
    case 8:
      return JSON.stringify({ type: 'call.dial', requestId: `r${i}`, callees: ['bad id with spaces'], video: true });
    case 9: {
      // A random type with 1-4 random fields of non-string, non-boolean junk (so it can never be valid).
      const bad: unknown[] = [null, 1, -1, 1e308, [], [[[[[]]]]], { $gt: '' }, { constructor: { prototype: { polluted: 1 } } }];
      const msg: Record<string, unknown> = { type, requestId: rand() < 0.1 ? pick() : `r${i}` };
      for (let k = 1 + Math.floor(rand() * 4); k > 0; k -= 1) msg[fields[Math.floor(rand() * fields.length)]!] = bad[Math.floor(rand() * bad.length)];
      return JSON.stringify(msg);
    }
    case 10:
      return `{"__proto__":{"type":"room.leave"},"type":${JSON.stringify(type)},"requestId":"r${i}","constructor":{"prototype":{"x":1}}}`;
    default:
      return JSON.stringify({ type: 'media.consume', requestId: `r${i}`, producerId: 'nope' }); // valid shape, not in a room
  }
}

describe('hostile input', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ signalingLimits: { messagesPerSecond: 100_000, messageBurst: 100_000 } });
  });
  after(() => server?.close());

  test('10 000 random or malformed messages across 20 sockets: no crash, every one answered with a typed error', async () => {
    const attackers = await Promise.all(Array.from({ length: 20 }, async (_, k) => connectAs(server.url, await server.token(`mallory${k}`))));
    const bystander = await connectAs(server.url, await server.token('bob'));
    const PER_SOCKET = 500;
    const starts = attackers.map((s) => s.messages.length);
    attackers.forEach((socket, k) => {
      const rand = rng(42 + k);
      for (let i = 0; i < PER_SOCKET; i += 1) socket.sendRaw(malformed(rand, i));
    });
    const answered = () => attackers.reduce((n, s, k) => n + s.messages.length - starts[k]!, 0);
    await untilTrue('a reply to every message', () => answered() >= 20 * PER_SOCKET, 30_000, 20).catch(() => undefined); // the count below says what is missing
    assert.equal(answered(), 10_000, 'one reply per message');
    const replies = attackers.flatMap((s, k) => s.messages.slice(starts[k]));
    const codes = new Map<string, number>();
    for (const r of replies) {
      assert.equal(r.type, 'error', `an error, got ${JSON.stringify(r)}`);
      assert.ok(Object.hasOwn(ERROR_CODES, String(r.code)) && r.code !== 'internal', `a typed code, got ${JSON.stringify(r)}`);
      assert.equal(typeof r.message, 'string');
      codes.set(String(r.code), (codes.get(String(r.code)) ?? 0) + 1);
    }
    for (const code of ['invalid_json', 'unknown_type', 'invalid_message', 'not_in_room']) assert.ok(codes.get(code), `some ${code}: ${JSON.stringify([...codes])}`);
    // Unknown fields are named in the error; nothing was polluted.
    assert.ok(replies.some((r) => String(r.message).includes('unknown field')));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    // Every attacker's socket still serves well-formed requests...
    for (const [k, attacker] of attackers.entries()) assert.equal((await attacker.request('room.join', { roomId: `after-fuzz-${k}` })).type, 'response');
    // ...and so does the server, for somebody else.
    const other = await bystander.request('room.join', { roomId: 'bystander' });
    assert.equal(other.type, 'response');
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    for (const a of attackers) a.close();
    bystander.close();
  });

  test('oversized messages and floods get typed errors, not a dropped connection', async () => {
    const limited = await startServer({ signalingLimits: { messagesPerSecond: 5, messageBurst: 10 } });
    try {
      const socket = await connectAs(limited.url, await limited.token('flood'));
      socket.sendRaw(JSON.stringify({ type: 'room.join', requestId: 'big', roomId: 'x'.repeat(70 * 1024) }));
      const big = await socket.next((m) => m.type === 'error');
      assert.equal(big.code, 'message_too_large');
      for (let i = 0; i < 30; i += 1) socket.send({ type: 'room.leave', requestId: `f${i}` });
      const limitedReply = await socket.next((m) => m.code === 'rate_limited');
      assert.equal(limitedReply.type, 'error');
      await new Promise((r) => setTimeout(r, 1200));
      const ok = await socket.request('room.join', { roomId: 'calm' });
      assert.equal(ok.type, 'response', 'usable again after slowing down');
      socket.close();
    } finally {
      await limited.close();
    }
  });
});

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ClientMessageSchemas } from '../../protocol/client-messages';
import { connectAs } from '../support/ws-client';
import { startServer, type TestServer } from '../support/server';

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
  const junk = [null, 1, -1, 1e308, '', 'x'.repeat(300), [], {}, true, { $gt: '' }, '__proto__'];
  const pick = () => junk[Math.floor(rand() * junk.length)];
  switch (i % 10) {
    case 0:
      return randomBytes(1 + Math.floor(rand() * 64)).toString('latin1'); // not JSON
    case 1:
      return JSON.stringify(pick()); // JSON but not an object
    case 2:
      return JSON.stringify({ type: `no.such.${i}`, requestId: `r${i}` });
    case 3:
      return JSON.stringify({ type, requestId: `r${i}` }); // required fields missing
    case 4:
      return JSON.stringify({ type, requestId: `r${i}`, roomId: pick(), callId: pick(), callees: pick(), video: pick() });
    case 5:
      return JSON.stringify({ type, requestId: `r${i}`, unexpected: 1 }); // unknown field
    case 6:
      return JSON.stringify({ type: 'media.produce', requestId: `r${i}`, transportId: 't', kind: 'smell', rtpParameters: {}, source: 'mic' });
    case 7:
      return `{"type":"room.join","requestId":"r${i}","roomId":`; // truncated
    case 8:
      return JSON.stringify({ type: 'call.dial', requestId: `r${i}`, callees: ['bad id with spaces'], video: true });
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

  test('1000 malformed messages each get a typed error; the socket and a second client keep working', async () => {
    const attacker = await connectAs(server.url, await server.token('mallory'));
    const bystander = await connectAs(server.url, await server.token('bob'));
    const rand = rng(42);
    const before = attacker.messages.length;
    for (let i = 0; i < 1000; i += 1) attacker.sendRaw(malformed(rand, i));
    const deadline = Date.now() + 10_000;
    while (attacker.messages.length - before < 1000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const replies = attacker.messages.slice(before);
    assert.equal(replies.length, 1000);
    const known = new Set(['invalid_json', 'invalid_message', 'unknown_type', 'not_in_room', 'not_found']);
    for (const r of replies) {
      assert.equal(r.type, 'error');
      assert.ok(known.has(String(r.code)), `typed code, got ${JSON.stringify(r)}`);
      assert.equal(typeof r.message, 'string');
    }
    // Unknown fields are named in the error.
    assert.ok(replies.some((r) => String(r.message).includes('unknown field')));
    // The attacker's socket still serves well-formed requests...
    const join = await attacker.request('room.join', { roomId: 'after-fuzz' });
    assert.equal(join.type, 'response');
    // ...and so does the server, for somebody else.
    const other = await bystander.request('room.join', { roomId: 'bystander' });
    assert.equal(other.type, 'response');
    attacker.close();
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

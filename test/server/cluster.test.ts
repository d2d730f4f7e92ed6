// Three real server nodes on one real redis-server: any node accepts any client, presence is cluster-wide and
// requests about a call or room are relayed to the node holding it (issue 17, acceptance 1 and 2).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newApp } from '../../server/store/apps-file';
import { useCluster } from '../support/cluster';
import type { TestServer } from '../support/server';
import { connectAs, type TestSocket } from '../support/ws-client';
import { until } from '../support/until';

type Msg = Record<string, unknown>;
const ended = (s: TestSocket) => s.next((m) => m.type === 'call.ended');
const incoming = (s: TestSocket) => s.next((m) => m.type === 'call.incoming');
const callIdOf = (r: Msg) => (r.data as { call: { callId: string } }).call.callId;

describe('cluster: three nodes on Redis', () => {
  const apps = [newApp('Cluster', { demo: true, origins: ['*'] })];
  // One PostgreSQL database for the three nodes' records, as a deployment has; every node sees the other two
  // before the tests dial across them.
  const cluster = useCluster(['n1', 'n2', 'n3'], { apps, ringTimeoutMs: 1500, reconnectGraceMs: 0, database: 'cluster' });
  const { nodes } = cluster;
  let n = 0;
  /** A fresh user id, connected to node `i` (several tabs: call again with the same id). */
  async function on(i: number, id = `u${++n}`): Promise<[TestSocket, string]> {
    const node = nodes[i]!;
    const s = await connectAs(node.url, await node.token(id));
    cluster.closeLater(s);
    return [s, id];
  }
  const tenantKey = () => nodes[0]!.app.services.apps.tenant(apps[0]!.environments.development!.appKey)!.key;

  test('a dial on node 1 rings the callee on nodes 2 and 3; answering on 2 ends the ring on 3; hang-up ends both', async () => {
    const [a, aId] = await on(0);
    const [b2, bId] = await on(1);
    const [b3] = await on(2, bId);
    const dial = await a.request('call.dial', { callees: [bId], video: true });
    const callId = callIdOf(dial);
    const [r2, r3] = await Promise.all([incoming(b2), incoming(b3)]);
    assert.equal((r2.call as { caller: { userId: string } }).caller.userId, aId);
    assert.equal((r3.call as { callId: string }).callId, callId);
    const accept = await b2.request('call.accept', { callId, video: true });
    assert.equal(accept.type, 'response', JSON.stringify(accept));
    assert.equal((accept.data as { room: { sessionId: string } }).room.sessionId, (dial.data as { room: { sessionId: string } }).room.sessionId, 'one session, held by node 1');
    assert.equal((await ended(b3)).reason, 'answered_elsewhere');
    await a.next((m) => m.type === 'call.state' && (m.call as Msg).phase === 'connected');
    // The callee's media is set up on the call's node (requests relayed there): the room on node 1 has both.
    const transport = await b2.request('media.createTransport', { direction: 'recv' });
    assert.equal(transport.type, 'response', JSON.stringify(transport));
    const room = nodes[0]!.app.services.rooms.get(tenantKey(), callId);
    assert.deepEqual([...(room?.participants.keys() ?? [])].sort(), [aId, bId].sort());
    assert.equal(nodes[1]!.app.services.rooms.size, 0, 'node 2 holds no room: it only relays');
    await b2.request('call.hangup', { callId });
    const [ea, eb] = await Promise.all([ended(a), ended(b2)]);
    assert.equal(ea.reason, 'hangup');
    assert.equal(eb.reason, 'hangup');
    assert.equal(ea.durationMs, eb.durationMs);
    // Records are written once, by the node the call lived on, into the shared database: every node reads them.
    for (const node of nodes) {
      const recent = await until('the call record on every node', async () => (await node.app.services.records.recentFor(tenantKey(), aId, 5)).find((c) => c.callId === callId), 3000);
      assert.equal(recent.reason, 'hangup');
    }
  });

  test('decline, cancel and ring timeout across nodes reach every side with their reasons', async () => {
    const [a] = await on(0);
    const [b, bId] = await on(1);
    let callId = callIdOf(await a.request('call.dial', { callees: [bId], video: false }));
    await incoming(b);
    await b.request('call.decline', { callId });
    assert.equal((await ended(a)).reason, 'declined');

    const [c2, cId] = await on(1);
    const [c3] = await on(2, cId);
    callId = callIdOf(await a.request('call.dial', { callees: [cId], video: false }));
    await Promise.all([incoming(c2), incoming(c3)]);
    await a.request('call.cancel', { callId });
    const endings = await Promise.all([ended(a), ended(c2), ended(c3)]);
    assert.deepEqual(endings.map((e) => e.reason), ['cancelled', 'cancelled', 'cancelled']);
    assert.equal((await c3.request('call.accept', { callId, video: false })).code, 'invalid_state', 'a late accept on node 3 hears "already ended" from node 1');

    const [d, dId] = await on(2);
    await a.request('call.dial', { callees: [dId], video: false });
    await incoming(d);
    assert.equal((await ended(d)).reason, 'no_answer');
    assert.equal((await ended(a)).reason, 'no_answer');
  });

  test('busy and unavailable are cluster-wide', async () => {
    const [a] = await on(0);
    const [b, bId] = await on(2);
    assert.equal((await b.request('room.join', { roomId: `busy-${bId}` })).type, 'response');
    await a.request('call.dial', { callees: [bId], video: false });
    assert.equal((await ended(a)).reason, 'busy');
    assert.ok(!b.messages.some((m) => m.type === 'call.incoming'), 'a busy callee does not ring');
    await a.request('call.dial', { callees: ['nobody-online-anywhere'], video: false });
    assert.equal((await ended(a)).reason, 'unavailable');
  });

  test('a room joined from two nodes is one room on one node; others see joins and leaves', async () => {
    const roomId = `conf-${++n}`;
    const [a, aId] = await on(0);
    const [b, bId] = await on(1);
    const ja = await a.request('room.join', { roomId });
    const jb = await b.request('room.join', { roomId });
    assert.equal((jb.data as { sessionId: string }).sessionId, (ja.data as { sessionId: string }).sessionId);
    assert.ok((jb.data as { participants: { userId: string }[] }).participants.some((p) => p.userId === aId));
    await a.next((m) => m.type === 'room.participantJoined' && (m.participant as Msg).userId === bId);
    const holders = nodes.filter((node) => node.app.services.rooms.get(tenantKey(), roomId));
    assert.equal(holders.length, 1, 'exactly one node holds the room');
    await b.request('room.leave', {});
    await a.next((m) => m.type === 'room.participantLeft' && m.userId === bId);
    // Left the remote room: room requests are no longer relayed there, and joining another room works.
    assert.equal((await b.request('media.createTransport', { direction: 'recv' })).code, 'not_in_room');
    assert.equal((await b.request('room.join', { roomId: `${roomId}-next` })).type, 'response');
    await b.request('room.leave', {});
  });

  test('GET /v1/rooms/:roomId answers on every node, whichever node holds the room or call', async () => {
    const env = apps[0]!.environments.development!;
    const auth = `Basic ${Buffer.from(`${env.appKey}:${env.secret}`).toString('base64')}`;
    const describe = (node: TestServer, roomId: string, kind?: string) =>
      fetch(`${node.url}/v1/rooms/${encodeURIComponent(roomId)}${kind ? `?kind=${kind}` : ''}`, { headers: { authorization: auth } });
    const roomId = `rest-${++n}`;
    const [a, aId] = await on(0);
    const [b, bId] = await on(2);
    const ja = await a.request('room.join', { roomId });
    assert.equal(ja.type, 'response', JSON.stringify(ja));
    assert.equal((await b.request('room.join', { roomId })).type, 'response');
    await a.next((m) => m.type === 'room.participantJoined' && (m.participant as Msg).userId === bId);
    const holder = nodes.findIndex((node) => node.app.services.rooms.get(tenantKey(), roomId));
    assert.notEqual(holder, -1);
    for (const [i, node] of nodes.entries()) {
      for (const kind of [undefined, 'conference']) {
        const res = await describe(node, roomId, kind);
        assert.equal(res.status, 200, `node ${i + 1} (holder: node ${holder + 1}, kind ${kind}): ${await res.clone().text()}`);
        const body = (await res.json()) as { sessionId: string; kind: string; participants: { userId: string }[] };
        assert.equal(body.sessionId, (ja.data as { sessionId: string }).sessionId);
        assert.equal(body.kind, 'conference');
        assert.deepEqual(body.participants.map((p) => p.userId).sort(), [aId, bId].sort());
      }
      assert.equal((await describe(node, roomId, 'live')).status, 404, 'no live room by that id');
      assert.equal((await describe(node, `${roomId}-none`)).status, 404);
    }
    await a.request('room.leave', {});
    await b.request('room.leave', {});
    // A call's room (RoomID = CallID) lives on the node the call was placed on; every node describes it.
    const [c, cId] = await on(1);
    const [d, dId] = await on(2);
    const dial = await c.request('call.dial', { callees: [dId], video: false });
    const callId = callIdOf(dial);
    await incoming(d);
    assert.equal((await d.request('call.accept', { callId, video: false })).type, 'response');
    for (const node of nodes) {
      const res = await describe(node, callId);
      assert.equal(res.status, 200);
      const body = (await res.json()) as { kind: string; participants: { userId: string }[] };
      assert.equal(body.kind, 'call');
      assert.deepEqual(body.participants.map((p) => p.userId).sort(), [cId, dId].sort());
    }
    await c.request('call.hangup', { callId });
    await ended(d);
  });

  test('one room per user across nodes; a relayed participant whose connection ends leaves the room', async () => {
    const roomId = `solo-${++n}`;
    const [a, aId] = await on(0);
    const [a2] = await on(2, aId);
    assert.equal((await a.request('room.join', { roomId })).type, 'response');
    assert.equal((await a2.request('room.join', { roomId: `${roomId}-other` })).code, 'already_in_room');
    const [b, bId] = await on(1);
    await b.request('room.join', { roomId });
    await a.next((m) => m.type === 'room.participantJoined' && (m.participant as Msg).userId === bId);
    b.close();
    await a.next((m) => m.type === 'room.participantLeft' && m.userId === bId);
    await a.request('room.leave', {});
  });

  test('rooms are placed on the least-loaded node', async () => {
    // Three people in one room: whichever node holds it is then the busiest.
    const roomId = `busy-node-${++n}`;
    const held: TestSocket[] = [];
    for (let i = 0; i < 3; i++) {
      const [s] = await on(i);
      assert.equal((await s.request('room.join', { roomId })).type, 'response');
      held.push(s);
    }
    const busiest = nodes.findIndex((node) => node.app.services.rooms.get(tenantKey(), roomId)?.participants.size === 3);
    assert.notEqual(busiest, -1, 'the three are in one room on one node');
    // Once its heartbeat carries that load, a room started from the busiest node goes to an idle one.
    const busiestId = `n${busiest + 1}`;
    await until(`node ${busiestId}'s load in its own view`, () => (nodes[busiest]!.app.cluster?.link.liveness.nodes.some((x) => x.id === busiestId && x.load >= 3) ? true : undefined), 5000);
    const next = `placed-${++n}`;
    const [s] = await on(busiest);
    assert.equal((await s.request('room.join', { roomId: next })).type, 'response');
    const holder = nodes.findIndex((node) => node.app.services.rooms.get(tenantKey(), next));
    assert.ok(holder !== -1 && holder !== busiest, `placed on an idle node, not on node ${busiest + 1} (holder ${holder + 1})`);
    for (const h of [...held, s]) await h.request('room.leave', {});
  });
});

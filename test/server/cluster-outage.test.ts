// Redis goes away under a running cluster (issue 17, acceptance 5): calls in progress go on, new cross-node work
// is refused with `cluster_unavailable`, no node crashes, and service resumes when Redis returns — empty, as a
// restart without persistence leaves it, so each node writes its presence and placements again.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newApp } from '../../server/store/apps-file';
import { useCluster } from '../support/cluster';
import { until } from '../support/until';
import { connectAs, type TestSocket } from '../support/ws-client';

type Msg = Record<string, unknown>;

describe('cluster: Redis outage', () => {
  const apps = [newApp('Outage', { demo: true, origins: ['*'] })];
  const cluster = useCluster(['o1', 'o2'], { apps, ringTimeoutMs: 5000 });
  const { nodes } = cluster;
  async function on(i: number, id: string): Promise<TestSocket> {
    const s = await connectAs(nodes[i]!.url, await nodes[i]!.token(id));
    cluster.closeLater(s);
    return s;
  }
  const everyoneSeen = () => (nodes.every((node) => ['o1', 'o2'].every((id) => node.app.services.topology.isLive(id))) ? true : undefined);

  test('a call across nodes survives the outage; new calls get cluster_unavailable; after Redis returns calls ring across nodes again', async () => {
    const a = await on(0, 'alice');
    const b = await on(1, 'bob');
    const dial = await a.request('call.dial', { callees: ['bob'], video: false });
    const callId = (dial.data as { call: { callId: string } }).call.callId;
    await b.next((m) => m.type === 'call.incoming');
    assert.equal((await b.request('call.accept', { callId, video: false })).type, 'response');
    await a.next((m) => m.type === 'call.state' && (m.call as Msg).phase === 'connected');

    await cluster.redis.stop();
    // Longer than three heartbeats: nodes that lost Redis must not take each other for dead.
    await new Promise((r) => setTimeout(r, 1200)); // time passing is the point here, not waiting for an event
    const refused = await a.request('call.dial', { callees: ['carol'], video: false });
    assert.equal(refused.code, 'already_in_room', 'still in the call (checked before the cluster is asked)');
    const c = await on(0, 'carol');
    assert.equal((await c.request('call.dial', { callees: ['bob'], video: false })).code, 'cluster_unavailable');
    assert.equal((await c.request('room.join', { roomId: 'during-outage' })).code, 'cluster_unavailable');
    for (const node of nodes) assert.equal((await fetch(`${node.url}/healthz`)).status, 200, 'no node crashed');
    const room = nodes[0]!.app.services.rooms.get(nodes[0]!.app.services.apps.tenant(apps[0]!.environments.development!.appKey)!.key, callId);
    assert.equal(room?.participants.size, 2, 'the call goes on: both still in its room on node 1');
    await Promise.all([a.quiet(), b.quiet()]);
    assert.ok(![a, b].some((s) => s.messages.some((m) => m.type === 'call.ended')), 'nobody was told the call ended');

    await cluster.redis.start();
    await until('both nodes to see each other again', everyoneSeen, 10_000);
    await until('both buses to be back', () => (nodes.every((node) => node.app.services.topology.connected) ? true : undefined), 10_000);
    await new Promise((r) => setTimeout(r, 100)); // the resubscription reaches Redis just after ioredis says ready
    // Redis came back empty: no node took the other for dead (no failover split the call) — over a second of
    // heartbeats on the empty Redis: time passing is the point, not waiting for an event.
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(nodes[1]!.app.services.rooms.size, 0, 'node 2 did not continue the call on its own');
    assert.equal(room?.participants.size, 2);
    await Promise.all([a.quiet(), b.quiet()]);
    assert.ok(![a, b].some((s) => s.messages.some((m) => m.type === 'media.reset' || m.type === 'call.ended')), 'nobody was moved or ended');
    // The callee's node wrote its connections again: a new call from node 1 rings bob's second tab on node 2.
    await a.request('call.hangup', { callId });
    await b.next((m) => m.type === 'call.ended');
    const again = await c.request('call.dial', { callees: ['bob'], video: false });
    assert.equal(again.type, 'response', JSON.stringify(again));
    const ring = await b.next((m) => m.type === 'call.incoming' && (m.call as Msg).callId === (again.data as { call: { callId: string } }).call.callId, 10_000);
    assert.ok(ring);
  });
});

// Rings are bounded per caller and per callee: dial-and-cancel loops cannot flood a user with rings, nor the
// records and webhooks with calls. Refusals are limit_exceeded before anything rings or is recorded.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_LIMITS } from '../../server/domain/apps';
import { newApp } from '../../server/store/apps-file';
import { useCluster } from '../support/cluster';
import { startServer, type TestServer } from '../support/server';
import { until } from '../support/until';
import { connectAs, type TestSocket } from '../support/ws-client';

type Msg = Record<string, unknown>;
const callIdOf = (r: Msg) => (r.data as { call: { callId: string } }).call.callId;

/** Dials, waits for the ring to reach `callee` (when given), and cancels; returns the dial's answer. */
async function ringOnce(caller: TestSocket, callees: string[], callee?: TestSocket): Promise<Msg> {
  const answer = await caller.request('call.dial', { callees, video: false });
  if (answer.type !== 'response') return answer;
  const callId = callIdOf(answer);
  if (callee) await callee.next((m) => m.type === 'call.incoming' && (m.call as Msg).callId === callId);
  await caller.request('call.cancel', { callId });
  await caller.next((m) => m.type === 'call.ended' && m.callId === callId);
  return answer;
}

describe('ring limits', () => {
  let server: TestServer;
  const strict = newApp('Strict', { demo: true, environments: ['development'] });
  strict.environments.development!.limits = { ...DEFAULT_LIMITS, ringsPerCallerPerMinute: 3, ringsPerCalleePerMinute: 2 };
  const neighbour = newApp('Neighbour', { demo: true, environments: ['development'] });
  const sockets: TestSocket[] = [];
  before(async () => {
    server = await startServer({ apps: [strict, neighbour] });
  });
  after(async () => {
    for (const s of sockets) s.close();
    await server?.close();
  });
  async function user(userId: string, app = strict): Promise<TestSocket> {
    const s = await connectAs(server.url, await server.token(userId, { app }));
    sockets.push(s);
    return s;
  }

  test('a callee rung twice this minute is not rung a third time, by anyone; others still are', async () => {
    const [pest, other, victim, friend] = [await user('pest'), await user('other-caller'), await user('victim'), await user('friend')];
    assert.equal((await ringOnce(pest, ['victim'], victim)).type, 'response');
    assert.equal((await ringOnce(other, ['victim'], victim)).type, 'response');
    const refused = await ringOnce(pest, ['victim']);
    assert.equal(refused.code, 'limit_exceeded');
    assert.match(String(refused.message), /victim was rung 2 times in the last minute; try again in \d+ s/);
    assert.equal((await ringOnce(other, ['victim'])).code, 'limit_exceeded', 'the bound protects the callee from every caller');
    assert.equal((await ringOnce(other, ['friend'], friend)).type, 'response');
    // Nothing of the refused dials reached the victim.
    assert.equal(victim.messages.filter((m) => m.type === 'call.incoming').length, 2);
  });

  test('a caller rings at most 3 people a minute, each callee of a group dial counting', async () => {
    const caller = await user('group-caller');
    const [g1, g2] = [await user('g1'), await user('g2')];
    assert.equal((await ringOnce(caller, ['g1', 'g2'])).type, 'response');
    const refused = await ringOnce(caller, ['g3', 'g4']);
    assert.equal(refused.code, 'limit_exceeded');
    assert.match(String(refused.message), /at most 3 people per minute/);
    assert.equal((await ringOnce(caller, ['g3'])).type, 'response', 'the one ring left is still usable');
    assert.equal((await ringOnce(caller, ['g4'])).code, 'limit_exceeded');
    void g1;
    void g2;
  });

  test('invites count against the same budget', async () => {
    const host = await user('inviter');
    const first = await user('inv-1');
    const dial = await host.request('call.dial', { callees: ['inv-1'], video: false });
    const callId = callIdOf(dial);
    await first.next((m) => m.type === 'call.incoming');
    await first.request('call.accept', { callId, video: false });
    assert.equal((await host.request('call.invite', { callId, callees: ['inv-2', 'inv-3'] })).type, 'response');
    const refused = await host.request('call.invite', { callId, callees: ['inv-4'] });
    assert.equal(refused.code, 'limit_exceeded');
    await host.request('call.hangup', { callId });
  });

  test('another app is unaffected: its own defaults apply', async () => {
    const caller = await user('pest', neighbour);
    const victim = await user('victim', neighbour);
    for (let i = 0; i < 4; i += 1) assert.equal((await ringOnce(caller, ['victim'], victim)).type, 'response');
  });
});

describe('ring limits across a cluster', () => {
  const strict = newApp('Strict cluster', { demo: true, environments: ['development'] });
  strict.environments.development!.limits = { ...DEFAULT_LIMITS, ringsPerCallerPerMinute: 3, ringsPerCalleePerMinute: 2 };
  const cluster = useCluster(['r1', 'r2', 'r3'], { apps: [strict], reconnectGraceMs: 0 });
  const { nodes } = cluster;
  const sockets: TestSocket[] = [];
  after(() => {
    for (const s of sockets) s.close();
  });
  async function on(i: number, userId: string): Promise<TestSocket> {
    const s = await connectAs(nodes[i]!.url, await nodes[i]!.token(userId, { app: strict }));
    sockets.push(s);
    return s;
  }

  test('a callee rung twice from two nodes is not rung a third time from the third', async () => {
    const victim = await on(0, 'c-victim');
    assert.equal((await ringOnce(await on(0, 'c-a'), ['c-victim'], victim)).type, 'response');
    assert.equal((await ringOnce(await on(1, 'c-b'), ['c-victim'], victim)).type, 'response');
    const refused = await ringOnce(await on(2, 'c-c'), ['c-victim']);
    assert.equal(refused.code, 'limit_exceeded');
    assert.match(String(refused.message), /c-victim was rung 2 times in the last minute; try again in \d+ s/);
    assert.equal(victim.messages.filter((m) => m.type === 'call.incoming').length, 2, 'the refused dial rang nothing');
  });

  test('one caller connected to three nodes has one budget, not three', async () => {
    const tabs = [await on(0, 'c-pest'), await on(1, 'c-pest'), await on(2, 'c-pest')];
    assert.equal((await ringOnce(tabs[0]!, ['p1', 'p2'])).type, 'response');
    assert.equal((await ringOnce(tabs[1]!, ['p3'])).type, 'response');
    const refused = await ringOnce(tabs[2]!, ['p4']);
    assert.equal(refused.code, 'limit_exceeded');
    assert.match(String(refused.message), /at most 3 people per minute/);
  });

  test('Redis away: a dial is refused with cluster_unavailable, and the budget holds again once it is back', async () => {
    const caller = await on(1, 'c-outage');
    await cluster.redis.stop();
    assert.equal((await caller.request('call.dial', { callees: ['o1'], video: false })).code, 'cluster_unavailable');
    await cluster.redis.start();
    await until('the nodes to reach Redis again', () => (nodes.every((n) => n.app.services.topology.connected) ? true : undefined), 15_000);
    assert.equal((await ringOnce(caller, ['o1', 'o2', 'o3'])).type, 'response');
    assert.equal((await ringOnce(caller, ['o4'])).code, 'limit_exceeded');
  });
});

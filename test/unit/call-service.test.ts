// The server's CallService (server/domain/calls.ts) with its real rooms, presence and ring budget but no
// sockets or media: the decisions of dialling, ringing, answering, declining, hanging up and timing out,
// observed as the notifications each user's connections receive and the lifecycle events recorded.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { NotificationMap, NotificationType } from '../../protocol';
import { AppRegistry } from '../../server/domain/apps';
import { CallService } from '../../server/domain/calls';
import type { LifecycleEvent } from '../../server/domain/lifecycle';
import type { ClientLink } from '../../server/domain/links';
import type { PeerMediaPort, RoomMediaPort } from '../../server/domain/media-port';
import { Presence } from '../../server/domain/presence';
import { RoomRegistry } from '../../server/domain/rooms';
import { LocalUserDirectory } from '../../server/domain/user-directory';
import { newApp } from '../../server/store/apps-file';
import { untilTrue } from '../support/until';

/** Media that accepts everything: these tests are about who is called, rung and in the room. */
function fakeRoomMedia(): RoomMediaPort {
  const peer = { producerIds: () => [], closeProducers: () => [], close: () => undefined } as unknown as PeerMediaPort;
  return { rtpCapabilities: {}, isClosed: false, workerPid: 1, addPeer: () => peer, preparePeer: () => peer, preparedPeer: () => undefined, discardPrepared: () => undefined, removePeer: () => undefined, peer: () => peer, producers: () => [], close: () => undefined } as unknown as RoomMediaPort;
}

function world(ringTimeoutMs = 60_000) {
  const app = newApp('Calls', { demo: true, environments: ['development'] });
  const tenant = new AppRegistry([app]).tenant(app.environments.development!.appKey)!;
  const presence = new Presence();
  const rooms = new RoomRegistry(async () => fakeRoomMedia());
  const lifecycle: string[] = [];
  const calls = new CallService(rooms, new LocalUserDirectory(presence, rooms), {
    ringTimeoutMs: () => ringTimeoutMs,
    lifecycle: (_tenant, event: LifecycleEvent) => void lifecycle.push(event.type),
  });
  let n = 0;
  /** A connection of `userId` (several: call again), online; `heard` is what it was told, in order. */
  const connect = (userId: string) => {
    const heard: { type: string; payload: Record<string, unknown> }[] = [];
    const link: ClientLink = {
      id: `c${++n}`,
      identity: { tenant, userId, grants: { canPublish: true, canSubscribe: true, roomAdmin: false }, expiresAt: Date.now() + 3_600_000 },
      notify: <T extends NotificationType>(type: T, payload: NotificationMap[T]) => void heard.push({ type, payload: payload as Record<string, unknown> }),
    };
    presence.add(link);
    const types = () => heard.map((h) => h.type);
    const last = (type: string) => [...heard].reverse().find((h) => h.type === type)?.payload;
    /** The service rings just after answering the dial (the caller hears "dialled" first): wait for it. */
    const hears = (type: string, what = type) => untilTrue(`${userId} to hear ${what}`, () => types().includes(type), 2000, 5);
    const ended = async (reason: string) => {
      await untilTrue(`${userId}'s call to end (${reason})`, () => last('call.ended') !== undefined, 2000, 5);
      assert.equal(last('call.ended')?.reason, reason);
    };
    return { link, heard, types, last, hears, ended };
  };
  return { calls, rooms, connect, lifecycle, tenantKey: tenant.key };
}

describe('call service', () => {
  test('a dial rings every connection of the callee; answering on one ends the ring on the others; both are in one room', async () => {
    const { calls, rooms, connect, tenantKey } = world();
    const ann = connect('ann');
    const [benPhone, benLaptop] = [connect('ben'), connect('ben')];
    const { call } = await calls.dial(ann.link, ['ben'], true);
    await Promise.all([benPhone.hears('call.incoming'), benLaptop.hears('call.incoming')]);
    await calls.accept(benLaptop.link, call.callId, true);
    assert.equal(benPhone.last('call.ended')?.reason, 'answered_elsewhere');
    assert.equal((ann.last('call.state')?.call as { phase: string }).phase, 'connected');
    assert.deepEqual([...rooms.get(tenantKey, call.callId)!.participants.keys()].sort(), ['ann', 'ben']);
  });

  test('decline, cancel and busy end the call for the caller with their reasons', async () => {
    const { calls, connect } = world();
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(connect) as [ReturnType<typeof connect>, ReturnType<typeof connect>, ReturnType<typeof connect>, ReturnType<typeof connect>];
    const declined = (await calls.dial(a.link, ['b'], false)).call.callId;
    await b.hears('call.incoming');
    calls.decline(b.link, declined);
    await a.ended('declined');
    a.heard.length = b.heard.length = 0;
    const cancelled = (await calls.dial(a.link, ['b'], false)).call.callId;
    await b.hears('call.incoming');
    calls.cancel(a.link, cancelled);
    await b.ended('cancelled');
    a.heard.length = 0;
    // c is in a call with d: dialling c finds it busy.
    const cd = (await calls.dial(c.link, ['d'], false)).call.callId;
    await d.hears('call.incoming');
    await calls.accept(d.link, cd, false);
    await calls.dial(a.link, ['c'], false);
    await a.ended('busy');
    assert.ok(!c.types().includes('call.incoming'), 'a busy callee is not rung');
  });

  test('nobody online: unavailable; nobody answers: no_answer after the ring timeout, for both sides', async () => {
    const { calls, connect, lifecycle } = world(50);
    const a = connect('a');
    await calls.dial(a.link, ['ghost'], false);
    await a.ended('unavailable');
    a.heard.length = 0;
    const b = connect('b');
    await calls.dial(a.link, ['b'], false);
    await b.hears('call.incoming');
    await a.ended('no_answer');
    await b.ended('no_answer');
    assert.ok(lifecycle.includes('call.ended'));
  });

  test('in a group call one hang-up leaves the others talking; when one is left alone the call ends', async () => {
    const { calls, connect } = world();
    const [a, b, c] = ['a', 'b', 'c'].map(connect) as [ReturnType<typeof connect>, ReturnType<typeof connect>, ReturnType<typeof connect>];
    const id = (await calls.dial(a.link, ['b', 'c'], false)).call.callId;
    await Promise.all([b.hears('call.incoming'), c.hears('call.incoming')]);
    await calls.accept(b.link, id, false);
    await calls.accept(c.link, id, false);
    calls.hangup(a.link, id);
    assert.equal(a.last('call.ended')?.reason, 'hangup');
    assert.ok(!b.types().includes('call.ended') && !c.types().includes('call.ended'), 'b and c are still talking');
    calls.hangup(b.link, id);
    await c.ended('hangup');
  });

  test('a callee cannot accept twice, and nobody can act on a call of another app environment', async () => {
    const { calls, connect } = world();
    const a = connect('a');
    const b = connect('b');
    const id = (await calls.dial(a.link, ['b'], false)).call.callId;
    await b.hears('call.incoming');
    await calls.accept(b.link, id, false);
    await assert.rejects(calls.accept(b.link, id, false), { code: 'invalid_state' });
    const other = world().connect('b');
    await assert.rejects(calls.accept(other.link, id, false), { code: 'not_found' });
  });
});

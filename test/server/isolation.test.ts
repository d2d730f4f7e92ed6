import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newApp } from '../../server/store/apps-file';
import { connectAs } from '../support/ws-client';
import { startServer, type TestServer } from '../support/server';

const appA = newApp('A', { demo: true, origins: ['*'] });
const appB = newApp('B', { demo: true, origins: ['*'] });

describe('tenant isolation (App Key × environment)', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ apps: [appA, appB] });
  });
  after(() => server?.close());

  test('a development user cannot ring a production user with the same id, nor another app\u2019s user', async () => {
    const prodBob = await connectAs(server.url, await server.token('bob', { app: appA, environment: 'production' }));
    const otherAppBob = await connectAs(server.url, await server.token('bob', { app: appB }));
    const devAlice = await connectAs(server.url, await server.token('alice', { app: appA }));
    const dial = await devAlice.request('call.dial', { callees: ['bob'], video: false });
    assert.equal(dial.type, 'response');
    const ended = await devAlice.next((m) => m.type === 'call.ended');
    assert.equal(ended.reason, 'unavailable', 'bob does not exist in A/development');
    // The dial was handled (and refused) before these barriers: a ring for either bob would be in by now.
    await Promise.all([prodBob.quiet(), otherAppBob.quiet()]);
    assert.ok(!prodBob.messages.some((m) => m.type === 'call.incoming'), 'production bob never rang');
    assert.ok(!otherAppBob.messages.some((m) => m.type === 'call.incoming'), 'app B bob never rang');
    for (const s of [prodBob, otherAppBob, devAlice]) s.close();
  });

  test('the same RoomID in two tenants is two rooms that cannot see each other', async () => {
    const a = await connectAs(server.url, await server.token('u1', { app: appA }));
    const b = await connectAs(server.url, await server.token('u2', { app: appB }));
    const p = await connectAs(server.url, await server.token('u3', { app: appA, environment: 'production' }));
    const ra = await a.request('room.join', { roomId: 'lobby' });
    const rb = await b.request('room.join', { roomId: 'lobby' });
    const rp = await p.request('room.join', { roomId: 'lobby' });
    const sessions = [ra, rb, rp].map((r) => (r.data as { sessionId: string }).sessionId);
    assert.equal(new Set(sessions).size, 3, 'three separate sessions');
    for (const r of [rb, rp]) assert.deepEqual((r.data as { participants: { userId: string }[] }).participants.map((x) => x.userId).length, 1);
    await a.quiet(); // the other joins were answered before: a join notice for A would be in by now
    assert.ok(!a.messages.some((m) => m.type === 'room.participantJoined'), 'nobody from another tenant joined A\u2019s lobby');
    for (const s of [a, b, p]) s.close();
  });

  test('a guessed CallID from another tenant is not found, and reveals nothing', async () => {
    const caller = await connectAs(server.url, await server.token('carol', { app: appA }));
    const callee = await connectAs(server.url, await server.token('dave', { app: appA }));
    const intruder = await connectAs(server.url, await server.token('dave', { app: appB }));
    const dial = await caller.request('call.dial', { callees: ['dave'], video: false });
    const callId = (dial.data as { call: { callId: string } }).call.callId;
    await callee.next((m) => m.type === 'call.incoming');
    for (const type of ['call.accept', 'call.decline', 'call.hangup', 'call.cancel']) {
      const r = await intruder.request(type, type === 'call.accept' ? { callId, video: false } : { callId });
      assert.equal(r.code, 'not_found', type);
    }
    const stranger = await connectAs(server.url, await server.token('erin', { app: appA }));
    const r = await stranger.request('call.accept', { callId, video: false });
    assert.equal(r.code, 'not_found', 'a stranger in the same tenant cannot accept either');
    for (const s of [caller, callee, intruder, stranger]) s.close();
  });
});

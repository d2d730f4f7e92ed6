import { DEFAULT_LIMITS } from '../../server/domain/apps';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newApp } from '../../server/store/apps-file';
import { connectAs, type TestSocket } from '../support/ws-client';
import { startServer, type TestServer } from '../support/server';

const app = newApp('Rooms', { demo: true, origins: ['*'] });
app.environments.development!.limits = { ...DEFAULT_LIMITS, maxParticipants: 3, maxVideoPublishers: 2 };
const basic = `Basic ${Buffer.from(`${app.environments.development!.appKey}:${app.environments.development!.secret}`).toString('base64')}`;

describe('conference and live rooms, limits, moderation, sessions', () => {
  let server: TestServer;
  const open: TestSocket[] = [];
  let n = 0;
  async function as(grants: { roomAdmin?: boolean; canPublish?: boolean } = {}, id = `p${++n}`): Promise<[TestSocket, string]> {
    const s = await connectAs(server.url, await server.token(id, { app, grants }));
    open.push(s);
    return [s, id];
  }
  before(async () => {
    server = await startServer({ apps: [app] });
  });
  after(async () => {
    for (const s of open) s.close();
    await server?.close();
  });

  test('three users share a conference room by RoomID; it disappears when empty and is re-created with a new session', async () => {
    const users = [await as(), await as(), await as()];
    const joins = [];
    for (const [s] of users) joins.push(await s.request('room.join', { roomId: 'standup', video: false }));
    const sessionIds = new Set(joins.map((j) => (j.data as { sessionId: string }).sessionId));
    assert.equal(sessionIds.size, 1, 'one session');
    assert.equal((joins[2]!.data as { participants: unknown[] }).participants.length, 3);
    const first = [...sessionIds][0]!;
    for (const [s] of users) await s.request('room.leave');
    assert.equal(server.app.services.rooms.get(`${app.id}:development`, 'standup'), undefined, 'room gone');
    const again = await users[0]![0].request('room.join', { roomId: 'standup', video: false });
    assert.notEqual((again.data as { sessionId: string }).sessionId, first, 'RoomID reused, new session');
    await users[0]![0].request('room.leave');

    // The ended session is queryable with the app secret.
    const res = await fetch(`${server.url}/v1/sessions/${first}`, { headers: { authorization: basic } });
    assert.equal(res.status, 200);
    const record = (await res.json()) as { endedAt?: string; endReason?: string; participants: { userId: string; leftAt?: string }[] };
    assert.equal(record.endReason, 'all_left');
    assert.ok(record.endedAt);
    assert.deepEqual(record.participants.map((p) => p.userId).sort(), users.map(([, id]) => id).sort());
    assert.ok(record.participants.every((p) => p.leftAt));
    assert.equal((await fetch(`${server.url}/v1/sessions/${first}`)).status, 401);
  });

  test('GET /v1/rooms/:roomId shows the live session and who publishes', async () => {
    const [a, aId] = await as();
    await a.request('room.join', { roomId: 'live-check', video: false });
    const res = await fetch(`${server.url}/v1/rooms/live-check`, { headers: { authorization: basic } });
    const body = (await res.json()) as { participants: { userId: string; publishing: { mic: boolean } }[]; sessionId: string };
    assert.equal(res.status, 200);
    assert.deepEqual(body.participants.map((p) => p.userId), [aId]);
    assert.equal(body.participants[0]!.publishing.mic, false);
    assert.equal((await fetch(`${server.url}/v1/rooms/nope`, { headers: { authorization: basic } })).status, 404);
    await a.request('room.leave');
  });

  test('limits: participants over the maximum get room_full; video over the maximum gets video_full, audio-only still joins', async () => {
    const users = [await as(), await as(), await as(), await as()];
    assert.equal((await users[0]![0].request('room.join', { roomId: 'small' })).type, 'response');
    assert.equal((await users[1]![0].request('room.join', { roomId: 'small' })).type, 'response');
    const third = await users[2]![0].request('room.join', { roomId: 'small', video: true });
    assert.equal(third.code, 'video_full');
    assert.equal((await users[2]![0].request('room.join', { roomId: 'small', video: false })).type, 'response', 'audio-only offer path');
    assert.equal((await users[3]![0].request('room.join', { roomId: 'small', video: false })).code, 'room_full');
    for (const [s] of users) await s.request('room.leave');
  });

  test('live room: the audience gets no send transport and is only counted; the admin moves a viewer on stage and back', async () => {
    const [host] = await as({ roomAdmin: true });
    const viewers = [await as(), await as(), await as()];
    const hostJoin = await host.request('room.join', { roomId: 'show', kind: 'live' });
    assert.equal((hostJoin.data as { role: string }).role, 'host');
    for (const [v] of viewers) {
      const j = await v.request('room.join', { roomId: 'show', kind: 'live' });
      assert.equal((j.data as { role: string }).role, 'audience');
      assert.equal((await v.request('media.createTransport', { direction: 'send' })).code, 'forbidden');
      assert.equal((await v.request('media.createTransport', { direction: 'recv' })).type, 'response');
    }
    const count = await host.next((m) => m.type === 'room.audience' && m.count === 3);
    assert.equal(count.count, 3);
    assert.ok(!host.messages.some((m) => m.type === 'room.participantJoined'), 'viewers are not listed');
    const [v1, v1Id] = viewers[0]!;
    assert.equal((await viewers[1]![0].request('room.setRole', { userId: v1Id, role: 'host' })).code, 'forbidden', 'only admins');
    assert.equal((await host.request('room.setRole', { userId: v1Id, role: 'host' })).type, 'response');
    await v1.next((m) => m.type === 'room.roleChanged' && m.role === 'host');
    assert.equal((await v1.request('media.createTransport', { direction: 'send' })).type, 'response', 'on stage: may publish');
    assert.equal((await host.request('room.setRole', { userId: v1Id, role: 'audience' })).type, 'response');
    await v1.next((m) => m.type === 'room.roleChanged' && m.role === 'audience');
    for (const [s] of [[host], ...viewers]) await (s as TestSocket).request('room.leave');
  });

  test('moderation: an admin removes a participant; a non-admin cannot', async () => {
    const [admin] = await as({ roomAdmin: true });
    const [b, bId] = await as();
    const [c, cId] = await as();
    await admin.request('room.join', { roomId: 'modroom', video: false });
    await b.request('room.join', { roomId: 'modroom', video: false });
    await c.request('room.join', { roomId: 'modroom', video: false });
    assert.equal((await c.request('room.removeParticipant', { userId: bId })).code, 'forbidden');
    assert.equal((await c.request('room.muteParticipant', { userId: bId, source: 'mic' })).code, 'forbidden');
    assert.equal((await admin.request('room.muteParticipant', { userId: bId, source: 'mic' })).code, 'not_found', 'nothing to mute yet');
    assert.equal((await admin.request('room.removeParticipant', { userId: cId })).type, 'response');
    const closed = await c.next((m) => m.type === 'room.closed');
    assert.equal(closed.reason, 'removed');
    await admin.next((m) => m.type === 'room.participantLeft' && m.userId === cId);
    await admin.request('room.leave');
    await b.request('room.leave');
  });

  test('multi-party: invite rings more people into a running call', async () => {
    const [a] = await as();
    const [b, bId] = await as();
    const [c, cId] = await as();
    const dial = await a.request('call.dial', { callees: [bId], video: false });
    const callId = (dial.data as { call: { callId: string } }).call.callId;
    await b.next((m) => m.type === 'call.incoming');
    await b.request('call.accept', { callId, video: false });
    const invited = await b.request('call.invite', { callId, callees: [cId] });
    assert.equal(invited.type, 'response', 'anyone in the call may invite');
    const ring = await c.next((m) => m.type === 'call.incoming');
    assert.equal((ring.call as { callId: string }).callId, callId);
    const accepted = await c.request('call.accept', { callId, video: false });
    assert.equal(accepted.type, 'response', JSON.stringify(accepted));
    await a.request('call.hangup', { callId });
    await b.quiet(); // A's hang-up was handled: had it ended the call, B's call.ended would be in by now
    assert.ok(!b.messages.some((m) => m.type === 'call.ended'), `the call goes on with two: ${JSON.stringify(b.messages.filter((m) => m.type === 'call.ended'))}`);
    await b.request('call.hangup', { callId });
    assert.equal((await c.next((m) => m.type === 'call.ended')).reason, 'hangup');
  });
});

// Moderation that holds and room kinds nobody can take: a removed participant stays out of that room session
// (until an admin allows them), a live room opens only with a host, room ids are per kind, mute works by
// source and relabelled video still takes a video place.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_LIMITS } from '../../server/domain/apps';
import { newApp } from '../../server/store/apps-file';
import { startServer, type TestServer } from '../support/server';
import { connectAs, type TestSocket } from '../support/ws-client';

type Msg = Record<string, unknown>;
const DTLS = { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: `${'CD:'.repeat(31)}CD` }] };
let ssrc = 5000;
const rtp = (kind: 'audio' | 'video', mid: string) => ({
  mid,
  codecs: [kind === 'audio' ? { mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: {} } : { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, parameters: {} }],
  encodings: [{ ssrc: ++ssrc }],
  headerExtensions: [],
  rtcp: { cname: 'm' },
});

describe('moderation and room kinds', () => {
  let server: TestServer;
  const app = newApp('Moderated', { demo: true, environments: ['development'] });
  app.environments.development!.limits = { ...DEFAULT_LIMITS, maxVideoPublishers: 1 };
  const sockets: TestSocket[] = [];
  before(async () => {
    server = await startServer({ apps: [app] });
  });
  after(async () => {
    for (const s of sockets) s.close();
    await server?.close();
  });
  async function as(userId: string, roomAdmin = false): Promise<TestSocket> {
    const s = await connectAs(server.url, await server.token(userId, { app, grants: { roomAdmin, canPublish: true, canSubscribe: true } }));
    sockets.push(s);
    return s;
  }
  const basic = () => {
    const env = app.environments.development!;
    return `Basic ${Buffer.from(`${env.appKey}:${env.secret}`).toString('base64')}`;
  };

  test('a removed participant cannot rejoin the session until an admin allows them; the next session starts clean', async () => {
    const [admin, troll] = [await as('mod-admin', true), await as('mod-troll')];
    await admin.request('room.join', { roomId: 'town-hall', video: false });
    const first = (await troll.request('room.join', { roomId: 'town-hall', video: false })).data as { sessionId: string };
    assert.equal((await admin.request('room.removeParticipant', { userId: 'mod-troll' })).type, 'response');
    assert.equal((await troll.next((m) => m.type === 'room.closed')).reason, 'removed');
    const again = await troll.request('room.join', { roomId: 'town-hall', video: false });
    assert.equal(again.code, 'forbidden');
    assert.match(String(again.message), /an admin removed you from room town-hall/);
    assert.equal((await troll.request('room.allowParticipant', { userId: 'mod-admin' })).code, 'forbidden', 'only admins allow');
    assert.equal((await admin.request('room.allowParticipant', { userId: 'mod-troll' })).type, 'response');
    const back = await troll.request('room.join', { roomId: 'town-hall', video: false });
    assert.equal((back.data as { sessionId: string }).sessionId, first.sessionId, 'same session');
    // Removed again, then everyone leaves: a new session of the room has nobody removed.
    await admin.request('room.removeParticipant', { userId: 'mod-troll' });
    await admin.request('room.leave');
    const next = await troll.request('room.join', { roomId: 'town-hall', video: false });
    assert.equal(next.type, 'response');
    assert.notEqual((next.data as { sessionId: string }).sessionId, first.sessionId);
    await troll.request('room.leave');
  });

  test('a live room opens only with a host, and a conference of the same id does not take it', async () => {
    const [viewer, host] = [await as('early-viewer'), await as('show-host', true)];
    const early = await viewer.request('room.join', { roomId: 'launch', kind: 'live' });
    assert.equal(early.code, 'not_found');
    assert.match(String(early.message), /has not started: it opens when a host joins/);
    // The viewer squats the id as a conference: the host's live room is another room.
    assert.equal(((await viewer.request('room.join', { roomId: 'launch', video: false })).data as Msg).kind, 'conference');
    const live = await host.request('room.join', { roomId: 'launch', kind: 'live', video: false });
    assert.equal((live.data as Msg).kind, 'live');
    assert.equal((live.data as Msg).role, 'host');
    await viewer.request('room.leave');
    assert.equal(((await viewer.request('room.join', { roomId: 'launch', kind: 'live' })).data as Msg).role, 'audience');
    const rest = async (query: string) => (await fetch(`${server.url}/v1/rooms/launch${query}`, { headers: { authorization: basic() } })).json() as Promise<Msg>;
    assert.equal((await rest('?kind=live')).kind, 'live');
    assert.equal((await rest('')).kind, 'live');
    await viewer.request('room.leave');
    await host.request('room.leave');
  });

  test('mute by source: the only audio a participant can send is its mic, and the admin pauses it', async () => {
    const [admin, dodger] = [await as('mute-admin', true), await as('mute-dodger')];
    await admin.request('room.join', { roomId: 'muted', video: false });
    await dodger.request('room.join', { roomId: 'muted', video: false });
    const send = (await dodger.request('media.createTransport', { direction: 'send' })).data as { id: string };
    await dodger.request('media.connectTransport', { transportId: send.id, dtlsParameters: DTLS });
    const mic = (await dodger.request('media.produce', { transportId: send.id, kind: 'audio', rtpParameters: rtp('audio', '0'), source: 'mic' })).data as { producerId: string };
    // A second audio stream, under any label, is refused: nothing escapes the mute.
    assert.equal((await dodger.request('media.produce', { transportId: send.id, kind: 'audio', rtpParameters: rtp('audio', '1'), source: 'mic' })).code, 'limit_exceeded');
    assert.equal((await dodger.request('media.produce', { transportId: send.id, kind: 'audio', rtpParameters: rtp('audio', '2'), source: 'screen' })).code, 'media_error');
    assert.equal((await admin.request('room.muteParticipant', { userId: 'mute-dodger', source: 'mic' })).type, 'response');
    const forced = await dodger.next((m) => m.type === 'media.forceMuted');
    assert.equal(forced.producerId, mic.producerId);
    assert.equal((await admin.next((m) => m.type === 'media.producerState' && m.producerId === mic.producerId)).paused, true);
    await dodger.request('room.leave');
    await admin.request('room.leave');
  });

  test('screen video takes a video place like a camera', async () => {
    const [cam, sneaky] = [await as('vid-cam'), await as('vid-sneaky')];
    await cam.request('room.join', { roomId: 'one-video', video: true });
    await sneaky.request('room.join', { roomId: 'one-video', video: false });
    const send = (await sneaky.request('media.createTransport', { direction: 'send' })).data as { id: string };
    await sneaky.request('media.connectTransport', { transportId: send.id, dtlsParameters: DTLS });
    const screen = await sneaky.request('media.produce', { transportId: send.id, kind: 'video', rtpParameters: rtp('video', '0'), source: 'screen' });
    assert.equal(screen.code, 'video_full');
    await cam.request('room.leave');
    assert.equal((await sneaky.request('media.produce', { transportId: send.id, kind: 'video', rtpParameters: rtp('video', '1'), source: 'screen' })).type, 'response');
  });
});

// The widget's room session (widget/call/room-session.ts) without a browser: membership comes from the room,
// media attaches to it, and mic/camera intent has one owner. The media client is a stand-in that reports what
// a real one would have consumed (test/e2e covers the real one).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Notification, RoomJoined } from '../../protocol';
import type { RemoteMedia } from '../../widget/call/engine';
import { MediaIntent } from '../../widget/call/media-intent';
import { RoomSession } from '../../widget/call/room-session';

/** What RoomSession uses of a MediaClient: consumption and what it has received. */
class ReceivedMedia {
  received: RemoteMedia[] = [];
  consumed: string[] = [];
  paused: string[] = [];
  onChange: (() => void) | undefined;
  onFailed: (() => void) | undefined;
  async consume(p: { producerId: string }): Promise<void> {
    this.consumed.push(p.producerId);
  }
  remotes(): RemoteMedia[] {
    return this.received;
  }
  removeUser(userId: string): void {
    this.received = this.received.filter((r) => r.userId !== userId);
  }
  markPaused(source: string): void {
    this.paused.push(source);
  }
  async setSourceEnabled(): Promise<void> {}
  close(): void {}
}

const room = (participants: RoomJoined['participants'], role: RoomJoined['role'] = 'participant'): RoomJoined => ({
  roomId: 'r', kind: 'conference', sessionId: 's', role, audienceCount: 0, routerRtpCapabilities: {}, participants, producers: [],
});

async function joined(participants: RoomJoined['participants'], grants = { canPublish: false, canSubscribe: true, roomAdmin: false }) {
  const media = new ReceivedMedia();
  const intent = new MediaIntent();
  const session = new RoomSession({} as never, {} as never, grants, 'me', intent);
  await session.start(room(participants), Promise.resolve(undefined), { media: media as never });
  session.close(); // stops the quality sampler; membership and remotes() still read as they were
  return { session, media, intent };
}
const tiles = (s: RoomSession) => s.remotes().map((r) => `${r.userId}:${r.name ?? '-'}:${r.hasVideo ? 'video' : 'none'}`);
const notify = (s: RoomSession, n: Notification) => s.handle(n);

describe('room session: participants first', () => {
  test('everyone already in the room has a tile at once, in join order, without you — media or not', async () => {
    const { session } = await joined([{ userId: 'ann', name: 'Ann' }, { userId: 'me', name: 'Me' }, { userId: 'walt', name: 'Walt' }]);
    assert.deepEqual(tiles(session), ['ann:Ann:none', 'walt:Walt:none']);
  });

  test('media attaches to the member it belongs to; the member keeps their place and name', async () => {
    const { session, media } = await joined([{ userId: 'ann', name: 'Ann' }, { userId: 'ben', name: 'Ben' }]);
    media.received = [{ userId: 'ben', hasAudio: true, hasVideo: true, micMuted: false, cameraOff: false }];
    assert.deepEqual(tiles(session), ['ann:Ann:none', 'ben:Ben:video']);
  });

  test('joins and leaves follow the room; the audience has no tile until moved on stage', async () => {
    const { session, media } = await joined([{ userId: 'ann', name: 'Ann' }]);
    notify(session, { type: 'room.participantJoined', participant: { userId: 'cat', name: 'Cat' } });
    notify(session, { type: 'room.participantJoined', participant: { userId: 'vic', name: 'Vic', role: 'audience' } });
    assert.deepEqual(tiles(session), ['ann:Ann:none', 'cat:Cat:none']);
    notify(session, { type: 'room.roleChanged', userId: 'vic', role: 'host' });
    assert.deepEqual(tiles(session), ['ann:Ann:none', 'cat:Cat:none', 'vic:Vic:none']);
    media.received = [{ userId: 'ann', hasAudio: true, hasVideo: true, micMuted: false, cameraOff: false }];
    notify(session, { type: 'room.participantLeft', userId: 'ann' });
    assert.deepEqual(tiles(session), ['cat:Cat:none', 'vic:Vic:none'], 'a leaver goes with their media');
  });

  test('media of someone the room has not announced yet still shows (a join racing its first producer)', async () => {
    const { session, media } = await joined([]);
    media.received = [{ userId: 'eve', hasAudio: true, hasVideo: false, micMuted: false, cameraOff: false }];
    assert.deepEqual(tiles(session), ['eve:-:none']);
  });

  test("a moderator's mute turns your mic intent off where the controller reads it (one owner)", async () => {
    const { session, media, intent } = await joined([{ userId: 'ann' }]);
    notify(session, { type: 'media.forceMuted', producerId: 'p', source: 'mic', by: 'ann' });
    assert.equal(intent.mic, false);
    assert.equal(session.micEnabled, false);
    assert.equal(intent.camera, true);
    assert.deepEqual(media.paused, ['mic']);
  });
});

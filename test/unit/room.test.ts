// The Room aggregate (server/domain/room.ts) without media or sockets: its rules for joining, leaving, roles,
// video places, removal and speaking, and the events it announces — which the notifier turns into exactly the
// notifications clients got before (server/domain/room-notifier.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ClientLink } from '../../server/domain/links';
import type { PeerMediaPort, RoomMediaPort } from '../../server/domain/media-port';
import { Room, type RoomKind } from '../../server/domain/room';
import type { RoomEvent } from '../../server/domain/room-events';
import { notifyClients } from '../../server/domain/room-notifier';

const limits = { maxParticipants: 3, maxVideoPublishers: 1 };
const tenant = { key: 't', appId: 'a', environment: 'development' } as never;

function fakePeer(producers: string[]): PeerMediaPort {
  return { producerIds: () => [...producers], closeProducers: () => producers.splice(0) } as unknown as PeerMediaPort;
}

function setup(kind: RoomKind = 'conference') {
  const events: RoomEvent[] = [];
  const heard: string[] = [];
  const removedPeers: string[] = [];
  const media = { removePeer: (u: string) => removedPeers.push(u), close: () => undefined, rtpCapabilities: {} } as unknown as RoomMediaPort;
  const room = new Room(tenant, 'r', kind, media, () => fakePeer(['p-cam']), (e) => {
    events.push(e);
    notifyClients(e);
  });
  const link = (userId: string, grants: { roomAdmin?: boolean; canPublish?: boolean } = {}): ClientLink => ({
    id: `c-${userId}`,
    identity: { tenant, userId, name: userId.toUpperCase(), grants: { canPublish: true, canSubscribe: true, roomAdmin: false, ...grants }, expiresAt: 0 } as never,
    notify: (type, payload) => void heard.push(`${userId} ${type} ${JSON.stringify(payload)}`),
  });
  return { room, events, heard, removedPeers, link };
}

describe('the room aggregate', () => {
  test('a join is announced to the others (not the joiner); a leave closes what they published', () => {
    const { room, heard, removedPeers, link } = setup();
    room.admit(link('ann'), true, limits);
    room.admit(link('ben'), false, limits);
    assert.deepEqual(heard, ['ann room.participantJoined {"participant":{"userId":"ben","name":"BEN","role":"participant"}}']);
    heard.length = 0;
    room.leave('ann');
    assert.deepEqual(heard, ['ben media.producerClosed {"producerId":"p-cam"}', 'ben room.participantLeft {"userId":"ann"}']);
    assert.deepEqual(removedPeers, ['ann']);
    assert.equal(room.leave('ann'), undefined, 'leaving twice changes nothing');
  });

  test('stage places and video places are enforced with typed refusals', () => {
    const { room, link } = setup();
    room.admit(link('a'), true, limits);
    assert.throws(() => room.admit(link('b'), true, limits), { code: 'video_full' });
    room.admit(link('b'), false, limits);
    assert.throws(() => room.takeVideoPlace('b', limits.maxVideoPublishers), { code: 'video_full' });
    room.admit(link('c'), false, limits);
    assert.throws(() => room.admit(link('d'), false, limits), { code: 'room_full' });
    room.leave('a');
    room.takeVideoPlace('b', limits.maxVideoPublishers);
    assert.equal(room.videoPublishers, 1);
  });

  test('removed users stay out of this session until allowed again', () => {
    const { room, heard, link } = setup();
    room.admit(link('x'), false, limits);
    room.remove('x');
    assert.deepEqual(heard, ['x room.closed {"roomId":"r","reason":"removed"}']);
    room.leave('x');
    assert.throws(() => room.admit(link('x'), false, limits), { code: 'forbidden' });
    room.allow('x');
    assert.throws(() => room.allow('x'), { code: 'not_found' });
    room.admit(link('x'), false, limits);
  });

  test('live rooms: admins are hosts, the rest audience (counted, not announced); a move on stage and back', () => {
    const { room, heard, link } = setup('live');
    room.admit(link('host', { roomAdmin: true }), true, limits);
    room.admit(link('viewer'), true, limits);
    assert.equal(room.participants.get('viewer')?.info.role, 'audience');
    assert.equal(room.participants.get('viewer')?.video, false, 'the audience takes no video place');
    assert.deepEqual(heard, ['host room.audience {"count":1}', 'viewer room.audience {"count":1}']);
    heard.length = 0;
    room.setRole('viewer', 'host');
    assert.ok(heard.includes('host room.roleChanged {"userId":"viewer","role":"host"}'));
    assert.ok(heard.includes('host room.participantJoined {"participant":{"userId":"viewer","name":"VIEWER","role":"host"}}'));
    heard.length = 0;
    room.setRole('viewer', 'audience');
    assert.ok(heard.includes('host media.producerClosed {"producerId":"p-cam"}'), heard.join('\n'));
    assert.ok(heard.includes('host room.participantLeft {"userId":"viewer"}'));
    assert.throws(() => setup('conference').room.setRole('x', 'host'), { code: 'invalid_state' });
  });

  test('the speaker is remembered for later joiners and forgotten when they leave; the session ends once', () => {
    const { room, events, link } = setup();
    room.admit(link('ann'), false, limits);
    room.speaking('ann');
    assert.equal(room.activeSpeaker, 'ann');
    room.leave('ann');
    assert.equal(room.activeSpeaker, null);
    assert.equal(room.close('all_left'), true);
    assert.equal(room.close('shutdown'), false);
    assert.deepEqual(events.filter((e) => e.type === 'sessionEnded').map((e) => (e as { reason: string }).reason), ['all_left']);
  });
});

import { randomUUID } from 'node:crypto';
import type { ParticipantInfo, ParticipantRole, ProducerInfo } from '../../protocol';
import { ServiceError } from '../errors';
import type { PeerMediaPort, RoomMediaPort } from './media-port';
import type { TenantRef } from './lifecycle';
import type { ClientLink } from './links';
import type { RoomEvent, SessionEndReason } from './room-events';

export type RoomKind = 'conference' | 'live' | 'call';

/** Someone in a room, as everyone else reads it; only their Room changes it. */
export interface Participant {
  readonly info: Readonly<ParticipantInfo & { role: ParticipantRole }>;
  readonly link: ClientLink;
  readonly media: PeerMediaPort;
  readonly joinedAt: number;
  /** Publishing (or intending to publish) video: takes one of the room's video places. */
  readonly video: boolean;
}

type Member = { -readonly [K in keyof Participant]: Participant[K] };

/** Makes a participant's media in the room's current media (a new one after the room moved workers). */
export type PeerFactory = (media: RoomMediaPort, link: ClientLink, connectionId: string | undefined) => PeerMediaPort;

/** The limits a join is checked against (the app environment's). */
export interface RoomLimits {
  maxParticipants: number;
  maxVideoPublishers: number;
}

/**
 * A live room — from its first join until its last participant leaves, one session — as an aggregate: it owns
 * who is in it, their roles and video places, who was removed, who speaks, its media and whether it has ended,
 * and enforces the rules of each change. Every change is announced as a RoomEvent (room-events.ts): the
 * notifier tells clients, records and the cluster directory follow. Nothing else writes its state.
 */
export class Room {
  readonly sessionId = randomUUID();
  readonly startedAt = Date.now();
  private readonly members = new Map<string, Member>();
  /** Users an admin removed: they cannot rejoin this session unless an admin allows them again. */
  private readonly removedUsers = new Set<string>();
  private ended = false;
  private reason: string | undefined;
  private speaker: string | null = null;

  constructor(
    readonly tenant: TenantRef,
    readonly roomId: string,
    readonly kind: RoomKind,
    private currentMedia: RoomMediaPort,
    private readonly peer: PeerFactory,
    private readonly emit: (event: RoomEvent) => void,
  ) {}

  get tenantKey(): string {
    return this.tenant.key;
  }

  get participants(): ReadonlyMap<string, Participant> {
    return this.members;
  }

  /** The room's media (replaced when the room moves to another media worker). */
  get media(): RoomMediaPort {
    return this.currentMedia;
  }

  get closed(): boolean {
    return this.ended;
  }

  /** Why the session ended, when something more specific than "everyone left" is known (a call's end reason). */
  get endReason(): string | undefined {
    return this.reason;
  }

  /** The current dominant speaker, so someone who joins later sees it at once (only changes are announced). */
  get activeSpeaker(): string | null {
    return this.speaker;
  }

  /** Everyone on stage (the audience of a live room is only counted). */
  participantInfos(): ParticipantInfo[] {
    return [...this.members.values()].filter((p) => p.info.role !== 'audience').map((p) => p.info);
  }

  get audienceCount(): number {
    let n = 0;
    for (const p of this.members.values()) if (p.info.role === 'audience') n += 1;
    return n;
  }

  /** Participants publishing (or intending to publish) video. */
  get videoPublishers(): number {
    let n = 0;
    for (const p of this.members.values()) if (p.video && p.info.role !== 'audience') n += 1;
    return n;
  }

  get onStage(): number {
    return this.members.size - this.audienceCount;
  }

  /**
   * Lets `link`'s user in, or refuses with a typed error: removed from this session, no stage place left, or
   * no video place (join audio-only). A live room's admins are its hosts, everyone else its audience.
   */
  admit(link: ClientLink, wantsVideo: boolean, limits: RoomLimits): Participant {
    const { identity } = link;
    if (this.removedUsers.has(identity.userId)) {
      throw new ServiceError('forbidden', `an admin removed you from room ${this.roomId}; you may rejoin once an admin allows you again, or in its next session`);
    }
    const role: ParticipantRole = this.kind !== 'live' ? 'participant' : identity.grants.roomAdmin ? 'host' : 'audience';
    const video = role !== 'audience' && identity.grants.canPublish && wantsVideo;
    if (role !== 'audience' && this.onStage >= limits.maxParticipants) throw new ServiceError('room_full', `the room is full (${limits.maxParticipants} participants)`);
    if (video && this.videoPublishers >= limits.maxVideoPublishers) {
      throw new ServiceError('video_full', `the room already has ${limits.maxVideoPublishers} video participants; join audio-only`);
    }
    const info = {
      userId: identity.userId,
      ...(identity.name !== undefined ? { name: identity.name } : {}),
      ...(identity.avatarUrl !== undefined ? { avatarUrl: identity.avatarUrl } : {}),
      role,
    };
    const participant: Member = { info, link, media: this.peer(this.currentMedia, link, link.id), joinedAt: Date.now(), video };
    this.members.set(identity.userId, participant);
    this.emit({ type: 'participantJoined', room: this, participant });
    return participant;
  }

  /** `userId` leaves (hang-up, leave, removal, connection lost); undefined when not in the room. */
  leave(userId: string): Participant | undefined {
    const participant = this.members.get(userId);
    if (!participant) return undefined;
    const producerIds = participant.media.producerIds();
    this.members.delete(userId);
    if (this.speaker === userId) this.speaker = null;
    this.currentMedia.removePeer(userId);
    this.emit({ type: 'participantLeft', room: this, participant, producerIds });
    return participant;
  }

  /** Joined audio-only, turning video on: only while the room has a free video place. */
  takeVideoPlace(userId: string, limit: number): void {
    const participant = this.member(userId);
    if (participant.video) return;
    if (this.videoPublishers >= limit) throw new ServiceError('video_full', `the room already has ${limit} video participants`);
    participant.video = true;
  }

  /** Live rooms: on stage (may publish) or back to the audience (their producers end). */
  setRole(userId: string, role: Exclude<ParticipantRole, 'participant'>): void {
    if (this.kind !== 'live') throw new ServiceError('invalid_state', 'roles exist only in live rooms');
    const participant = this.member(userId);
    if (participant.info.role === role) return;
    const closedProducers = role === 'audience' ? participant.media.closeProducers() : [];
    participant.video = role === 'host';
    participant.info = { ...participant.info, role };
    this.emit({ type: 'roleChanged', room: this, participant, closedProducers });
  }

  /** Removed by an admin: out now, and kept out of this session until allowed again. */
  remove(userId: string): void {
    this.removedUsers.add(userId);
    this.emit({ type: 'removed', room: this, participant: this.member(userId) });
  }

  /** Lets a removed user join this room session again. */
  allow(userId: string): void {
    if (!this.removedUsers.delete(userId)) throw new ServiceError('not_found', `${userId} was not removed from this room`);
  }

  /** The dominant speaker changed (null: silence). */
  speaking(userId: string | null): void {
    this.speaker = userId;
    this.emit({ type: 'activeSpeaker', room: this, userId });
  }

  /** What a participant publishes changed: others consume, drop or show it paused. */
  published(userId: string, producer: ProducerInfo): void {
    this.emit({ type: 'producerAdded', room: this, userId, producer });
  }

  unpublished(userId: string, producerId: string): void {
    this.emit({ type: 'producerClosed', room: this, userId, producerId });
  }

  paused(userId: string, producerId: string, paused: boolean): void {
    this.emit({ type: 'producerState', room: this, userId, producerId, paused });
  }

  /** An admin paused `userId`'s mic or camera: they are told who did, the others see it paused. */
  forceMuted(userId: string, producerId: string, source: 'mic' | 'camera', by: string): void {
    this.emit({ type: 'forceMuted', room: this, participant: this.member(userId), producerId, source, by });
  }

  /** A participant's connection dropped (their place is kept for the grace period) or came back. */
  connectionChanged(userId: string, connected: boolean): void {
    if (this.members.has(userId)) this.emit({ type: 'connectionChanged', room: this, userId, connected });
  }

  /** The session ends with a reason more specific than "everyone left" (a call's end reason). */
  endsBecause(reason: string): void {
    this.reason = reason;
  }

  /**
   * The room moved to a live media worker: everyone's media is made again there. `preparing` are links of
   * callees preparing to answer: they set up their media again too.
   */
  mediaMoved(media: RoomMediaPort, preparing: ClientLink[], elapsedMs: number): void {
    this.currentMedia = media;
    for (const p of this.members.values()) p.media = this.peer(media, p.link, undefined);
    this.emit({ type: 'mediaRecovered', room: this, elapsedMs, preparing });
  }

  /** Its media failed for good: everyone is out; returns who was in. */
  fail(): Participant[] {
    const participants = [...this.members.values()];
    this.members.clear();
    return participants;
  }

  /** Ends the session (idempotent): its media closes; false when it had already ended. */
  close(reason: SessionEndReason): boolean {
    if (this.ended) return false;
    this.ended = true;
    this.currentMedia.close();
    this.emit({ type: 'sessionEnded', room: this, reason });
    return true;
  }

  private member(userId: string): Member {
    const participant = this.members.get(userId);
    if (!participant) throw new ServiceError('not_found', `${userId} is not in this room`);
    return participant;
  }
}

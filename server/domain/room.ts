import { randomUUID } from 'node:crypto';
import type { NotificationMap, NotificationType, ParticipantInfo, ParticipantRole } from '../../protocol';
import type { PeerMediaPort, RoomMediaPort } from './media-port';
import type { TenantRef } from './lifecycle';
import type { ClientLink } from './links';

export type RoomKind = 'conference' | 'live' | 'call';

export interface Participant {
  info: ParticipantInfo & { role: ParticipantRole };
  link: ClientLink;
  media: PeerMediaPort;
  joinedAt: number;
  /** Joined intending to publish video: counts against the video limit. */
  video: boolean;
}

/** A live room: exists from its first join until its last participant leaves. One session per lifetime. */
export class Room {
  readonly sessionId = randomUUID();
  readonly startedAt = Date.now();
  readonly participants = new Map<string, Participant>();
  closed = false;
  /** Why the session ended, when something more specific than "everyone left" is known (a call's end reason). */
  endReason: string | undefined;
  /** The current dominant speaker, so someone who joins later sees it at once (it is only broadcast on change). */
  activeSpeaker: string | null = null;
  /** Users an admin removed: they cannot rejoin this session unless an admin allows them again. */
  readonly removed = new Set<string>();

  constructor(
    readonly tenant: TenantRef,
    readonly roomId: string,
    readonly kind: RoomKind,
    /** Replaced when the room moves to another media worker (its worker died). */
    public media: RoomMediaPort,
  ) {}

  get tenantKey(): string {
    return this.tenant.key;
  }

  broadcast<T extends NotificationType>(type: T, payload: NotificationMap[T], exceptUserId?: string): void {
    for (const p of this.participants.values()) {
      if (p.info.userId !== exceptUserId) p.link.notify(type, payload);
    }
  }

  /** Everyone on stage (the audience of a live room is only counted). */
  participantInfos(): ParticipantInfo[] {
    return [...this.participants.values()].filter((p) => p.info.role !== 'audience').map((p) => p.info);
  }

  get audienceCount(): number {
    let n = 0;
    for (const p of this.participants.values()) if (p.info.role === 'audience') n += 1;
    return n;
  }

  /** Participants publishing (or intending to publish) video. */
  get videoPublishers(): number {
    let n = 0;
    for (const p of this.participants.values()) if (p.video && p.info.role !== 'audience') n += 1;
    return n;
  }

  get onStage(): number {
    return this.participants.size - this.audienceCount;
  }
}

import type { Participant, Room, RoomKind } from './rooms';

export interface SessionParticipantRecord {
  userId: string;
  name?: string;
  role: string;
  joinedAt: string;
  leftAt?: string;
}

export interface SessionRecord {
  sessionId: string;
  roomId: string;
  kind: RoomKind;
  startedAt: string;
  endedAt?: string;
  /** `all_left`, `failed`, `shutdown`, or the call's end reason (`hangup`, `declined`, ...). */
  endReason?: string;
  participants: SessionParticipantRecord[];
}

const MAX_ENDED_SESSIONS = 10_000;

/**
 * What happened in each session (first join → everyone left), per tenant, for the REST API. In memory and
 * bounded for now; the reliability issue moves it to SQLite so restarts keep it.
 */
export class SessionLog {
  private readonly sessions = new Map<string, SessionRecord>();

  private key(tenantKey: string, sessionId: string): string {
    return `${tenantKey}/${sessionId}`;
  }

  started(room: Room): void {
    this.sessions.set(this.key(room.tenantKey, room.sessionId), {
      sessionId: room.sessionId,
      roomId: room.roomId,
      kind: room.kind,
      startedAt: new Date(room.startedAt).toISOString(),
      participants: [],
    });
  }

  joined(room: Room, p: Participant): void {
    this.sessions.get(this.key(room.tenantKey, room.sessionId))?.participants.push({
      userId: p.info.userId,
      ...(p.info.name !== undefined ? { name: p.info.name } : {}),
      role: p.info.role,
      joinedAt: new Date(p.joinedAt).toISOString(),
    });
  }

  left(room: Room, p: Participant, at = Date.now()): void {
    const record = this.sessions.get(this.key(room.tenantKey, room.sessionId));
    const entry = record?.participants.findLast((e) => e.userId === p.info.userId && !e.leftAt);
    if (entry) entry.leftAt = new Date(at).toISOString();
  }

  ended(room: Room, reason: string, at = Date.now()): void {
    const record = this.sessions.get(this.key(room.tenantKey, room.sessionId));
    if (!record) return;
    record.endedAt = new Date(at).toISOString();
    record.endReason = room.endReason ?? reason;
    for (const p of record.participants) p.leftAt ??= record.endedAt;
    if (this.sessions.size > MAX_ENDED_SESSIONS) {
      for (const [key, r] of this.sessions) {
        if (r.endedAt) {
          this.sessions.delete(key);
          break;
        }
      }
    }
  }

  get(tenantKey: string, sessionId: string): SessionRecord | undefined {
    return this.sessions.get(this.key(tenantKey, sessionId));
  }
}

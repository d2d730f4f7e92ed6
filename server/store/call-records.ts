import type { RecentCall } from '../../protocol';
import type { LifecycleEvent, TenantRef } from '../domain/lifecycle';
import { assertNever } from '../domain/assert';
import type { Db } from './database';

export interface SessionRecord {
  sessionId: string;
  roomId: string;
  kind: string;
  startedAt: string;
  endedAt?: string;
  /** `all_left`, `failed`, `shutdown`, `server_restart`, or the call's end reason (`hangup`, `declined`, ...). */
  endReason?: string;
  participants: Array<{ userId: string; name?: string; role: string; joinedAt: string; leftAt?: string }>;
}

export interface CallRecord {
  callId: string;
  roomId: string;
  sessionId: string;
  appId: string;
  environment: string;
  caller: string;
  callees: Array<{ userId: string; outcome?: string }>;
  video: boolean;
  ringAt: string;
  answeredAt?: string;
  endedAt?: string;
  endReason?: string;
  durationMs?: number;
  participants: SessionRecord['participants'];
}

/** Peers named per call in recent calls (the rest are counted in `peerCount`). */
const RECENT_PEERS = 8;

/**
 * A user's recent calls, newest first, rung before a time: call_users by (tenant, user, ring time) — one index
 * range — with each call's peers and names found through primary keys and session_participants_user.
 */
export const RECENT_CALLS_SQL = `SELECT c.call_id, c.caller, c.video, u.ring_at, c.duration_ms, c.end_reason, u.outcome,
     (SELECT count(*) FROM call_users x WHERE x.tenant_key = u.tenant_key AND x.call_id = u.call_id AND x.user_id != u.user_id) AS peer_count,
     (SELECT json_group_array(json_object('userId', p.user_id, 'name', p.name)) FROM (
        SELECT x.user_id, (SELECT sp.name FROM session_participants sp WHERE sp.tenant_key = x.tenant_key AND sp.session_id = c.session_id
                             AND sp.user_id = x.user_id AND sp.name IS NOT NULL LIMIT 1) AS name
        FROM call_users x WHERE x.tenant_key = u.tenant_key AND x.call_id = u.call_id AND x.user_id != u.user_id ORDER BY x.rowid LIMIT ${RECENT_PEERS}) p) AS peers
   FROM call_users u JOIN calls c ON c.tenant_key = u.tenant_key AND c.call_id = u.call_id
   WHERE u.tenant_key = ? AND u.user_id = ? AND u.ring_at < ?
   ORDER BY u.ring_at DESC LIMIT ?`;

/** A callee outcome that means they never picked up: the call is "missed" for them. */
const MISSED_OUTCOMES = new Set(['no_answer', 'cancelled', 'busy', 'unavailable']);

const iso = (ms: number | null | undefined): string | undefined => (ms === null || ms === undefined ? undefined : new Date(ms).toISOString());
const opt = <K extends string, V>(key: K, value: V | null | undefined): { [P in K]?: V } => (value === null || value === undefined ? {} : ({ [key]: value } as { [P in K]?: V }));

interface CallRow {
  call_id: string; room_id: string; session_id: string; app_id: string; environment: string; caller: string; video: number;
  ring_at: number; answered_at: number | null; ended_at: number | null; end_reason: string | null; duration_ms: number | null;
}

/**
 * Call and session records in SQLite. `apply` is called inside the recorder's transaction, together with the
 * webhook outbox insert, so a record and its webhook are committed together or not at all.
 */
export class CallRecordStore {
  constructor(private readonly db: Db) {}

  apply(tenant: TenantRef, e: LifecycleEvent): void {
    const t = tenant.key;
    switch (e.type) {
      case 'session.started':
        this.db
          .prepare('INSERT OR IGNORE INTO sessions (tenant_key, session_id, app_id, environment, room_id, kind, started_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
          .run(t, e.sessionId, tenant.appId, tenant.environment, e.roomId, e.kind, e.at);
        return;
      case 'session.ended':
        this.db.prepare('UPDATE sessions SET ended_at = ?, end_reason = ? WHERE tenant_key = ? AND session_id = ? AND ended_at IS NULL').run(e.at, e.reason, t, e.sessionId);
        this.db.prepare('UPDATE session_participants SET left_at = ? WHERE tenant_key = ? AND session_id = ? AND left_at IS NULL').run(e.at, t, e.sessionId);
        return;
      case 'participant.joined':
        this.db
          .prepare('INSERT INTO session_participants (tenant_key, session_id, user_id, name, role, joined_at) VALUES (?, ?, ?, ?, ?, ?)')
          .run(t, e.sessionId, e.userId, e.name ?? null, e.role, e.at);
        return;
      case 'participant.left':
        this.db
          .prepare(
            'UPDATE session_participants SET left_at = ? WHERE id = (SELECT id FROM session_participants WHERE tenant_key = ? AND session_id = ? AND user_id = ? AND left_at IS NULL ORDER BY id DESC LIMIT 1)',
          )
          .run(e.at, t, e.sessionId, e.userId);
        return;
      case 'call.ringing': {
        this.db
          .prepare('INSERT OR IGNORE INTO calls (tenant_key, call_id, app_id, environment, room_id, session_id, caller, video, ring_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
          .run(t, e.callId, tenant.appId, tenant.environment, e.callId, e.sessionId, e.caller, e.video ? 1 : 0, e.at);
        const user = this.db.prepare('INSERT OR IGNORE INTO call_users (tenant_key, call_id, user_id, role, ring_at) VALUES (?, ?, ?, ?, ?)');
        user.run(t, e.callId, e.caller, 'caller', e.at);
        for (const callee of e.callees) user.run(t, e.callId, callee, 'callee', e.at);
        return;
      }
      case 'call.answered':
        this.db.prepare('UPDATE calls SET answered_at = coalesce(answered_at, ?) WHERE tenant_key = ? AND call_id = ?').run(e.at, t, e.callId);
        return;
      case 'call.ended': {
        this.db
          .prepare('UPDATE calls SET ended_at = ?, end_reason = ?, duration_ms = ? WHERE tenant_key = ? AND call_id = ? AND ended_at IS NULL')
          .run(e.at, e.reason, e.durationMs, t, e.callId);
        const outcome = this.db.prepare('UPDATE call_users SET outcome = ? WHERE tenant_key = ? AND call_id = ? AND user_id = ?');
        for (const [userId, o] of Object.entries(e.outcomes)) outcome.run(o, t, e.callId, userId);
        return;
      }
      default:
        assertNever(e);
    }
  }

  getSession(tenantKey: string, sessionId: string): SessionRecord | undefined {
    const row = this.db.prepare('SELECT * FROM sessions WHERE tenant_key = ? AND session_id = ?').get(tenantKey, sessionId) as
      | { session_id: string; room_id: string; kind: string; started_at: number; ended_at: number | null; end_reason: string | null }
      | undefined;
    if (!row) return undefined;
    return {
      sessionId: row.session_id,
      roomId: row.room_id,
      kind: row.kind,
      startedAt: iso(row.started_at) as string,
      ...opt('endedAt', iso(row.ended_at)),
      ...opt('endReason', row.end_reason),
      participants: this.participants(tenantKey, sessionId),
    };
  }

  /** Calls `userId` took part in (as caller or callee), newest first. */
  listCalls(tenantKey: string, query: { userId?: string; since?: number; limit: number }): CallRecord[] {
    const rows = (
      query.userId !== undefined
        ? this.db
            .prepare(
              'SELECT c.* FROM call_users u JOIN calls c ON c.tenant_key = u.tenant_key AND c.call_id = u.call_id WHERE u.tenant_key = ? AND u.user_id = ? AND u.ring_at >= ? ORDER BY u.ring_at DESC LIMIT ?',
            )
            .all(tenantKey, query.userId, query.since ?? 0, query.limit)
        : this.db.prepare('SELECT * FROM calls WHERE tenant_key = ? AND ring_at >= ? ORDER BY ring_at DESC LIMIT ?').all(tenantKey, query.since ?? 0, query.limit)
    ) as CallRow[];
    return rows.map((row) => this.callFromRow(tenantKey, row));
  }

  /**
   * `userId`'s own recent calls, newest first, as the widget's recent-calls list shows them: one indexed query
   * (call_users by user and ring time), `limit` ≤ 50 calls rung before `before` (paging), each with at most
   * `RECENT_PEERS` peers named and the total count — a bounded answer, whatever a user's history holds.
   */
  recentFor(tenantKey: string, userId: string, limit: number, before = Number.MAX_SAFE_INTEGER): RecentCall[] {
    const rows = this.db
      .prepare(
        RECENT_CALLS_SQL,
      )
      .all(tenantKey, userId, before, Math.min(limit, 50)) as Array<{
      call_id: string; caller: string; video: number; ring_at: number; duration_ms: number | null; end_reason: string | null; outcome: string | null;
      peer_count: number; peers: string;
    }>;
    return rows.map((r) => {
      const incoming = r.caller !== userId;
      const peers = (JSON.parse(r.peers) as Array<{ userId: string; name: string | null }>).map((p) => ({ userId: p.userId, ...opt('name', p.name) }));
      return {
        callId: r.call_id,
        direction: incoming ? 'incoming' : 'outgoing',
        peers,
        ...(r.peer_count > peers.length ? { peerCount: r.peer_count } : {}),
        video: r.video === 1,
        at: r.ring_at,
        durationMs: r.duration_ms ?? 0,
        missed: incoming && r.outcome !== null && MISSED_OUTCOMES.has(r.outcome),
        ...opt('reason', r.end_reason),
      };
    });
  }


  getCall(tenantKey: string, callId: string): CallRecord | undefined {
    const row = this.db.prepare('SELECT * FROM calls WHERE tenant_key = ? AND call_id = ?').get(tenantKey, callId) as CallRow | undefined;
    return row && this.callFromRow(tenantKey, row);
  }

  /** Calls and sessions a previous run left open (it stopped without closing them). */
  openRecords(): {
    calls: Array<{ tenant: TenantRef; callId: string; sessionId: string; answeredAt: number | null; callees: Array<{ userId: string; joined: boolean }> }>;
    sessions: Array<{ tenant: TenantRef; sessionId: string; roomId: string; present: string[] }>;
  } {
    const tenantOf = (r: { tenant_key: string; app_id: string; environment: string }): TenantRef => ({
      key: r.tenant_key,
      appId: r.app_id,
      environment: r.environment as TenantRef['environment'],
    });
    const calls = (this.db.prepare('SELECT * FROM calls WHERE ended_at IS NULL').all() as Array<CallRow & { tenant_key: string }>).map((row) => ({
      tenant: tenantOf(row),
      callId: row.call_id,
      sessionId: row.session_id,
      answeredAt: row.answered_at,
      callees: (
        this.db
          .prepare(
            `SELECT u.user_id, EXISTS (SELECT 1 FROM session_participants p WHERE p.tenant_key = u.tenant_key AND p.session_id = ? AND p.user_id = u.user_id) AS joined
             FROM call_users u WHERE u.tenant_key = ? AND u.call_id = ? AND u.role = 'callee'`,
          )
          .all(row.session_id, row.tenant_key, row.call_id) as Array<{ user_id: string; joined: number }>
      ).map((u) => ({ userId: u.user_id, joined: u.joined === 1 })),
    }));
    const sessions = (this.db.prepare('SELECT * FROM sessions WHERE ended_at IS NULL').all() as Array<{ tenant_key: string; app_id: string; environment: string; session_id: string; room_id: string }>).map(
      (row) => ({
        tenant: tenantOf(row),
        sessionId: row.session_id,
        roomId: row.room_id,
        present: (
          this.db.prepare('SELECT DISTINCT user_id FROM session_participants WHERE tenant_key = ? AND session_id = ? AND left_at IS NULL').all(row.tenant_key, row.session_id) as Array<{ user_id: string }>
        ).map((p) => p.user_id),
      }),
    );
    return { calls, sessions };
  }

  private callFromRow(tenantKey: string, row: CallRow): CallRecord {
    const callees = this.db.prepare("SELECT user_id, outcome FROM call_users WHERE tenant_key = ? AND call_id = ? AND role = 'callee' ORDER BY rowid").all(tenantKey, row.call_id) as Array<{
      user_id: string;
      outcome: string | null;
    }>;
    return {
      callId: row.call_id,
      roomId: row.room_id,
      sessionId: row.session_id,
      appId: row.app_id,
      environment: row.environment,
      caller: row.caller,
      callees: callees.map((c) => ({ userId: c.user_id, ...opt('outcome', c.outcome) })),
      video: row.video === 1,
      ringAt: iso(row.ring_at) as string,
      ...opt('answeredAt', iso(row.answered_at)),
      ...opt('endedAt', iso(row.ended_at)),
      ...opt('endReason', row.end_reason),
      ...opt('durationMs', row.duration_ms),
      participants: this.participants(tenantKey, row.session_id),
    };
  }

  private participants(tenantKey: string, sessionId: string): SessionRecord['participants'] {
    const rows = this.db.prepare('SELECT * FROM session_participants WHERE tenant_key = ? AND session_id = ? ORDER BY id').all(tenantKey, sessionId) as Array<{
      user_id: string; name: string | null; role: string; joined_at: number; left_at: number | null;
    }>;
    return rows.map((p) => ({ userId: p.user_id, ...opt('name', p.name), role: p.role, joinedAt: iso(p.joined_at) as string, ...opt('leftAt', iso(p.left_at)) }));
  }
}

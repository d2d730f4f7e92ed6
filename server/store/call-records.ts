import type { RecentCall } from '../../protocol';
import type { LifecycleEvent, TenantRef } from '../domain/lifecycle';
import { assertNever } from '../domain/assert';
import type { SqlDialect, SqlRunner } from './sql';

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

const peersJson = (d: SqlDialect) =>
  d === 'postgres' ? `coalesce(json_agg(json_build_object('userId', p.user_id, 'name', p.name)), '[]'::json)` : `json_group_array(json_object('userId', p.user_id, 'name', p.name))`;

/**
 * A user's recent calls, newest first, rung before a time: call_users by (tenant, user, ring time) — one index
 * range — with each call's peers and names found through primary keys and session_participants_user.
 */
export const recentCallsSql = (d: SqlDialect) => `SELECT c.call_id, c.caller, c.video, u.ring_at, c.duration_ms, c.end_reason, u.outcome,
     (SELECT count(*) FROM call_users x WHERE x.tenant_key = u.tenant_key AND x.call_id = u.call_id AND x.user_id != u.user_id) AS peer_count,
     (SELECT ${peersJson(d)} FROM (
        SELECT x.user_id, (SELECT sp.name FROM session_participants sp WHERE sp.tenant_key = x.tenant_key AND sp.session_id = c.session_id
                             AND sp.user_id = x.user_id AND sp.name IS NOT NULL LIMIT 1) AS name
        FROM call_users x WHERE x.tenant_key = u.tenant_key AND x.call_id = u.call_id AND x.user_id != u.user_id ORDER BY x.position LIMIT ${RECENT_PEERS}) p) AS peers
   FROM call_users u JOIN calls c ON c.tenant_key = u.tenant_key AND c.call_id = u.call_id
   WHERE u.tenant_key = ? AND u.user_id = ? AND u.ring_at < ?
   ORDER BY u.ring_at DESC LIMIT ?`;

/** A callee outcome that means they never picked up: the call is "missed" for them. */
const MISSED_OUTCOMES = new Set(['no_answer', 'cancelled', 'busy', 'unavailable']);

const iso = (ms: number | null | undefined): string | undefined => (ms === null || ms === undefined ? undefined : new Date(ms).toISOString());
const opt = <K extends string, V>(key: K, value: V | null | undefined): { [P in K]?: V } => (value === null || value === undefined ? {} : ({ [key]: value } as { [P in K]?: V }));
/** SQLite answers 0/1 and JSON text where PostgreSQL answers booleans and parsed JSON. */
const truthy = (v: unknown): boolean => v === true || v === 1;
const parsed = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

interface CallRow {
  call_id: string; room_id: string; session_id: string; app_id: string; environment: string; caller: string; video: number;
  ring_at: number; answered_at: number | null; ended_at: number | null; end_reason: string | null; duration_ms: number | null;
}

export interface OpenRecords {
  calls: Array<{ tenant: TenantRef; callId: string; sessionId: string; answeredAt: number | null; callees: Array<{ userId: string; joined: boolean }> }>;
  sessions: Array<{ tenant: TenantRef; sessionId: string; roomId: string; present: string[] }>;
}

/**
 * Call and session records. `apply` runs inside the recorder's transaction, together with the webhook outbox
 * insert, so a record and its webhook are committed together or not at all; it answers whether the event
 * changed anything, so an event seen twice (a call ended by two nodes after a failover) is recorded and
 * announced once. Open calls and sessions carry the node that runs them.
 */
export class CallRecordStore {
  /** Reads first wait for this node's own writes still queued (a caller reads what it just did). */
  private settled: () => Promise<void> = async () => undefined;

  constructor(
    private readonly db: SqlRunner,
    private readonly nodeId: string,
  ) {}

  readsAfter(settled: () => Promise<void>): void {
    this.settled = settled;
  }

  async apply(tx: SqlRunner, tenant: TenantRef, e: LifecycleEvent): Promise<boolean> {
    const t = tenant.key;
    switch (e.type) {
      case 'session.started':
        return (
          (await tx.run(
            'INSERT INTO sessions (tenant_key, session_id, app_id, environment, room_id, kind, started_at, node_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
            [t, e.sessionId, tenant.appId, tenant.environment, e.roomId, e.kind, e.at, this.nodeId],
          )) > 0
        );
      case 'session.ended': {
        const changed = await tx.run('UPDATE sessions SET ended_at = ?, end_reason = ? WHERE tenant_key = ? AND session_id = ? AND ended_at IS NULL', [e.at, e.reason, t, e.sessionId]);
        await tx.run('UPDATE session_participants SET left_at = ? WHERE tenant_key = ? AND session_id = ? AND left_at IS NULL', [e.at, t, e.sessionId]);
        return changed > 0;
      }
      case 'participant.joined':
        await tx.run('INSERT INTO session_participants (tenant_key, session_id, user_id, name, role, joined_at) VALUES (?, ?, ?, ?, ?, ?)', [t, e.sessionId, e.userId, e.name ?? null, e.role, e.at]);
        return true;
      case 'participant.left':
        return (
          (await tx.run(
            'UPDATE session_participants SET left_at = ? WHERE id = (SELECT id FROM session_participants WHERE tenant_key = ? AND session_id = ? AND user_id = ? AND left_at IS NULL ORDER BY id DESC LIMIT 1)',
            [e.at, t, e.sessionId, e.userId],
          )) > 0
        );
      case 'call.ringing': {
        const created = await tx.run(
          'INSERT INTO calls (tenant_key, call_id, app_id, environment, room_id, session_id, caller, video, ring_at, node_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
          [t, e.callId, tenant.appId, tenant.environment, e.callId, e.sessionId, e.caller, e.video ? 1 : 0, e.at, this.nodeId],
        );
        // People added to a ringing or running call are rung with the same CallID: their rows are what is new.
        const user = `INSERT INTO call_users (tenant_key, call_id, user_id, role, ring_at, position)
          VALUES (?, ?, ?, ?, ?, (SELECT count(*) FROM call_users WHERE tenant_key = ? AND call_id = ?)) ON CONFLICT DO NOTHING`;
        let added = await tx.run(user, [t, e.callId, e.caller, 'caller', e.at, t, e.callId]);
        for (const callee of e.callees) added += await tx.run(user, [t, e.callId, callee, 'callee', e.at, t, e.callId]);
        return created + added > 0;
      }
      case 'call.answered':
        return (await tx.run('UPDATE calls SET answered_at = coalesce(answered_at, ?) WHERE tenant_key = ? AND call_id = ? AND ended_at IS NULL', [e.at, t, e.callId])) > 0;
      case 'call.ended': {
        const changed = await tx.run('UPDATE calls SET ended_at = ?, end_reason = ?, duration_ms = ? WHERE tenant_key = ? AND call_id = ? AND ended_at IS NULL', [
          e.at,
          e.reason,
          e.durationMs,
          t,
          e.callId,
        ]);
        if (changed === 0) return false;
        for (const [userId, o] of Object.entries(e.outcomes)) await tx.run('UPDATE call_users SET outcome = ? WHERE tenant_key = ? AND call_id = ? AND user_id = ?', [o, t, e.callId, userId]);
        return true;
      }
      default:
        return assertNever(e);
    }
  }

  /**
   * This node now runs a call another node ran: its end and this node's restart are this node's to record. Its
   * old room session stays the dead node's (the call goes on in a new session here) and is ended with it.
   */
  async adopt(tenantKey: string, callId: string): Promise<void> {
    await this.db.run('UPDATE calls SET node_id = ? WHERE tenant_key = ? AND call_id = ? AND ended_at IS NULL', [this.nodeId, tenantKey, callId]);
  }

  async getSession(tenantKey: string, sessionId: string): Promise<SessionRecord | undefined> {
    await this.settled();
    const row = await this.db.get<{ session_id: string; room_id: string; kind: string; started_at: number; ended_at: number | null; end_reason: string | null }>(
      'SELECT * FROM sessions WHERE tenant_key = ? AND session_id = ?',
      [tenantKey, sessionId],
    );
    if (!row) return undefined;
    return {
      sessionId: row.session_id,
      roomId: row.room_id,
      kind: row.kind,
      startedAt: iso(row.started_at) as string,
      ...opt('endedAt', iso(row.ended_at)),
      ...opt('endReason', row.end_reason),
      participants: await this.participants(tenantKey, sessionId),
    };
  }

  /** Calls `userId` took part in (as caller or callee), newest first. */
  async listCalls(tenantKey: string, query: { userId?: string; since?: number; limit: number }): Promise<CallRecord[]> {
    await this.settled();
    const rows =
      query.userId !== undefined
        ? await this.db.all<CallRow>(
            'SELECT c.* FROM call_users u JOIN calls c ON c.tenant_key = u.tenant_key AND c.call_id = u.call_id WHERE u.tenant_key = ? AND u.user_id = ? AND u.ring_at >= ? ORDER BY u.ring_at DESC LIMIT ?',
            [tenantKey, query.userId, query.since ?? 0, query.limit],
          )
        : await this.db.all<CallRow>('SELECT * FROM calls WHERE tenant_key = ? AND ring_at >= ? ORDER BY ring_at DESC LIMIT ?', [tenantKey, query.since ?? 0, query.limit]);
    return Promise.all(rows.map((row) => this.callFromRow(tenantKey, row)));
  }

  /**
   * `userId`'s own recent calls, newest first, as the widget's recent-calls list shows them: one indexed query
   * (call_users by user and ring time), `limit` ≤ 50 calls rung before `before` (paging), each with at most
   * `RECENT_PEERS` peers named and the total count — a bounded answer, whatever a user's history holds.
   */
  async recentFor(tenantKey: string, userId: string, limit: number, before = Number.MAX_SAFE_INTEGER): Promise<RecentCall[]> {
    await this.settled();
    const rows = await this.db.all<{
      call_id: string; caller: string; video: number; ring_at: number; duration_ms: number | null; end_reason: string | null; outcome: string | null;
      peer_count: number; peers: unknown;
    }>(recentCallsSql(this.db.dialect), [tenantKey, userId, before, Math.min(limit, 50)]);
    return rows.map((r) => {
      const incoming = r.caller !== userId;
      const peers = parsed<Array<{ userId: string; name: string | null }>>(r.peers).map((p) => ({ userId: p.userId, ...opt('name', p.name) }));
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

  async getCall(tenantKey: string, callId: string): Promise<CallRecord | undefined> {
    await this.settled();
    const row = await this.db.get<CallRow>('SELECT * FROM calls WHERE tenant_key = ? AND call_id = ?', [tenantKey, callId]);
    return row && this.callFromRow(tenantKey, row);
  }

  /**
   * Calls and sessions left open by `node` (it stopped without closing them). An SQLite file has one node, so
   * everything open in it is that node's; on a shared database only rows naming `node` are.
   */
  async openRecords(node: string = this.nodeId): Promise<OpenRecords> {
    const mine = this.db.dialect === 'sqlite' ? '' : ' AND node_id = ?';
    const byNode = this.db.dialect === 'sqlite' ? [] : [node];
    const tenantOf = (r: { tenant_key: string; app_id: string; environment: string }): TenantRef => ({
      key: r.tenant_key,
      appId: r.app_id,
      environment: r.environment as TenantRef['environment'],
    });
    const callRows = await this.db.all<CallRow & { tenant_key: string }>(`SELECT * FROM calls WHERE ended_at IS NULL${mine}`, byNode);
    const calls: OpenRecords['calls'] = [];
    for (const row of callRows) {
      const callees = await this.db.all<{ user_id: string; joined: unknown }>(
        `SELECT u.user_id, EXISTS (SELECT 1 FROM session_participants p WHERE p.tenant_key = u.tenant_key AND p.session_id = ? AND p.user_id = u.user_id) AS joined
         FROM call_users u WHERE u.tenant_key = ? AND u.call_id = ? AND u.role = 'callee' ORDER BY u.position`,
        [row.session_id, row.tenant_key, row.call_id],
      );
      calls.push({ tenant: tenantOf(row), callId: row.call_id, sessionId: row.session_id, answeredAt: row.answered_at, callees: callees.map((u) => ({ userId: u.user_id, joined: truthy(u.joined) })) });
    }
    const sessionRows = await this.db.all<{ tenant_key: string; app_id: string; environment: string; session_id: string; room_id: string }>(
      `SELECT * FROM sessions WHERE ended_at IS NULL${mine}`,
      byNode,
    );
    const sessions: OpenRecords['sessions'] = [];
    for (const row of sessionRows) {
      const present = await this.db.all<{ user_id: string }>('SELECT DISTINCT user_id FROM session_participants WHERE tenant_key = ? AND session_id = ? AND left_at IS NULL', [row.tenant_key, row.session_id]);
      sessions.push({ tenant: tenantOf(row), sessionId: row.session_id, roomId: row.room_id, present: present.map((p) => p.user_id) });
    }
    return { calls, sessions };
  }

  private async callFromRow(tenantKey: string, row: CallRow): Promise<CallRecord> {
    const callees = await this.db.all<{ user_id: string; outcome: string | null }>("SELECT user_id, outcome FROM call_users WHERE tenant_key = ? AND call_id = ? AND role = 'callee' ORDER BY position", [
      tenantKey,
      row.call_id,
    ]);
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
      participants: await this.participants(tenantKey, row.session_id),
    };
  }

  private async participants(tenantKey: string, sessionId: string): Promise<SessionRecord['participants']> {
    const rows = await this.db.all<{ user_id: string; name: string | null; role: string; joined_at: number; left_at: number | null }>(
      'SELECT * FROM session_participants WHERE tenant_key = ? AND session_id = ? ORDER BY id',
      [tenantKey, sessionId],
    );
    return rows.map((p) => ({ userId: p.user_id, ...opt('name', p.name), role: p.role, joinedAt: iso(p.joined_at) as string, ...opt('leftAt', iso(p.left_at)) }));
  }
}

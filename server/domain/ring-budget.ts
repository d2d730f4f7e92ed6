import { ServiceError } from '../errors';
import type { Tenant } from './apps';
import { WindowCounter } from './window-counter';

/** One user of one tenant, as a Set/Map key. */
export const userKey = (tenantKey: string, userId: string): string => `${tenantKey}\u0000${userId}`;

/** Rings counted over the last minute: one node's memory, or a cluster's shared counters (cluster/rings.ts). */
export interface RingLimiter {
  /**
   * Takes `callees.length` rings from the caller's budget and one from each callee's, or refuses with
   * `limit_exceeded` before anything rings or is recorded.
   */
  take(tenant: Tenant, callerId: string, callees: readonly string[]): Promise<void>;
}

/** The refusals both limiters give (same wording on one node and in a cluster). */
export const ringRefusal = {
  caller: (perCaller: number, resetInMs: number) => new ServiceError('limit_exceeded', `a caller may ring at most ${perCaller} people per minute; try again in ${Math.ceil(resetInMs / 1000)} s`),
  callee: (callee: string, perCallee: number, resetInMs: number) => new ServiceError('limit_exceeded', `${callee} was rung ${perCallee} times in the last minute; try again in ${Math.ceil(resetInMs / 1000)} s`),
};

/**
 * People each caller rang, and rings each callee got, in the last minute (limits.rings*PerMinute), in this
 * node's memory (a single node; a cluster counts in Redis instead, so a caller cannot multiply its budget by
 * connecting to several nodes).
 */
export class RingBudget implements RingLimiter {
  private readonly byCaller: WindowCounter;
  private readonly byCallee: WindowCounter;

  constructor(now: () => number) {
    this.byCaller = new WindowCounter(60_000, now);
    this.byCallee = new WindowCounter(60_000, now);
  }

  /**
   * Takes `callees.length` rings from the caller's budget and one from each callee's, or refuses with
   * `limit_exceeded` before anything rings or is recorded: nobody can flood a user with rings, or the
   * records and webhooks with calls.
   */
  async take(tenant: Tenant, callerId: string, callees: readonly string[]): Promise<void> {
    const { ringsPerCallerPerMinute: perCaller, ringsPerCalleePerMinute: perCallee } = tenant.settings.limits;
    const caller = userKey(tenant.key, callerId);
    if (this.byCaller.count(caller) + callees.length > perCaller) throw ringRefusal.caller(perCaller, this.byCaller.resetInMs(caller));
    const tired = callees.find((u) => this.byCallee.count(userKey(tenant.key, u)) >= perCallee);
    if (tired !== undefined) throw ringRefusal.callee(tired, perCallee, this.byCallee.resetInMs(userKey(tenant.key, tired)));
    this.byCaller.add(caller, callees.length);
    for (const u of callees) this.byCallee.add(userKey(tenant.key, u));
  }
}

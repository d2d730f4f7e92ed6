import { ServiceError } from '../errors';
import type { Tenant } from './apps';
import { WindowCounter } from './window-counter';

/** One user of one tenant, as a Set/Map key. */
export const userKey = (tenantKey: string, userId: string): string => `${tenantKey}\u0000${userId}`;

/**
 * People each caller rang, and rings each callee got, in the last minute (limits.rings*PerMinute). Counted
 * where calls live: in a cluster each node counts the calls it holds.
 */
export class RingBudget {
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
  take(tenant: Tenant, callerId: string, callees: readonly string[]): void {
    const { ringsPerCallerPerMinute: perCaller, ringsPerCalleePerMinute: perCallee } = tenant.settings.limits;
    const caller = userKey(tenant.key, callerId);
    const inSeconds = (counter: WindowCounter, key: string) => Math.ceil(counter.resetInMs(key) / 1000);
    if (this.byCaller.count(caller) + callees.length > perCaller) {
      throw new ServiceError('limit_exceeded', `a caller may ring at most ${perCaller} people per minute; try again in ${inSeconds(this.byCaller, caller)} s`);
    }
    const tired = callees.find((u) => this.byCallee.count(userKey(tenant.key, u)) >= perCallee);
    if (tired !== undefined) {
      throw new ServiceError('limit_exceeded', `${tired} was rung ${perCallee} times in the last minute; try again in ${inSeconds(this.byCallee, userKey(tenant.key, tired))} s`);
    }
    this.byCaller.add(caller, callees.length);
    for (const u of callees) this.byCallee.add(userKey(tenant.key, u));
  }
}

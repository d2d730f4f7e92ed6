import type { Tenant } from '../domain/apps';
import { type RingLimiter, ringRefusal } from '../domain/ring-budget';
import { ServiceError } from '../errors';
import type { ClusterDirectory } from './directory';

/**
 * Ring limits for a whole cluster: the counters live in the directory (Redis), so a caller connected to
 * several nodes — or callers on every node ringing one callee — meet the same bounds as on one node.
 * While the directory is away a dial cannot be placed anyway: `cluster_unavailable`.
 */
export class ClusterRings implements RingLimiter {
  constructor(private readonly directory: ClusterDirectory) {}

  async take(tenant: Tenant, callerId: string, callees: readonly string[]): Promise<void> {
    const { ringsPerCallerPerMinute: perCaller, ringsPerCalleePerMinute: perCallee } = tenant.settings.limits;
    const refused = await this.directory.takeRings(tenant.key, callerId, callees, { perCaller, perCallee, windowMs: 60_000 }).catch(() => {
      throw new ServiceError('cluster_unavailable', 'the cluster directory cannot be reached; try again in a moment');
    });
    if (!refused) return;
    if (refused.over === 'caller') throw ringRefusal.caller(perCaller, refused.resetInMs);
    throw ringRefusal.callee(callees[refused.over] ?? '', perCallee, refused.resetInMs);
  }
}

import { userKey } from '../domain/calls';
import { involvedUsers } from '../domain/call-snapshot';
import type { Services } from '../services';
import type { ClientSession } from './client-session';

/**
 * A client is gone — it closed deliberately (`left`), did not come back within the grace period
 * (`connection_lost`), or was moved to another node: presence, prepared media, its call or room go with it.
 */
export function endClientSession(services: Services, session: ClientSession, reason: 'left' | 'connection_lost'): void {
  services.clients.remove(session);
  services.presence.remove(session);
  services.rooms.discardPrepared(session);
  services.calls.leaveRoom(session, reason === 'connection_lost');
  services.topology.clientGone(session, reason === 'connection_lost');
  session.end();
}

/**
 * Drain: every client that no live call (calling, ringing, joined) or room holds is closed with
 * `server_draining` and reconnects — through a load balancer to another node, or to the restarted server.
 * A dropped one that nothing holds is ended at once (it resumes elsewhere, not here). Returns how many.
 */
export function moveIdleClients(services: Services): number {
  const held = involvedUsers(services.calls.live());
  let moved = 0;
  for (const session of services.clients.all()) {
    if (services.rooms.roomOf(session) || services.topology.heldElsewhere(session) || held.has(userKey(session.identity.tenant.key, session.identity.userId))) continue;
    if (session.moveAway()) moved += 1;
    else endClientSession(services, session, 'left');
  }
  return moved;
}

import type { FastifyPluginAsync } from 'fastify';
import { MediaUseCases } from '../domain/media-use-cases';
import { turnIceServers } from '../domain/turn';
import type { Services } from '../services';
import type { ClientSession } from './client-session';
import { endClientSession } from './client-lifecycle';
import type { SignalingLimits } from '../config';
import { SignalingConnection } from './connection';
import { handleRequest } from './handlers';
import { SignalingQuotas } from './user-quotas';
import type { SignalingContext } from './context';
import { recordsRead } from '../store/sql';

export interface SignalingRouteOptions {
  services: Services;
  limits: SignalingLimits;
  observeRequest?: SignalingContext['observeRequest'];
}

/**
 * GET /v1/signal (WebSocket). The token and protocol version travel in the first message (`hello`), never in
 * the URL, so they do not end up in proxy or access logs.
 */
export const signalingRoutes: FastifyPluginAsync<SignalingRouteOptions> = async (app, { services, limits, observeRequest }) => {
  const { topology } = services;
  const ctx: SignalingContext = {
    apps: services.apps,
    presence: services.presence,
    rooms: services.rooms,
    calls: services.calls,
    moderation: services.moderation,
    media: new MediaUseCases(services.rooms),
    limits,
    quotas: new SignalingQuotas(limits),
    recentCalls: (tenantKey, userId, limit, before) => recordsRead(() => services.records.recentFor(tenantKey, userId, limit, before)),
    sessions: services.clients,
    reconnectGraceMs: services.config.reconnectGraceMs,
    iceServers: (identity) => turnIceServers(services.config.turn, identity.userId, identity.expiresAt),
    endSession: (session, reason) => endClientSession(services, session, reason),
    onDetached: (session) => connectionChanged(session, false),
    onResumed: (session) => connectionChanged(session, true),
    draining: () => services.lifecycle.shuttingDown,
    // A session of a dead node may be continued here (cluster); every session is recorded for that.
    adoptSession: (token, identity) => topology.adoptable(token, identity),
    onOpened: (session, adopted) => {
      topology.sessionOpened(session, session.resumeToken);
      adopted?.adopt(session);
    },
    dispatch: (link, request) => topology.dispatch(link, request),
    ...(observeRequest ? { observeRequest } : {}),
  };
  topology.serveLocally((link, request) => handleRequest(ctx, link, request));
  /** Others in the room see who is reconnecting (their place is kept) and who is back. */
  const connectionChanged = (session: ClientSession, connected: boolean) => {
    services.rooms.roomOf(session)?.connectionChanged(session.identity.userId, connected);
    topology.connectionChanged(session, connected);
  };
  app.get('/v1/signal', { websocket: true, schema: { hide: true } }, (socket, req) => {
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    new SignalingConnection(socket, origin, req.ip, ctx, req.log);
  });
};

import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../services';
import { SignalingConnection, type SignalingLimits } from './connection';
import type { SignalingContext } from './context';

export interface SignalingRouteOptions {
  services: Services;
  limits: SignalingLimits;
}

/**
 * GET /v1/signal (WebSocket). The token and protocol version travel in the first message (`hello`), never in
 * the URL, so they do not end up in proxy or access logs.
 */
export const signalingRoutes: FastifyPluginAsync<SignalingRouteOptions> = async (app, { services, limits }) => {
  const ctx: SignalingContext = {
    apps: services.apps,
    presence: services.presence,
    rooms: services.rooms,
    calls: services.calls,
    moderation: services.moderation,
    limits,
    onDisconnected: (connection) => {
      services.rooms.discardPrepared(connection);
      if (!services.calls.leaveCurrentCall(connection)) services.rooms.leave(connection);
    },
  };
  app.get('/v1/signal', { websocket: true, schema: { hide: true } }, (socket, req) => {
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    new SignalingConnection(socket, origin, ctx, req.log);
  });
};

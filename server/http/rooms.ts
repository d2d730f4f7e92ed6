import type { FastifyPluginAsync } from 'fastify';
import { HttpError, IdParam, RoomQuery, RoomResponse, SessionResponse } from '../../protocol/http';
import type { Services } from '../services';
import { tenantRoute } from './app-auth';

/** App-secret REST for backends: the live room and the record of a session. */
export const roomRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/v1/rooms/:roomId',
    {
      schema: {
        tags: ['rooms'],
        summary: 'A live room: its session and who is in it, with what they publish',
        security: [{ appSecret: [] }],
        params: IdParam('roomId'),
        querystring: RoomQuery,
        response: { 200: RoomResponse, 401: HttpError, 404: HttpError },
      },
    },
    tenantRoute(services, 'live room with that RoomID', (tenant, roomId, query) =>
      // Whichever node of a cluster holds it (topology), like a call's record is found from every node.
      services.topology.describeRoom(tenant.key, roomId, (query as { kind?: 'conference' | 'live' | 'call' }).kind),
    ),
  );

  app.get(
    '/v1/sessions/:sessionId',
    {
      schema: {
        tags: ['rooms'],
        summary: 'What happened in a session: start, end, end reason, participants with join/leave times',
        security: [{ appSecret: [] }],
        params: IdParam('sessionId'),
        response: { 200: SessionResponse, 401: HttpError, 404: HttpError },
      },
    },
    tenantRoute(services, 'session with that SessionID', (tenant, sessionId) => services.records.getSession(tenant.key, sessionId)),
  );
};

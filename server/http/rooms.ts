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
    tenantRoute(services, 'live room with that RoomID', (tenant, roomId, query) => {
      const room = services.rooms.get(tenant.key, roomId, (query as { kind?: 'conference' | 'live' | 'call' }).kind);
      if (!room) return undefined;
      return {
        roomId: room.roomId,
        kind: room.kind,
        sessionId: room.sessionId,
        startedAt: new Date(room.startedAt).toISOString(),
        audienceCount: room.audienceCount,
        participants: [...room.participants.values()].map((p) => ({
          userId: p.info.userId,
          ...(p.info.name !== undefined ? { name: p.info.name } : {}),
          role: p.info.role,
          joinedAt: new Date(p.joinedAt).toISOString(),
          publishing: {
            mic: p.media.sourceState('mic')?.paused === false,
            camera: p.media.sourceState('camera')?.paused === false,
            screen: p.media.sourceState('screen')?.paused === false,
          },
        })),
      };
    }),
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

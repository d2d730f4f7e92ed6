import type { FastifyPluginAsync } from 'fastify';
import { HttpError, IdParam, RoomResponse, SessionResponse } from '../../protocol/http';
import type { Services } from '../services';
import { authenticate, unauthorized } from './app-auth';

const notFound = (what: string) => ({ statusCode: 404, code: 'not_found', error: 'Not Found', message: `no ${what} in this app environment` });

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
        response: { 200: RoomResponse, 401: HttpError, 404: HttpError },
      },
    },
    async (req, reply) => {
      const tenant = authenticate(services, req);
      if (!tenant) return unauthorized(reply);
      const room = services.rooms.get(tenant.key, (req.params as { roomId: string }).roomId);
      if (!room) return reply.code(404).send(notFound('live room with that RoomID'));
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
            mic: p.media.producerBySource('mic')?.paused === false,
            camera: p.media.producerBySource('camera')?.paused === false,
            screen: p.media.producerBySource('screen')?.paused === false,
          },
        })),
      };
    },
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
    async (req, reply) => {
      const tenant = authenticate(services, req);
      if (!tenant) return unauthorized(reply);
      const session = services.sessions.get(tenant.key, (req.params as { sessionId: string }).sessionId);
      if (!session) return reply.code(404).send(notFound('session with that SessionID'));
      return session;
    },
  );
};

import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Tenant } from '../domain/apps';
import { HttpError, IdParam, RoomResponse, SessionResponse } from '../../protocol/http';
import type { Services } from '../services';
import { authenticate, unauthorized } from './app-auth';

const notFound = (what: string) => ({ statusCode: 404, code: 'not_found', error: 'Not Found', message: `no ${what} in this app environment` });

/** Wraps a handler with app-secret auth and a 404 when it finds nothing in the caller's app environment. */
function tenantRoute(services: Services, what: string, find: (tenant: Tenant, id: string) => unknown) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const tenant = authenticate(services, req);
    if (!tenant) return unauthorized(reply);
    const found = find(tenant, Object.values(req.params as Record<string, string>)[0] ?? '');
    return found ?? reply.code(404).send(notFound(what));
  };
}

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
    tenantRoute(services, 'live room with that RoomID', (tenant, roomId) => {
      const room = services.rooms.get(tenant.key, roomId);
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
            mic: p.media.producerBySource('mic')?.paused === false,
            camera: p.media.producerBySource('camera')?.paused === false,
            screen: p.media.producerBySource('screen')?.paused === false,
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
    tenantRoute(services, 'session with that SessionID', (tenant, sessionId) => services.sessions.get(tenant.key, sessionId)),
  );
};

import type { FastifyPluginAsync } from 'fastify';
import {
  CallListQuery,
  CallListResponse,
  CallRecordResponse,
  DeliveryListQuery,
  DeliveryListResponse,
  HttpError,
  IdParam,
} from '../../protocol/http';
import type { Services } from '../services';
import type { DeliveryStatus } from '../store/webhook-outbox';
import { tenantRoute } from './app-auth';

const when = <K extends string>(key: K, ms: number | null): { [P in K]?: string } => (ms === null ? {} : ({ [key]: new Date(ms).toISOString() } as { [P in K]?: string }));

/** App-secret REST for backends: call records (SQLite) and webhook delivery status. */
export const callRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/v1/calls',
    {
      schema: {
        tags: ['calls'],
        summary: 'Call records, newest first: caller, callees and their outcome, ring/answer/end times, end reason, duration, every join and leave',
        security: [{ appSecret: [] }],
        querystring: CallListQuery,
        response: { 200: CallListResponse, 401: HttpError },
      },
    },
    tenantRoute(services, 'calls', async (tenant, _id, query) => {
      const q = query as { userId?: string; since?: string; limit?: number };
      return {
        calls: await services.records.listCalls(tenant.key, {
          ...(q.userId !== undefined ? { userId: q.userId } : {}),
          ...(q.since !== undefined ? { since: Date.parse(q.since) } : {}),
          limit: q.limit ?? 50,
        }),
      };
    }),
  );

  app.get(
    '/v1/calls/:callId',
    {
      schema: {
        tags: ['calls'],
        summary: 'The record of one call',
        security: [{ appSecret: [] }],
        params: IdParam('callId'),
        response: { 200: CallRecordResponse, 401: HttpError, 404: HttpError },
      },
    },
    tenantRoute(services, 'call with that CallID', (tenant, callId) => services.records.getCall(tenant.key, callId)),
  );

  app.get(
    '/v1/webhooks/deliveries',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Webhook deliveries of this app environment, newest first: pending (with the next retry), delivered or failed',
        security: [{ appSecret: [] }],
        querystring: DeliveryListQuery,
        response: { 200: DeliveryListResponse, 401: HttpError },
      },
    },
    tenantRoute(services, 'deliveries', async (tenant, _id, query) => {
      const q = query as { status?: DeliveryStatus; messageId?: string; limit?: number };
      const rows = await services.outbox.list(tenant.key, {
        ...(q.status ? { status: q.status } : {}),
        ...(q.messageId ? { messageId: q.messageId } : {}),
        limit: q.limit ?? 100,
      });
      return {
        deliveries: rows.map((d) => ({
          messageId: d.messageId,
          eventType: d.eventType,
          url: d.url,
          status: d.status,
          attempts: d.attempts,
          ...when('createdAt', d.createdAt),
          ...when('nextAttemptAt', d.status === 'pending' ? d.nextAttemptAt : null),
          ...when('lastAttemptAt', d.lastAttemptAt),
          ...(d.lastStatus !== null ? { lastStatus: d.lastStatus } : {}),
          ...(d.lastError !== null ? { lastError: d.lastError } : {}),
          ...when('deliveredAt', d.deliveredAt),
          payload: d.payload,
        })),
      };
    }),
  );
};

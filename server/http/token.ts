import type { FastifyPluginAsync } from 'fastify';
import { DemoTokenRequestBody, HttpError, TokenRequestBody, TokenResponse } from '../../protocol/http';
import { issueToken } from '../domain/tokens';
import type { Services } from '../services';
import { authenticate, unauthorized } from './app-auth';

export interface TokenRouteOptions {
  services: Services;
  /** Requests per minute per client on /v1/token. */
  rateLimitPerMinute: number;
}

export const tokenRoutes: FastifyPluginAsync<TokenRouteOptions> = async (app, { services, rateLimitPerMinute }) => {
  app.post(
    '/v1/token',
    {
      config: { rateLimit: { max: rateLimitPerMinute, timeWindow: '1 minute' } },
      schema: {
        tags: ['tokens'],
        summary: 'Get Token: exchange a userId for a widget token (server to server)',
        description: 'Call from your backend with HTTP Basic auth `appKey:secret`. Never expose the secret to browsers.',
        security: [{ appSecret: [] }],
        body: TokenRequestBody,
        response: { 200: TokenResponse, 400: HttpError, 401: HttpError, 429: HttpError },
      },
    },
    async (req, reply) => {
      const tenant = authenticate(services, req);
      if (!tenant) return unauthorized(reply);
      return issueToken(tenant, req.body as TokenRequestBody);
    },
  );

  // Only while a development demo app exists: lets the demo page get tokens without a backend.
  const demo = services.apps.demoTenant();
  if (demo) {
    app.post(
      '/v1/demo/token',
      {
        config: { rateLimit: { max: rateLimitPerMinute, timeWindow: '1 minute' } },
        schema: {
          tags: ['tokens'],
          summary: 'Demo token (only on servers running a development demo app)',
          body: DemoTokenRequestBody,
          response: { 200: TokenResponse, 400: HttpError },
        },
      },
      async (req) => {
        const body = req.body as { userId: string; name?: string };
        return issueToken(demo, { userId: body.userId, ...(body.name ? { name: body.name } : {}) });
      },
    );
  }
};

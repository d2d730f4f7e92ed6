import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { DemoTokenRequestBody, HttpError, TokenRequestBody, TokenResponse } from '../../protocol/http';
import { issueToken } from '../domain/tokens';
import type { Services } from '../services';
import { authenticate, authorize } from './app-auth';

export interface TokenRouteOptions {
  services: Services;
  /** Requests per minute per client address: the demo token endpoint, and /v1/token without valid credentials. */
  rateLimitPerMinute: number;
}

export const tokenRoutes: FastifyPluginAsync<TokenRouteOptions> = async (app, { services, rateLimitPerMinute }) => {
  // A site's backend asks for tokens for all its visitors from one address: authenticated requests are limited
  // per App Key (`tokenRequestsPerMinute` of that environment); unauthenticated ones — secret guessing — per
  // client address, at the lower default.
  const perAppKey = {
    max: (req: FastifyRequest) => authenticate(services, req)?.settings.tokenRequestsPerMinute ?? rateLimitPerMinute,
    keyGenerator: (req: FastifyRequest) => {
      const tenant = authenticate(services, req);
      return tenant ? `app:${tenant.settings.appKey}` : `ip:${req.ip}`;
    },
    timeWindow: '1 minute',
  };
  app.post(
    '/v1/token',
    {
      config: { rateLimit: perAppKey },
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
      const tenant = authorize(services, req, reply);
      if (!tenant) return reply;
      return issueToken(tenant, req.body as TokenRequestBody);
    },
  );

  // Only while a development demo app exists: lets the demo page get tokens without a backend.
  // A demo app in the apps file is ignored in production unless DEMO_APP=on.
  const demo = services.config.demoApp ? services.apps.demoTenant() : undefined;
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

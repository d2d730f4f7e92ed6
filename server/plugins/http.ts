import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';
import type { ServerConfig } from '../config';
import { callRoutes } from '../http/calls';
import { healthRoutes } from '../http/health';
import { createMetrics, type ServerMetrics } from '../http/metrics';
import { operatorRoutes } from '../http/operator';
import { roomRoutes } from '../http/rooms';
import { staticRoutes } from '../http/static';
import { tokenRoutes } from '../http/token';
import type { BuildOptions } from './build-options';

declare module 'fastify' {
  interface FastifyInstance {
    /** Prometheus metrics (/metrics, METRICS_PORT) and the signaling request observer. */
    metrics: ServerMetrics;
  }
}

/** The HTTP surface: REST API (tokens, rooms, calls, sessions) with its OpenAPI docs, health, metrics, pages. */
export const httpPlugin = fp<{ config: ServerConfig; options: BuildOptions }>(
  async (app, { config, options }) => {
    const { services } = app;
    await app.register(fastifyRateLimit, {
      global: false,
      errorResponseBuilder: (_req, ctx) => ({
        statusCode: ctx.statusCode,
        code: 'rate_limited',
        error: 'Too Many Requests',
        message: `rate limit of ${ctx.max} requests per ${ctx.after} exceeded; retry later`,
      }),
    });
    await app.register(fastifySwagger, {
      openapi: {
        info: { title: 'call-widget server', version: '1', description: 'Tokens, rooms and sessions for <call-widget>.' },
        components: { securitySchemes: { appSecret: { type: 'http', scheme: 'basic', description: 'App Key as user, app secret as password' } } },
      },
    });
    // Security headers everywhere (nosniff, frame options, referrer policy, same-origin resource policy, HSTS
    // when served over https). CSP is per page: the demo pages set theirs (page-csp.ts), the API answers JSON,
    // and Swagger UI sets its own static one, minus upgrade-insecure-requests so /docs works on plain http too.
    await app.register(fastifyHelmet, { contentSecurityPolicy: false, global: true });
    await app.register(fastifySwaggerUi, {
      routePrefix: '/docs',
      staticCSP: true,
      transformStaticCSP: (header) => header.replace(/\s*upgrade-insecure-requests;?/, ''),
    });
    await app.register(healthRoutes, { services });
    const metrics = createMetrics(services);
    app.decorate('metrics', metrics);
    await app.register(operatorRoutes, { metrics, services, token: config.metricsToken });
    await app.register(roomRoutes, { services });
    await app.register(callRoutes, { services });
    await app.register(tokenRoutes, { services, rateLimitPerMinute: options.tokenRateLimitPerMinute ?? 120 });
    await app.register(staticRoutes, { distDir: config.distDir, widgetDir: config.widgetDir });
  },
  { name: 'http', dependencies: ['domain'] },
);

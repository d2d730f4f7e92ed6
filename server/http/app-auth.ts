import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Tenant } from '../domain/apps';
import type { Services } from '../services';

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** HTTP Basic `appKey:secret` → the tenant, or undefined. */
export function authenticate(services: Services, req: FastifyRequest): Tenant | undefined {
  const header = req.headers.authorization;
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const tenant = services.apps.tenant(decoded.slice(0, colon));
  return tenant && sameSecret(decoded.slice(colon + 1), tenant.settings.secret) ? tenant : undefined;
}

export function unauthorized(reply: FastifyReply): FastifyReply {
  return reply
    .code(401)
    .header('www-authenticate', 'Basic realm="call-widget"')
    .send({ statusCode: 401, code: 'unauthorized', error: 'Unauthorized', message: 'wrong App Key or secret' });
}

const notFound = (what: string) => ({ statusCode: 404, code: 'not_found', error: 'Not Found', message: `no ${what} in this app environment` });

/**
 * Wraps a handler with app-secret auth and a 404 when it finds nothing in the caller's app environment. The
 * handler gets the tenant, the first path parameter and the query string.
 */
export function tenantRoute(services: Services, what: string, find: (tenant: Tenant, id: string, query: Record<string, unknown>) => unknown) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const tenant = authenticate(services, req);
    if (!tenant) return unauthorized(reply);
    const found = find(tenant, Object.values((req.params ?? {}) as Record<string, string>)[0] ?? '', (req.query ?? {}) as Record<string, unknown>);
    return found ?? reply.code(404).send(notFound(what));
  };
}

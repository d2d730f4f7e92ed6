import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Tenant } from '../domain/apps';
import type { Services } from '../services';
import { recordsRead } from '../store/sql';
import { ServiceError } from '../errors';

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function credentials(req: FastifyRequest): { appKey: string; secret: string } | undefined {
  const header = req.headers.authorization;
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { appKey: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

/** HTTP Basic `appKey:secret` → the tenant, or undefined. Counts nothing: see `authorize`. */
export function authenticate(services: Services, req: FastifyRequest): Tenant | undefined {
  const given = credentials(req);
  const tenant = given && services.apps.tenant(given.appKey);
  return tenant && sameSecret(given.secret, tenant.settings.secret) ? tenant : undefined;
}

/**
 * The caller's tenant, or undefined once the refusal is sent: 401 for wrong credentials (counted per App Key
 * and client address), 429 while that caller has failed too often (credentials not even checked).
 */
export function authorize(services: Services, req: FastifyRequest, reply: FastifyReply): Tenant | undefined {
  const appKey = credentials(req)?.appKey.slice(0, 64);
  const wait = services.authFailures.retryAfterSeconds(appKey, req.ip);
  if (wait > 0) {
    void reply
      .code(429)
      .header('retry-after', String(wait))
      .send({ statusCode: 429, code: 'rate_limited', error: 'Too Many Requests', message: `too many failed authentications from this address; retry in ${wait} s` });
    return undefined;
  }
  const tenant = authenticate(services, req);
  if (tenant) return tenant;
  services.authFailures.recordFailure(appKey, req.ip);
  void unauthorized(reply);
  return undefined;
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
export function tenantRoute(services: Services, what: string, find: (tenant: Tenant, id: string, query: Record<string, unknown>) => unknown | Promise<unknown>) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const tenant = authorize(services, req, reply);
    if (!tenant) return reply;
    let found: unknown;
    try {
      found = await recordsRead(async () => find(tenant, Object.values((req.params ?? {}) as Record<string, string>)[0] ?? '', (req.query ?? {}) as Record<string, unknown>));
    } catch (err) {
      if (!(err instanceof ServiceError) || err.code !== 'records_unavailable') throw err;
      // PostgreSQL away: the backend is told to retry, calls go on (their records wait in the writer's queue).
      return reply.code(503).send({ statusCode: 503, code: err.code, error: 'Service Unavailable', message: err.message });
    }
    return found ?? reply.code(404).send(notFound(what));
  };
}

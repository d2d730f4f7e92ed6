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

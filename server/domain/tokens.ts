import { randomUUID } from 'node:crypto';
import { decodeJwt, errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { Environment, ErrorCode } from '../../protocol';
import type { AppRegistry, Tenant } from './apps';

export interface Grants {
  canPublish: boolean;
  canSubscribe: boolean;
  roomAdmin: boolean;
}

export const DEFAULT_GRANTS: Grants = { canPublish: true, canSubscribe: true, roomAdmin: false };
export const DEFAULT_TOKEN_TTL_SECONDS = 3600;
export const MAX_TOKEN_TTL_SECONDS = 24 * 3600;

export interface TokenRequest {
  userId: string;
  name?: string;
  avatarUrl?: string;
  ttlSeconds?: number;
  grants?: Partial<Grants>;
}

/** Who a verified token says the connection is. */
export interface Identity {
  tenant: Tenant;
  userId: string;
  name?: string;
  avatarUrl?: string;
  grants: Grants;
  expiresAt: number;
}

export class TokenError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const encoder = new TextEncoder();

export async function issueToken(tenant: Tenant, req: TokenRequest, now = Date.now()): Promise<{ token: string; expiresAt: string }> {
  const ttl = Math.min(req.ttlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS, MAX_TOKEN_TTL_SECONDS);
  const iat = Math.floor(now / 1000);
  const exp = iat + ttl;
  const token = await new SignJWT({
    env: tenant.environment,
    ...(req.name !== undefined ? { name: req.name } : {}),
    ...(req.avatarUrl !== undefined ? { avatarUrl: req.avatarUrl } : {}),
    grants: { ...DEFAULT_GRANTS, ...req.grants },
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(tenant.settings.appKey)
    .setSubject(req.userId)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .setJti(randomUUID())
    .sign(encoder.encode(tenant.settings.secret));
  return { token, expiresAt: new Date(exp * 1000).toISOString() };
}

/**
 * Verifies a widget's token. Each failure has its own code so integrators can tell a clock problem from a
 * wrong secret from a wrong environment. `expectedEnvironment` is what the client says it wants to reach.
 */
export async function verifyToken(apps: AppRegistry, token: string, expectedEnvironment?: Environment): Promise<Identity> {
  if (!token) throw new TokenError('token_missing', 'no token given');
  let claims: ReturnType<typeof decodeJwt>;
  try {
    claims = decodeJwt(token);
  } catch {
    throw new TokenError('token_malformed', 'the token is not a JWT');
  }
  if (typeof claims.iss !== 'string' || typeof claims.sub !== 'string' || typeof claims.env !== 'string') {
    throw new TokenError('token_malformed', 'the token lacks iss, sub or env');
  }
  const tenant = apps.tenant(claims.iss);
  if (!tenant) throw new TokenError('unknown_app_key', 'the token names an unknown App Key');
  if (claims.env !== tenant.environment || (expectedEnvironment && expectedEnvironment !== tenant.environment)) {
    throw new TokenError('environment_mismatch', `the token is for ${String(claims.env)}, the App Key is ${tenant.environment}${expectedEnvironment ? `, the widget expects ${expectedEnvironment}` : ''}`);
  }
  try {
    const { payload } = await jwtVerify(token, encoder.encode(tenant.settings.secret), {
      algorithms: ['HS256'],
      issuer: tenant.settings.appKey,
    });
    const grants = { ...DEFAULT_GRANTS, ...(payload.grants as Partial<Grants> | undefined) };
    return {
      tenant,
      userId: payload.sub as string,
      ...(typeof payload.name === 'string' ? { name: payload.name } : {}),
      ...(typeof payload.avatarUrl === 'string' ? { avatarUrl: payload.avatarUrl } : {}),
      grants,
      expiresAt: (payload.exp ?? 0) * 1000,
    };
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw new TokenError('token_expired', 'the token has expired; fetch a new one');
    if (error instanceof joseErrors.JWSSignatureVerificationFailed) throw new TokenError('token_bad_signature', 'the token signature does not match the App Key secret');
    throw new TokenError('token_malformed', `the token is invalid: ${(error as Error).message}`);
  }
}

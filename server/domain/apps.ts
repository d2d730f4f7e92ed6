import type { Environment } from '../../protocol';

export const ENVIRONMENTS: readonly Environment[] = ['development', 'production'];

export interface RoomLimits {
  /** Participants publishing video at once (recommended: 16). */
  maxVideoPublishers: number;
  /** Participants in a room at once (recommended: 32 audio-only). */
  maxParticipants: number;
  /** Media transports this environment may hold open on one node at once (2 per participant, 2 per callee preparing). */
  maxTransports: number;
  /** Signaling connections this environment may hold open on one node at once (all users together). */
  maxConnections: number;
  /** People one caller may ring per minute (each callee of a dial or invite counts). */
  ringsPerCallerPerMinute: number;
  /** Rings one user may receive per minute, from everyone together. */
  ringsPerCalleePerMinute: number;
  /** People one call may ring in all (its dial and every invite). */
  maxPeoplePerCall: number;
}

export interface EnvironmentSettings {
  appKey: string;
  secret: string;
  /** Origins allowed to embed the widget; `*` only for demo apps. */
  allowedOrigins: string[];
  ringTimeoutSeconds: number;
  /** Where call, participant and session events are POSTed, signed with `secret` (Standard Webhooks). */
  webhooks: WebhookSettings;
  limits: RoomLimits;
  /** Get Token requests per minute for this App Key (a backend issues tokens for all its visitors). */
  tokenRequestsPerMinute: number;
}

export interface WebhookSettings {
  urls: string[];
  /** `whsec_` + base64 key: receivers verify `webhook-signature` with it. */
  secret: string;
}

export interface AppDefinition {
  id: string;
  name: string;
  /** A demo app may use `*` origins and enables the unauthenticated demo token endpoint (development only). */
  demo: boolean;
  environments: Partial<Record<Environment, EnvironmentSettings>>;
}

/**
 * One environment of one app: the unit every piece of server state is keyed by. Two tenants never see each
 * other's users, rooms or calls, even if ids collide.
 */
export interface Tenant {
  /** `${appId}:${environment}` — the isolation key. */
  key: string;
  app: AppDefinition;
  environment: Environment;
  settings: EnvironmentSettings;
}

export const DEFAULT_LIMITS: RoomLimits = { maxVideoPublishers: 16, maxParticipants: 32, maxTransports: 1000, maxConnections: 2000, ringsPerCallerPerMinute: 60, ringsPerCalleePerMinute: 10, maxPeoplePerCall: 100 };
export const DEFAULT_RING_TIMEOUT_SECONDS = 30;
export const DEFAULT_TOKEN_REQUESTS_PER_MINUTE = 600;

/**
 * Why `origin` cannot be an allowed origin, or undefined when it can: browsers send `Origin` as
 * `scheme://host[:port]` exactly (no path, no trailing slash), so anything else would never match.
 */
export function originProblem(origin: string): string | undefined {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return 'not an origin; expected scheme://host[:port], e.g. https://shop.example';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'an origin must start with https:// or http://';
  if (url.origin !== origin) return `not an origin (no path, query or trailing slash); did you mean ${url.origin}?`;
  return undefined;
}

/** Looks apps up by App Key; immutable snapshot of the apps file. */
export class AppRegistry {
  private readonly byKey = new Map<string, Tenant>();
  private readonly byTenantKey = new Map<string, Tenant>();

  constructor(readonly apps: readonly AppDefinition[]) {
    for (const app of apps) {
      for (const environment of ENVIRONMENTS) {
        const settings = app.environments[environment];
        if (!settings) continue;
        if (this.byKey.has(settings.appKey)) throw new Error(`duplicate App Key ${settings.appKey}`);
        if (!app.demo && settings.allowedOrigins.includes('*')) {
          throw new Error(`app "${app.name}" ${environment}: allowedOrigins "*" is only allowed for demo apps`);
        }
        for (const origin of settings.allowedOrigins) {
          const problem = origin === '*' ? undefined : originProblem(origin);
          if (problem) throw new Error(`app "${app.name}" ${environment}: allowedOrigins "${origin}": ${problem}`);
        }
        const tenant: Tenant = { key: `${app.id}:${environment}`, app, environment, settings };
        this.byKey.set(settings.appKey, tenant);
        this.byTenantKey.set(tenant.key, tenant);
      }
    }
  }

  tenant(appKey: string): Tenant | undefined {
    return this.byKey.get(appKey);
  }

  /** By isolation key (`${appId}:${environment}`), as records and the webhook outbox store it. */
  byKeyOf(tenantKey: string): Tenant | undefined {
    return this.byTenantKey.get(tenantKey);
  }

  /** Every app environment this server serves. */
  tenants(): Tenant[] {
    return [...this.byKey.values()];
  }

  /** The development environment of the first demo app, if the server runs one. */
  demoTenant(): Tenant | undefined {
    for (const tenant of this.byKey.values()) {
      if (tenant.app.demo && tenant.environment === 'development') return tenant;
    }
    return undefined;
  }

  isOriginAllowed(tenant: Tenant, origin: string | undefined): boolean {
    // Browsers always send Origin on WebSocket upgrades; a client without one is not a browser page, which
    // an origin check could not stop anyway (the token is what authenticates it).
    if (origin === undefined) return true;
    const allowed = tenant.settings.allowedOrigins;
    return (tenant.app.demo && allowed.includes('*')) || allowed.includes(origin);
  }
}

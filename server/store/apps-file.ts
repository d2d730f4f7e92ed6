import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Environment } from '../../protocol';
import {
  type AppDefinition,
  DEFAULT_LIMITS,
  DEFAULT_RING_TIMEOUT_SECONDS,
  DEFAULT_TOKEN_REQUESTS_PER_MINUTE,
  ENVIRONMENTS,
  type EnvironmentSettings,
} from '../domain/apps';
import { newWebhookSecret } from '../webhooks/signature';

/** The apps file (`APPS_FILE`, default `$DATA_DIR/apps.json`): `{ "apps": AppDefinition[] }`. */
interface AppsFile {
  apps: AppDefinition[];
}

export function newAppKey(environment: Environment): string {
  return `${environment === 'production' ? 'pk' : 'dk'}_${randomBytes(9).toString('base64url')}`;
}

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function newEnvironment(environment: Environment, origins: string[]): EnvironmentSettings {
  return {
    appKey: newAppKey(environment),
    secret: newSecret(),
    allowedOrigins: origins,
    ringTimeoutSeconds: DEFAULT_RING_TIMEOUT_SECONDS,
    webhooks: { urls: [], secret: newWebhookSecret() },
    limits: { ...DEFAULT_LIMITS },
    tokenRequestsPerMinute: DEFAULT_TOKEN_REQUESTS_PER_MINUTE,
  };
}

export function newApp(name: string, options: { demo?: boolean; origins?: string[]; environments?: Environment[] } = {}): AppDefinition {
  const origins = options.origins ?? (options.demo ? ['*'] : []);
  const environments: AppDefinition['environments'] = {};
  for (const env of options.environments ?? ENVIRONMENTS) environments[env] = newEnvironment(env, origins);
  return { id: randomUUID(), name, demo: options.demo ?? false, environments };
}

/** `webhooks: { urls, secret }`; an older file's single `webhookUrl` becomes `urls`. A missing secret is added by `loadOrCreateApps`. */
function normalizeWebhooks(s: EnvironmentSettings & { webhookUrl?: string | null }, where: string): EnvironmentSettings['webhooks'] {
  const urls = Array.isArray(s.webhooks?.urls) ? s.webhooks.urls : s.webhookUrl ? [s.webhookUrl] : [];
  for (const url of urls) {
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) throw new Error(`${where}.webhooks.urls: "${String(url)}" is not an http(s) URL`);
  }
  return { urls, secret: typeof s.webhooks?.secret === 'string' ? s.webhooks.secret : '' };
}

function normalize(raw: unknown, path: string): AppDefinition[] {
  const apps = (raw as Partial<AppsFile> | null)?.apps;
  if (!Array.isArray(apps)) throw new Error(`${path}: expected { "apps": [...] }`);
  return apps.map((app: AppDefinition, i) => {
    if (typeof app.name !== 'string' || typeof app.environments !== 'object') throw new Error(`${path}: apps[${i}] needs name and environments`);
    const environments: AppDefinition['environments'] = {};
    for (const env of ENVIRONMENTS) {
      const s = app.environments[env];
      if (!s) continue;
      if (typeof s.appKey !== 'string' || typeof s.secret !== 'string' || s.secret.length < 16) {
        throw new Error(`${path}: apps[${i}].environments.${env} needs appKey and a secret of 16+ characters`);
      }
      environments[env] = {
        appKey: s.appKey,
        secret: s.secret,
        allowedOrigins: Array.isArray(s.allowedOrigins) ? s.allowedOrigins : [],
        ringTimeoutSeconds: s.ringTimeoutSeconds ?? DEFAULT_RING_TIMEOUT_SECONDS,
        webhooks: normalizeWebhooks(s as EnvironmentSettings & { webhookUrl?: string | null }, `${path}: apps[${i}].environments.${env}`),
        limits: { ...DEFAULT_LIMITS, ...s.limits },
        tokenRequestsPerMinute: Number.isInteger(s.tokenRequestsPerMinute) && s.tokenRequestsPerMinute > 0 ? s.tokenRequestsPerMinute : DEFAULT_TOKEN_REQUESTS_PER_MINUTE,
      };
    }
    return { id: app.id ?? `app-${i}`, name: app.name, demo: app.demo === true, environments };
  });
}

export function readAppsFile(path: string): AppDefinition[] {
  return normalize(JSON.parse(readFileSync(path, 'utf8')), path);
}

/** Writes atomically with owner-only permissions: the file holds secrets. */
export function writeAppsFile(path: string, apps: AppDefinition[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ apps } satisfies AppsFile, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
  chmodSync(path, 0o600);
}

/**
 * Loads the apps file; on a first start with no file, creates one holding a development demo app so the demo
 * works out of the box. Returns whether it was created (the caller prints the App Key, never the secret).
 */
export function loadOrCreateApps(path: string, options: { demo: boolean } = { demo: true }): { apps: AppDefinition[]; created: boolean } {
  if (existsSync(path)) {
    const apps = readAppsFile(path);
    // Files written before webhooks existed get a secret once, persisted so it stays the same across restarts.
    const missing = apps.flatMap((a) => ENVIRONMENTS.map((e) => a.environments[e])).filter((s) => s && !s.webhooks.secret);
    for (const s of missing) if (s) s.webhooks.secret = newWebhookSecret();
    if (missing.length > 0) writeAppsFile(path, apps);
    return { apps, created: false };
  }
  // Production without DEMO_APP=on starts with no app at all: nothing answers unauthenticated token requests.
  const apps = options.demo ? [newApp('Demo', { demo: true, environments: ['development'] })] : [];
  writeAppsFile(path, apps);
  return { apps, created: options.demo };
}

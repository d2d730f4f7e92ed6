import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Environment } from '../../protocol';
import {
  type AppDefinition,
  DEFAULT_LIMITS,
  DEFAULT_RING_TIMEOUT_SECONDS,
  ENVIRONMENTS,
  type EnvironmentSettings,
} from '../domain/apps';

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
    webhookUrl: null,
    limits: { ...DEFAULT_LIMITS },
  };
}

export function newApp(name: string, options: { demo?: boolean; origins?: string[]; environments?: Environment[] } = {}): AppDefinition {
  const origins = options.origins ?? (options.demo ? ['*'] : []);
  const environments: AppDefinition['environments'] = {};
  for (const env of options.environments ?? ENVIRONMENTS) environments[env] = newEnvironment(env, origins);
  return { id: randomUUID(), name, demo: options.demo ?? false, environments };
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
        webhookUrl: s.webhookUrl ?? null,
        limits: { ...DEFAULT_LIMITS, ...s.limits },
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
export function loadOrCreateApps(path: string): { apps: AppDefinition[]; created: boolean } {
  if (existsSync(path)) return { apps: readAppsFile(path), created: false };
  const apps = [newApp('Demo', { demo: true, environments: ['development'] })];
  writeAppsFile(path, apps);
  return { apps, created: true };
}

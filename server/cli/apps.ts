// `npm run apps -- <command>`: manage the apps file (APPS_FILE, default $DATA_DIR/apps.json).
//   list                                  App names, ids, environments, App Keys and origins (never secrets)
//   create <name> [--origin <url>]...     New app with development + production keys; prints the secrets once
//   rotate-secret <appKey>                New secret for that environment; prints it once
//   webhooks <appKey> [--url <url>]...    Sets that environment's webhook URLs (none = off); prints the webhook secret
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { AppRegistry, ENVIRONMENTS, type EnvironmentSettings } from '../domain/apps';
import { newApp, newSecret, readAppsFile, writeAppsFile } from '../store/apps-file';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { origin: { type: 'string', multiple: true }, url: { type: 'string', multiple: true } },
});
const [command, arg] = positionals;
const file = loadConfig().appsFile;
const apps = existsSync(file) ? readAppsFile(file) : [];

function usage(): never {
  console.error('usage: npm run apps -- list | create <name> [--origin https://site.example]... | rotate-secret <appKey> | webhooks <appKey> [--url https://site.example/hooks]...');
  process.exit(2);
}

function environmentOf(appKey: string | undefined): EnvironmentSettings {
  if (!appKey) usage();
  const target = apps.flatMap((a) => ENVIRONMENTS.map((e) => a.environments[e])).find((s) => s?.appKey === appKey);
  if (!target) {
    console.error(`no environment with App Key ${appKey} in ${file}`);
    process.exit(1);
  }
  return target;
}

switch (command) {
  case 'list': {
    if (apps.length === 0) console.log(`no apps in ${file} (npm start creates a demo app)`);
    for (const app of apps) {
      console.log(`${app.name}${app.demo ? ' (demo)' : ''}  id=${app.id}`);
      for (const env of ENVIRONMENTS) {
        const s = app.environments[env];
        if (s) console.log(`  ${env.padEnd(11)} appKey=${s.appKey}  origins=${s.allowedOrigins.join(',') || '(none)'}  ringTimeout=${s.ringTimeoutSeconds}s  webhooks=${s.webhooks.urls.join(',') || '(none)'}`);
      }
    }
    break;
  }
  case 'create': {
    if (!arg) usage();
    const app = newApp(arg, { origins: values.origin ?? [] });
    new AppRegistry([...apps, app]); // validates before writing
    writeAppsFile(file, [...apps, app]);
    console.log(`created app "${arg}" in ${file}. Keep the secrets on your backend only; they are not shown again.`);
    for (const env of ENVIRONMENTS) {
      const s = app.environments[env]!;
      console.log(`  ${env.padEnd(11)} appKey=${s.appKey}  secret=${s.secret}`);
    }
    break;
  }
  case 'webhooks': {
    const target = environmentOf(arg);
    const urls = values.url ?? [];
    const bad = urls.find((u) => !/^https?:\/\//.test(u));
    if (bad) {
      console.error(`not an http(s) URL: ${bad}`);
      process.exit(1);
    }
    target.webhooks.urls = urls;
    writeAppsFile(file, apps);
    console.log(`${arg}: webhooks ${urls.length ? `to ${urls.join(', ')}` : 'off'}. Verify them with the secret ${target.webhooks.secret} (Standard Webhooks). Restart the server to apply.`);
    break;
  }
  case 'rotate-secret': {
    const target = environmentOf(arg);
    target.secret = newSecret();
    writeAppsFile(file, apps);
    console.log(`new secret for ${arg}: ${target.secret}\nRestart the server to use it; tokens signed with the old secret stop working.`);
    break;
  }
  default:
    usage();
}

// `npm run apps -- <command>`: manage the apps file (APPS_FILE, default $DATA_DIR/apps.json). `npm run apps -- help`
// lists the commands; every refusal is one line on stderr and exit code 1 (2 for a usage mistake).
import { targetUrlProblem } from '../webhooks/target-guard';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config';
import { AppRegistry, ENVIRONMENTS, originProblem, type AppDefinition, type EnvironmentSettings } from '../domain/apps';
import { newApp, newSecret, readAppsFile, writeAppsFile } from '../store/apps-file';

interface Command {
  usage: string;
  summary: string;
  run(args: string[], values: { origin?: string[]; url?: string[] }): void;
}

class Refusal extends Error {}
class UsageError extends Error {}

function loadApps(file: string): AppDefinition[] {
  try {
    return existsSync(file) ? readAppsFile(file) : [];
  } catch (err) {
    throw new Refusal(`cannot read ${file}: ${(err as Error).message.replace(`${file}: `, '')}`);
  }
}

/** Validates the whole file as the server will read it, then writes it. */
function save(file: string, apps: AppDefinition[]): void {
  try {
    new AppRegistry(apps);
  } catch (err) {
    throw new Refusal((err as Error).message);
  }
  writeAppsFile(file, apps);
}

function checkedOrigins(origins: string[], demo: boolean): string[] {
  for (const origin of origins) {
    if (origin === '*' && !demo) throw new Refusal('origin "*" is only allowed for the demo app; list each site origin instead, e.g. --origin https://shop.example');
    const problem = origin === '*' ? undefined : originProblem(origin);
    if (problem) throw new Refusal(`--origin ${origin}: ${problem}`);
  }
  return origins;
}

function environmentOf(apps: AppDefinition[], file: string, appKey: string | undefined, command: string): { app: AppDefinition; settings: EnvironmentSettings } {
  if (!appKey) throw new UsageError(`${command} needs an App Key (see \`npm run apps -- list\`)`);
  for (const app of apps) {
    for (const env of ENVIRONMENTS) {
      const settings = app.environments[env];
      if (settings?.appKey === appKey) return { app, settings };
    }
  }
  throw new Refusal(`no environment with App Key ${appKey} in ${file}`);
}

function commands(file: string): Record<string, Command> {
  return {
    list: {
      usage: 'list',
      summary: 'App names, ids, environments, App Keys, origins and webhooks (never secrets).',
      run() {
        const apps = loadApps(file);
        if (apps.length === 0) console.log(`no apps in ${file} (npm start creates a demo app)`);
        for (const app of apps) {
          console.log(`${app.name}${app.demo ? ' (demo)' : ''}  id=${app.id}`);
          for (const env of ENVIRONMENTS) {
            const s = app.environments[env];
            if (s) console.log(`  ${env.padEnd(11)} appKey=${s.appKey}  origins=${s.allowedOrigins.join(',') || '(none)'}  ringTimeout=${s.ringTimeoutSeconds}s  webhooks=${s.webhooks.urls.join(',') || '(none)'}`);
          }
        }
      },
    },
    create: {
      usage: 'create <name> [--origin https://site.example]...',
      summary: 'New app with a development and a production environment (both get the origins given); prints the secrets once.',
      run([name], values) {
        if (!name) throw new UsageError('create needs an app name');
        const apps = loadApps(file);
        if (apps.some((a) => a.name === name)) throw new Refusal(`an app named "${name}" already exists in ${file}`);
        const app = newApp(name, { origins: checkedOrigins(values.origin ?? [], false) });
        save(file, [...apps, app]);
        console.log(`created app "${name}" (id ${app.id}) in ${file}. Keep the secrets on your backend only; they are not shown again.`);
        for (const env of ENVIRONMENTS) {
          const s = app.environments[env];
          if (s) console.log(`  ${env.padEnd(11)} appKey=${s.appKey}  secret=${s.secret}`);
        }
      },
    },
    origins: {
      usage: 'origins <appKey> [--origin https://site.example]...',
      summary: "Sets the origins allowed to connect to that environment (none = only clients that send no Origin, e.g. native apps).",
      run([appKey], values) {
        const apps = loadApps(file);
        const { app, settings } = environmentOf(apps, file, appKey, 'origins');
        settings.allowedOrigins = checkedOrigins(values.origin ?? [], app.demo);
        save(file, apps);
        console.log(`${appKey}: origins ${settings.allowedOrigins.join(', ') || '(none)'}. Restart the server to apply.`);
      },
    },
    webhooks: {
      usage: 'webhooks <appKey> [--url https://site.example/hooks]...',
      summary: "Sets that environment's webhook URLs (none = off); prints the webhook signing secret.",
      run([appKey], values) {
        const apps = loadApps(file);
        const { settings } = environmentOf(apps, file, appKey, 'webhooks');
        const urls = values.url ?? [];
        // The server checks again at every delivery (DNS may change); this catches typos and plain mistakes now.
        const allowPrivate = process.env.WEBHOOK_ALLOW_PRIVATE === 'on';
        for (const url of urls) {
          const problem = targetUrlProblem(url, allowPrivate);
          if (problem) throw new Refusal(`--url ${url}: ${problem}`);
        }
        settings.webhooks.urls = urls;
        save(file, apps);
        console.log(`${appKey}: webhooks ${urls.length ? `to ${urls.join(', ')}` : 'off'}. Verify them with the secret ${settings.webhooks.secret} (Standard Webhooks). Restart the server to apply.`);
      },
    },
    'rotate-secret': {
      usage: 'rotate-secret <appKey>',
      summary: 'New secret for that environment; prints it once. Tokens signed with the old one stop working.',
      run([appKey]) {
        const apps = loadApps(file);
        const { settings } = environmentOf(apps, file, appKey, 'rotate-secret');
        settings.secret = newSecret();
        save(file, apps);
        console.log(`new secret for ${appKey}: ${settings.secret}\nRestart the server to use it; tokens signed with the old secret stop working.`);
      },
    },
    delete: {
      usage: 'delete <appId>',
      summary: 'Removes the app and both its environments (its App Keys stop working after a restart). Records stay.',
      run([id]) {
        if (!id) throw new UsageError('delete needs an app id (see `npm run apps -- list`)');
        const apps = loadApps(file);
        const app = apps.find((a) => a.id === id);
        if (!app) throw new Refusal(`no app with id ${id} in ${file}`);
        save(file, apps.filter((a) => a !== app));
        console.log(`deleted app "${app.name}" (id ${id}) from ${file}. Restart the server to apply.`);
      },
    },
  };
}

function help(all: Record<string, Command>, name?: string): string {
  if (name) {
    const command = all[name];
    if (!command) throw new UsageError(`unknown command "${name}"`);
    return `usage: npm run apps -- ${command.usage}\n\n${command.summary}\n`;
  }
  const lines = Object.values(all).map((c) => `  ${c.usage}\n      ${c.summary}`);
  return `usage: npm run apps -- <command>\n\nManages the apps file ($APPS_FILE, default $DATA_DIR/apps.json).\n\nCommands:\n${lines.join('\n')}\n  help [command]\n      This text, or one command's.\n`;
}

function main(argv: string[]): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { origin: { type: 'string', multiple: true }, url: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    console.error(`apps: ${(err as Error).message} (see \`npm run apps -- help\`)`);
    return 2;
  }
  const { positionals, values } = parsed;
  const [name, ...args] = positionals;
  try {
    const file = loadConfig().appsFile;
    const all = commands(file);
    if (!name || name === 'help' || values.help) {
      process.stdout.write(help(all, name === 'help' ? args[0] : name));
      return name || values.help ? 0 : 2;
    }
    const command = all[name];
    if (!command) throw new UsageError(`unknown command "${name}"`);
    command.run(args, values);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`apps: ${err.message} (see \`npm run apps -- help\`)`);
      return 2;
    }
    if (err instanceof Refusal || err instanceof ConfigError) {
      console.error(`apps: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

process.exitCode = main(process.argv.slice(2));

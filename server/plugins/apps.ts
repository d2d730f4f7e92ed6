import fp from 'fastify-plugin';
import { ConfigError, type ServerConfig } from '../config';
import { type AppDefinition, AppRegistry } from '../domain/apps';
import { loadOrCreateApps } from '../store/apps-file';

declare module 'fastify' {
  interface FastifyInstance {
    /** The apps and their environments (tenants) this server serves. */
    apps: AppRegistry;
  }
}

/** The apps: from the options (tests) or APPS_FILE, created with a demo app on a first development start. */
export const appsPlugin = fp<{ config: ServerConfig; apps?: AppDefinition[] }>(
  async (app, { config, apps }) => {
    let registry: AppRegistry;
    try {
      let defs = apps;
      if (!defs) {
        const loaded = loadOrCreateApps(config.appsFile, { demo: config.demoApp });
        defs = loaded.apps;
        if (loaded.created) {
          const key = defs[0]?.environments.development?.appKey;
          app.log.info(`created a development demo app (App Key ${key}); its secret is stored in ${config.appsFile}`);
        } else if (defs.length === 0) {
          app.log.warn(`no apps in ${config.appsFile}: create one with \`npm run apps -- create <name> --origin https://your.site\` (production creates no demo app unless DEMO_APP=on)`);
        }
      }
      registry = new AppRegistry(defs);
    } catch (err) {
      // A broken apps file is the operator's to fix: main prints it as one line.
      throw new ConfigError(`APPS_FILE ${config.appsFile} is invalid: ${(err as Error).message.replace(`${config.appsFile}: `, '')}`);
    }
    app.decorate('apps', registry);
  },
  { name: 'apps' },
);

import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import { configWarning, type ServerConfig } from './config';
import { appsPlugin } from './plugins/apps';
import type { BuildOptions } from './plugins/build-options';
import { clusterPlugin } from './plugins/cluster';
import { domainPlugin } from './plugins/domain';
import { httpPlugin } from './plugins/http';
import { mediaPlugin } from './plugins/media';
import { recordsPlugin } from './plugins/records';
import { signalingPlugin } from './plugins/signaling';

export type { BuildOptions } from './plugins/build-options';
export type CallWidgetServer = FastifyInstance;

/**
 * Builds the whole server without listening: `app.inject()` and real sockets both work on the result. One
 * named plugin per floor, each declaring what it needs: apps → records → cluster → media → domain → http →
 * signaling. They close in reverse (fastify runs onClose hooks last-registered first): signaling and HTTP
 * stop, the domain ends calls and rooms, media closes its workers, records write what is left and close.
 */
export async function buildApp(config: ServerConfig, options: BuildOptions = {}): Promise<CallWidgetServer> {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      ...(config.prettyLogs ? { transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss', ignore: 'pid,hostname' } } } : {}),
      redact: ['req.headers.authorization', '*.secret', '*.token'],
    },
    ajv: { customOptions: { removeAdditional: false } },
    trustProxy: config.trustProxy,
  });
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  const warning = configWarning(config);
  if (warning) app.log.warn(warning);
  try {
    await app.register(appsPlugin, { config, ...(options.apps ? { apps: options.apps } : {}) });
    await app.register(recordsPlugin, { config, options });
    await app.register(clusterPlugin, { config });
    await app.register(mediaPlugin, { config, options });
    await app.register(domainPlugin, { config, options });
    await app.register(httpPlugin, { config, options });
    await app.register(signalingPlugin, { config, options });
  } catch (err) {
    // What was built before the failure (database, workers, Redis) is closed; main prints a ConfigError as one line.
    await app.close().catch(() => undefined);
    throw err;
  }
  return app;
}

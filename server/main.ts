import { ConfigError, type ServerConfig, ensureWritableDataDir, loadConfig } from './config';
import { buildApp } from './app';

/** A mistake the operator can fix: one line naming the setting, exit code 1, no stack trace. */
function exitWithConfigError(message: string): never {
  console.error(`call-widget: configuration error: ${message}`);
  process.exit(1);
}

let config: ServerConfig;
try {
  config = loadConfig();
  ensureWritableDataDir(config);
} catch (err) {
  if (err instanceof ConfigError) exitWithConfigError(err.message);
  throw err;
}
const app = await buildApp(config).catch((err: unknown) => {
  if (err instanceof ConfigError) exitWithConfigError(err.message);
  throw err;
});

let shuttingDown = false;
async function shutdown(signal: string): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  app.services.lifecycle.shuttingDown = true;
  app.log.info(`${signal} received: closing connections and media workers`);
  const force = setTimeout(() => process.exit(1), 10_000);
  force.unref();
  await app.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

try {
  await app.listen({ port: config.port, host: config.host });
} catch (err) {
  const code = (err as NodeJS.ErrnoException).code;
  await app.close();
  if (code === 'EADDRINUSE') exitWithConfigError(`PORT ${config.port} is already in use on ${config.host}; choose another PORT`);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') exitWithConfigError(`HOST ${config.host} is not an address of this machine`);
  if (code === 'EACCES') exitWithConfigError(`PORT ${config.port} needs privileges; use a port above 1023 (or a proxy in front)`);
  throw err;
}
const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
app.log.info(`call-widget server ready at http://${shown}:${config.port}/ (demo), /live, /widget.js, /docs, /healthz`);

import type { Server } from 'node:http';
import { ConfigError, type ServerConfig, ensureWritableDataDir, loadConfig } from './config';
import { buildApp } from './app';
import { listenOperator } from './http/operator';
import { moveIdleClients as moveIdleClientsOf } from './signaling/client-lifecycle';

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

/** The separate METRICS_PORT listener, closed with the app. */
let metricsServer: Server | undefined;
let shuttingDown = false;
async function shutdown(signal: string): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  app.services.lifecycle.shuttingDown = true;
  const { calls, rooms } = app.services;
  const force = setTimeout(() => process.exit(1), config.drainMs + 10_000);
  force.unref();
  // Drain: /readyz turns 503, no new call, room or connection starts here, and clients nothing holds are moved
  // away (server_draining); running calls and rooms may finish within DRAIN_SECONDS, their clients moved as
  // they end.
  const moveIdleClients = () => moveIdleClientsOf(app.services);
  const moved = moveIdleClients();
  app.log.info(`${signal} received: moved ${moved} idle client(s) to reconnect elsewhere`);
  if (calls.activeCount + rooms.size > 0) {
    app.log.info(`draining ${calls.activeCount} call(s) and ${rooms.size} room(s) for up to ${config.drainMs / 1000} s`);
    const deadline = Date.now() + config.drainMs;
    while (calls.activeCount + rooms.size > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      moveIdleClients();
    }
  }
  const ended = calls.endAllForShutdown();
  if (ended > 0) app.log.warn(`drain deadline passed: ended ${ended} call(s) with reason server_restart`);
  // Their clients were told (call.ended) and can now go elsewhere too.
  moveIdleClients();
  app.log.info(`${signal}: closing connections and media workers`);
  metricsServer?.closeAllConnections();
  metricsServer?.close();
  await app.close();
  // pino writes asynchronously: what shutdown logged must be out before the process goes.
  const logger = app.log as unknown as { flush?: (done: () => void) => void };
  await new Promise<void>((resolve) => (logger.flush ? logger.flush(() => resolve()) : resolve()));
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
if (config.metricsListen) {
  const { host, port } = config.metricsListen;
  try {
    const listener = await listenOperator({ metrics: app.metrics, services: app.services }, host, port);
    metricsServer = listener.server;
    app.log.info(`metrics listening at http://${host}:${listener.port}/metrics (and /status)`);
  } catch (err) {
    await app.close();
    exitWithConfigError(`METRICS_PORT ${port} on METRICS_HOST ${host} cannot be used (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}
const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
app.log.info(`call-widget server ready at http://${shown}:${config.port}/ (demo), /live, /widget.js, /docs, /healthz`);

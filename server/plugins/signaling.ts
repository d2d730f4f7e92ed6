import fastifyWebsocket from '@fastify/websocket';
import fp from 'fastify-plugin';
import type { ServerConfig } from '../config';
import { signalingRoutes } from '../signaling/route';
import type { BuildOptions } from './build-options';

/** GET /v1/signal: the widget's WebSocket, over the domain and the Topology (requests run where they live). */
export const signalingPlugin = fp<{ config: ServerConfig; options: BuildOptions }>(
  async (app, { config, options }) => {
    await app.register(fastifyWebsocket, { options: { maxPayload: 1024 * 1024 } });
    await app.register(signalingRoutes, { services: app.services, limits: { ...config.signaling, ...options.signalingLimits }, observeRequest: app.metrics.observeRequest });
  },
  { name: 'signaling', dependencies: ['domain', 'http'] },
);

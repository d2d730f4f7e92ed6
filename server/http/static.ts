import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';

export interface StaticRouteOptions {
  distDir: string;
  demoDir: string;
}

/**
 * The script-tag bundle at /widget.js (its lazy chunks under /chunks/), and the demo pages at / and /live.
 * Built files come from `npm run build` (npm start runs it first).
 */
export const staticRoutes: FastifyPluginAsync<StaticRouteOptions> = async (app, { distDir, demoDir }) => {
  const widget = join(distDir, 'call-widget.js');
  if (!existsSync(widget)) app.log.warn(`${widget} is missing: run \`npm run build\``);
  await app.register(fastifyStatic, { root: resolve(distDir), prefix: '/dist/', serve: true, decorateReply: true, index: false });
  // Sites on other origins load the widget as a module script, which browsers fetch in CORS mode: the bundle
  // and its lazy chunks are public, so any origin may load them (the token decides who may connect).
  const publicScript = (reply: { header(name: string, value: string): unknown }) => void reply.header('access-control-allow-origin', '*');
  await app.register(fastifyStatic, { root: resolve(distDir, 'chunks'), prefix: '/chunks/', decorateReply: false, index: false, setHeaders: publicScript });
  const hide = { schema: { hide: true } };
  app.get('/widget.js', hide, (_req, reply) =>
    reply.header('cache-control', 'no-cache').header('access-control-allow-origin', '*').sendFile('call-widget.js', resolve(distDir)),
  );
  // The stories page is built by `vite build --mode demo` (TypeScript); the live page is plain HTML.
  await app.register(fastifyStatic, { root: resolve(distDir, 'demo', 'assets'), prefix: '/assets/', decorateReply: false, index: false });
  app.get('/', hide, (_req, reply) => reply.sendFile('index.html', resolve(distDir, 'demo')));
  app.get('/live', hide, (_req, reply) => reply.sendFile('live.html', resolve(demoDir)));
};

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { pageCspOf } from './page-csp';

export interface StaticRouteOptions {
  /** Built demo pages (dist/demo holds the stories page and the live page). */
  distDir: string;
  /** The widget package's build (call-widget.js and its lazy chunks). */
  widgetDir: string;
}

/**
 * The script-tag bundle at /widget.js (its lazy chunks under /chunks/), and the demo pages at / and /live.
 * Built files come from `npm run build` (npm start builds whatever is stale first).
 */
export const staticRoutes: FastifyPluginAsync<StaticRouteOptions> = async (app, { distDir, widgetDir }) => {
  const widget = join(widgetDir, 'call-widget.js');
  if (!existsSync(widget)) app.log.warn(`${widget} is missing: run \`npm run build\``);
  // Sites on other origins load the widget as a module script, which browsers fetch in CORS mode: the bundle
  // and its lazy chunks are public, so any origin may load them (the token decides who may connect). Helmet's
  // same-origin resource policy is lifted for exactly these files.
  const publicScript = (reply: { header(name: string, value: string): unknown }) => {
    reply.header('access-control-allow-origin', '*');
    reply.header('cross-origin-resource-policy', 'cross-origin');
  };
  await app.register(fastifyStatic, { root: resolve(widgetDir, 'chunks'), prefix: '/chunks/', decorateReply: false, index: false, setHeaders: publicScript });
  const hide = { schema: { hide: true } };
  app.get('/widget.js', hide, (_req, reply) =>
    reply.header('cache-control', 'no-cache').header('access-control-allow-origin', '*').header('cross-origin-resource-policy', 'cross-origin').sendFile('call-widget.js', resolve(widgetDir)),
  );
  // The stories page is built by `vite build --mode demo` (TypeScript); the live page is plain HTML copied next to it.
  // This registration provides reply.sendFile (no CORS headers: only the widget files above are public).
  await app.register(fastifyStatic, { root: resolve(distDir, 'demo', 'assets'), prefix: '/assets/', decorateReply: true, index: false });
  const page = (reply: FastifyReply, name: string) => {
    const csp = pageCspOf(join(distDir, 'demo', name));
    if (csp) reply.header('content-security-policy', csp);
    return reply.sendFile(name, resolve(distDir, 'demo'));
  };
  app.get('/', hide, (_req, reply) => page(reply, 'index.html'));
  app.get('/live', hide, (_req, reply) => page(reply, 'live.html'));
};

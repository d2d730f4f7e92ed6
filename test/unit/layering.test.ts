// The house's floors, checked on the source: only server/media/ imports mediasoup; domain, signaling, HTTP and
// store reach media only through domain/media-port.ts (the wiring — app.ts, main.ts — composes them); the
// domain imports no framework; the widget's engine (widget/call/) never imports lit.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const root = join(import.meta.dirname, '..', '..');
function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => join(dir, f));
}
/** Every module specifier a file imports or re-exports (static and dynamic). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)].map((m) => m[1]!);
}
const isMediasoup = (s: string) => s === 'mediasoup' || s.startsWith('mediasoup/');
/** A relative import that lands in server/media/. */
const intoMedia = (s: string, f: string) => s.startsWith('.') && join(f, '..', s).startsWith(join('server', 'media'));
const offenders = (files: string[], bad: (specifier: string, file: string) => boolean) =>
  files.flatMap((f) => importsOf(f).filter((s) => bad(s, f)).map((s) => `${f} imports ${s}`));

test('only server/media/ imports mediasoup', () => {
  const outside = [...sources('server'), ...sources('protocol')].filter((f) => !f.startsWith(join('server', 'media')));
  assert.deepEqual(offenders(outside, isMediasoup), []);
});

test('domain, signaling, HTTP routes and the store reach media only through the port (domain/media-port.ts)', () => {
  const floors = ['server/domain', 'server/signaling', 'server/http', 'server/store'].flatMap(sources);
  assert.deepEqual(offenders(floors, intoMedia), []);
});

test('the domain imports no framework, socket, database or media library', () => {
  const frameworks = /^(fastify|@fastify\/|ws$|mediasoup|better-sqlite3|ioredis|redis$|pg$|prom-client)/;
  assert.deepEqual(offenders(sources('server/domain'), (s) => frameworks.test(s)), []);
});

test('the widget engine (widget/call/) does not import lit', () => {
  assert.deepEqual(offenders(sources('widget/call'), (s) => s === 'lit' || s.startsWith('lit/') || s.startsWith('@lit/')), []);
});

test('the checks can fail: they find what they look for where it is allowed', () => {
  assert.ok(offenders(sources('server/media'), isMediasoup).length > 0, 'server/media imports mediasoup');
  assert.ok(offenders(['server/app.ts'], intoMedia).length > 0, 'the wiring imports server/media');
});

// The house's floors, checked on the source: only server/media/ imports mediasoup; domain, signaling, HTTP and
// store reach media only through domain/media-port.ts (the composition — server/plugins/ — wires them); the
// domain imports no framework; signaling and HTTP reach the cluster only through the Topology port; the widget's
// engine (widget/call/) never imports lit, components see it only through its contract (engine.ts), and no
// module of widget/ is part of an import circle.
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

/** A relative import of `file`, resolved to a repository path (`.ts`, or the folder's index.ts). */
function resolve(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = join(file, '..', specifier);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base]) {
    try {
      if (candidate.endsWith('.ts') && readFileSync(join(root, candidate))) return candidate;
    } catch {
      // not this one
    }
  }
  return undefined;
}

/** Every import circle among `files` (type-only imports count: a contract must not lean on its implementations). */
function circles(files: string[]): string[][] {
  const graph = new Map(files.map((f) => [f, importsOf(f).map((s) => resolve(f, s)).filter((t): t is string => t !== undefined)]));
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    path.push(f);
    for (const t of graph.get(f) ?? []) {
      if (state.get(t) === 'open') found.push([...path.slice(path.indexOf(t)), t]);
      else if (!state.has(t) && graph.has(t)) visit(t);
    }
    path.pop();
    state.set(f, 'done');
  };
  for (const f of files) if (!state.has(f)) visit(f);
  return found;
}

/** A relative import that lands in server/cluster/ (Redis, the bus, the relay). */
const intoCluster = (s: string, f: string) => s.startsWith('.') && join(f, '..', s).startsWith(join('server', 'cluster'));

test('signaling and HTTP see where calls and rooms live only through the Topology port (server/topology/topology.ts)', () => {
  assert.deepEqual(offenders(['server/signaling', 'server/http', 'server/domain'].flatMap(sources), intoCluster), []);
});

const engineContract = join('widget', 'call', 'engine.ts');
/** A relative import from a component into widget/call/ other than the engine's contract. */
const pastContract = (s: string, f: string) => {
  const target = resolve(f, s);
  return target !== undefined && target.startsWith(join('widget', 'call') + '/') && target !== engineContract;
};

test('components know the engine only by its contract (widget/call/engine.ts)', () => {
  assert.deepEqual(offenders(sources('widget/components'), pastContract), []);
});

test('the contract imports nothing of the engine, and there is no import circle anywhere in widget/', () => {
  assert.deepEqual(importsOf(engineContract).filter((s) => resolve(engineContract, s)?.startsWith(join('widget'))), []);
  assert.deepEqual(circles(sources('widget')), []);
});

/** What a view may not touch: the engine itself, the browser's APIs, the network (views are functions of a view model). */
const IMPURE = /\bCallEngine\b|\bnavigator\.|\bfetch\(|\bdocument\.|\bwindow\.|\blocalStorage\b/;
const impureLines = (files: string[]) =>
  files.flatMap((f) => readFileSync(join(root, f), 'utf8').split('\n').flatMap((line, i) => (IMPURE.test(line) && !line.trim().startsWith('//') && !line.trim().startsWith('*') ? [`${f}:${i + 1}: ${line.trim()}`] : [])));

test("the element's views see a view model only: no engine, no browser APIs, no network", () => {
  assert.deepEqual(impureLines(sources('widget/components/call-widget/views')), []);
});

test('the checks can fail: they find what they look for where it is allowed', () => {
  assert.ok(impureLines(['widget/components/call-widget/controllers/tile-views.ts']).length > 0, 'a controller measures the DOM');
  assert.ok(offenders(['widget/call-widget.ts'], pastContract).length > 0, 'the composition root imports the engine itself');
  assert.deepEqual(circles(['test/unit/fixtures/circle-a.ts', 'test/unit/fixtures/circle-b.ts']).length, 1, 'a circle of two files is found');
  assert.ok(offenders(sources('server/media'), isMediasoup).length > 0, 'server/media imports mediasoup');
  assert.ok(offenders(['server/plugins/media.ts'], intoMedia).length > 0, 'the media plugin imports server/media');
  assert.ok(offenders(['server/topology/cluster.ts'], intoCluster).length > 0, 'the cluster topology imports server/cluster');
});

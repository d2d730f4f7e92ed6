// The widget package as a front-end developer meets it: `npm pack` of widget/, installed offline (from the local
// npm cache that `npm ci` filled) into a scratch app, then typechecked the ways apps compile it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

const root = join(import.meta.dirname, '..', '..');
const built = existsSync(join(root, 'widget', 'dist', 'index.d.ts')) && existsSync(join(root, 'widget', 'custom-elements.json'));
/** Packages of the server (or of our build) that must never reach a front-end app through `npm i call-widget`. */
const SERVER_ONLY = ['mediasoup', 'better-sqlite3', 'fastify', '@fastify/static', '@fastify/websocket', 'typebox', 'tsx', 'pino-pretty', 'jose', 'ws', 'vite', 'pino'];

const installedVersion = (name: string) => (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${e.stdout ?? ''}${e.stderr ?? ''}`, { cause: err });
  }
}

/** The fenced ```lang block of README.md that contains `marker`. */
function readmeSnippet(lang: string, marker: string): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1] as string);
  const block = blocks.find((b) => b.includes(marker));
  assert.ok(block, `README.md has a \`\`\`${lang} block containing ${marker}`);
  return block;
}

type LockEntry = { version?: string; resolved?: string; integrity?: string; link?: boolean; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string>; peerDependencies?: Record<string, string>; peerDependenciesMeta?: Record<string, { optional?: boolean }>; [key: string]: unknown };

/**
 * A package-lock for the scratch app, taken from the repository's lockfile: `npm ci --offline` then installs from
 * the npm cache that the repository's own `npm ci` filled (caret ranges alone would need registry metadata, which
 * is not cached). `npm ci` refuses a lock that does not match what the tarball's package.json declares, so a server
 * dependency added to the widget package fails this test rather than slipping through.
 */
function scratchLockfile(tarball: { filename: string; integrity: string }, devDependencies: Record<string, string>): object {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const widget = JSON.parse(readFileSync(join(root, 'widget', 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };
  const packages: Record<string, LockEntry> = {
    '': { name: 'scratch-app', dependencies: { 'call-widget': `file:${tarball.filename}` }, devDependencies },
    'node_modules/call-widget': { version: widget.version, resolved: `file:${tarball.filename}`, integrity: tarball.integrity, dependencies: widget.dependencies },
  };
  const resolveFrom = (dependent: string, name: string): string | undefined => {
    for (let base = dependent; ; base = base.replace(/\/?node_modules\/(@[^/]+\/)?[^/]+$/, '')) {
      const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
      if (lock.packages[candidate] && !lock.packages[candidate].link) return candidate;
      if (!base) return undefined;
    }
  };
  const queue: [string, string][] = [
    ...Object.keys(widget.dependencies).map((name): [string, string] => ['node_modules/call-widget', name]),
    ...Object.keys(devDependencies).map((name): [string, string] => ['', name]),
  ];
  while (queue.length > 0) {
    const [dependent, name] = queue.shift()!;
    const path = resolveFrom(dependent, name);
    if (!path) throw new Error(`${name} (needed by ${dependent || 'the app'}) is not in the repository's lockfile`);
    if (packages[path]) continue;
    const { dev: _dev, optional: _optional, devOptional: _devOptional, peer: _peer, ...entry } = lock.packages[path]!;
    packages[path] = entry;
    const peers = Object.keys(entry.peerDependencies ?? {}).filter((p) => !entry.peerDependenciesMeta?.[p]?.optional);
    for (const dep of [...Object.keys(entry.dependencies ?? {}), ...peers]) queue.push([path, dep]);
    for (const dep of Object.keys(entry.optionalDependencies ?? {})) if (resolveFrom(path, dep)) queue.push([path, dep]);
  }
  return { name: 'scratch-app', lockfileVersion: 3, requires: true, packages };
}

function installedPackages(nodeModules: string): string[] {
  const names: string[] = [];
  for (const entry of readdirSync(nodeModules)) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) for (const scoped of readdirSync(join(nodeModules, entry))) names.push(`${entry}/${scoped}`);
    else names.push(entry);
  }
  return names;
}

describe('the call-widget npm package', { skip: !built && 'run npm run build first' }, () => {
  let scratch: string;
  let packed: { filename: string; integrity: string; files: { path: string }[] };
  /** The type checkers the app installs next to the widget, at the versions the repository uses. */
  const tools = Object.fromEntries(['typescript', '@types/react', 'vue', 'vue-tsc'].map((name) => [name, installedVersion(name)]));

  before(() => {
    scratch = mkdtempSync(join(tmpdir(), 'cw-pack-'));
    const out = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', scratch], join(root, 'widget'))) as (typeof packed)[];
    packed = out[0]!;
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch-app', private: true, type: 'module', dependencies: { 'call-widget': `file:${packed.filename}` }, devDependencies: tools }));
    writeFileSync(join(scratch, 'package-lock.json'), JSON.stringify(scratchLockfile(packed, tools), null, 2));
    // Only the widget and its dependencies (what `npm i call-widget` brings), then the type checkers.
    run('npm', ['ci', '--offline', '--omit=dev', '--no-audit', '--no-fund', '--ignore-scripts'], scratch);
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  test('ships the script-tag bundle, the ESM build, types and custom-elements.json, and no demo or server files', () => {
    const files = packed.files.map((f) => f.path);
    for (const expected of ['dist/call-widget.js', 'dist/lib/index.js', 'dist/index.d.ts', 'custom-elements.json', 'jsx.d.ts', 'vue.d.ts', 'package.json']) {
      assert.ok(files.includes(expected), `${expected} is in the tarball`);
    }
    assert.ok(files.some((f) => f.startsWith('dist/chunks/')), 'the lazy media chunk of the script-tag bundle ships');
    const stray = files.filter((f) => /(^|\/)(demo|server|test|protocol)\//.test(f) || /\.(ts|tsx)$/.test(f.replace(/\.d\.ts$/, '')) || f.endsWith('.html'));
    assert.deepEqual(stray, [], 'no sources, demo or server files');
    const manifest = JSON.parse(readFileSync(join(scratch, 'node_modules', 'call-widget', 'package.json'), 'utf8')) as { exports: Record<string, unknown>; dependencies: Record<string, string> };
    assert.ok(manifest.exports['./custom-elements.json'], 'custom-elements.json is exported');
    assert.deepEqual(Object.keys(manifest.dependencies).sort(), ['@floating-ui/dom', 'lit', 'mediasoup-client']);
    for (const [name, range] of Object.entries(manifest.dependencies)) assert.match(range, /^\^\d/, `${name} is a caret range, so an app's own copy is shared`);
  });

  test('installs no server dependency', () => {
    const installed = installedPackages(join(scratch, 'node_modules'));
    const leaked = installed.filter((name) => SERVER_ONLY.includes(name));
    assert.deepEqual(leaked, [], `installed: ${installed.join(', ')}`);
    assert.ok(installed.includes('lit') && installed.includes('mediasoup-client') && installed.includes('@floating-ui/dom'));
    assert.ok(installed.length < 40, `a light install (${installed.length} packages): ${installed.join(', ')}`);
  });

  describe('typechecks in an app', () => {
    before(() => {
      run('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], scratch);
      writeFileSync(
        join(scratch, 'usage.ts'),
        [
          "import 'call-widget';",
          "import type { CallIncomingDetail } from 'call-widget';",
          "const widget = document.createElement('call-widget');",
          "widget.server = 'https://calls.example.com';",
          "widget.token = 'TOKEN_FROM_YOUR_BACKEND';",
          "widget.addEventListener('call-incoming', (event) => {",
          '  const detail: CallIncomingDetail = event.detail;',
          '  const caller: string = event.detail.caller.userId;',
          '  console.log(caller);',
          '  void widget.accept({ video: detail.video });',
          '});',
          '// @ts-expect-error the detail is typed: an unknown field is an error (it would pass if detail were `any`)',
          "widget.addEventListener('call-incoming', (event) => event.detail.notAField);",
          'document.body.append(widget);',
          '',
        ].join('\n'),
      );
      writeFileSync(join(scratch, 'Support.tsx'), readmeSnippet('tsx', "from 'call-widget/jsx'"));
      writeFileSync(join(scratch, 'App.vue'), readmeSnippet('vue', "from 'call-widget/vue'"));
    });

    const strict = { strict: true, noEmit: true, skipLibCheck: false, lib: ['ES2022', 'DOM', 'DOM.Iterable'], types: [] as string[] };
    const tsc = (name: string, compilerOptions: Record<string, unknown>, files: string[]) => {
      writeFileSync(join(scratch, name), JSON.stringify({ compilerOptions: { ...strict, ...compilerOptions }, files }));
      return run(process.execPath, [join(scratch, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', name], scratch);
    };

    test('a TS file with document.createElement and a typed call-incoming listener, moduleResolution Bundler', () => {
      tsc('tsconfig.bundler.json', { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler' }, ['usage.ts']);
    });

    test('the same file under moduleResolution NodeNext', () => {
      tsc('tsconfig.nodenext.json', { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext' }, ['usage.ts']);
    });

    test("the README's React 19 TSX snippet", () => {
      tsc('tsconfig.react.json', { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', jsx: 'react-jsx', types: ['react'] }, ['Support.tsx']);
    });

    test("the README's Vue snippet under vue-tsc with strictTemplates", () => {
      writeFileSync(
        join(scratch, 'tsconfig.vue.json'),
        JSON.stringify({ compilerOptions: { ...strict, target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', jsx: 'preserve' }, vueCompilerOptions: { strictTemplates: true }, include: ['App.vue'] }),
      );
      run(process.execPath, [join(scratch, 'node_modules', 'vue-tsc', 'bin', 'vue-tsc.js'), '-p', 'tsconfig.vue.json'], scratch);
    });

    test('a wrong prop in a Vue template is an error (the GlobalComponents declaration is not `any`)', () => {
      writeFileSync(join(scratch, 'Wrong.vue'), "<script setup lang=\"ts\">\nimport 'call-widget';\nimport type {} from 'call-widget/vue';\n</script>\n<template><call-widget layout=\"mosaic\" /></template>\n");
      writeFileSync(
        join(scratch, 'tsconfig.vue-wrong.json'),
        JSON.stringify({ compilerOptions: { ...strict, target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', jsx: 'preserve' }, vueCompilerOptions: { strictTemplates: true }, include: ['Wrong.vue'] }),
      );
      assert.throws(() => run(process.execPath, [join(scratch, 'node_modules', 'vue-tsc', 'bin', 'vue-tsc.js'), '-p', 'tsconfig.vue-wrong.json'], scratch), /mosaic|layout/);
    });

    test('a wrong prop in the TSX snippet is an error (the JSX declaration is not `any`)', () => {
      writeFileSync(join(scratch, 'Wrong.tsx'), "import 'call-widget';\nimport type {} from 'call-widget/jsx';\nexport const W = () => <call-widget layout=\"mosaic\" />;\n");
      assert.throws(() => tsc('tsconfig.wrong.json', { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', jsx: 'react-jsx', types: ['react'] }, ['Wrong.tsx']), /layout|mosaic/);
    });
  });
});

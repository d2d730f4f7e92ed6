// What `npm start` builds (scripts/build.mjs --if-stale), on a copy of this checkout: a fresh clone builds every
// target; a second start builds nothing; a `git pull` that touched only the server, or only the widget, rebuilds
// only the targets fed by what changed.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';

const root = join(import.meta.dirname, '..', '..');
const ALL = ['widget script-tag bundle', 'widget ESM build', 'widget types', 'custom elements manifest', 'demo pages', 'server bundle'];

describe('npm start rebuilds only what is stale', () => {
  let copy: string;
  const build = () => {
    const out = execFileSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: copy, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { out, built: [...out.matchAll(/^\[build\] (.+) done in/gm)].map((m) => m[1]) };
  };

  before(() => {
    copy = mkdtempSync(join(tmpdir(), 'cw-incremental-'));
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
    for (const file of files) {
      if (!existsSync(join(root, file))) continue;
      mkdirSync(dirname(join(copy, file)), { recursive: true });
      cpSync(join(root, file), join(copy, file));
    }
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
  });
  after(() => rmSync(copy, { recursive: true, force: true }));

  test('a fresh clone builds every target, and the outputs exist', () => {
    assert.deepEqual(build().built, ALL);
    for (const output of ['widget/dist/call-widget.js', 'widget/dist/lib/index.js', 'widget/dist/index.d.ts', 'widget/custom-elements.json', 'dist/demo/live.html', 'dist/server/main.js']) {
      assert.ok(existsSync(join(copy, output)), output);
    }
  });

  test('a second start builds nothing', () => {
    const { out, built } = build();
    assert.deepEqual(built, []);
    assert.match(out, /everything up to date/);
  });

  test('a change to the server rebuilds only the server bundle', () => {
    appendFileSync(join(copy, 'server', 'http', 'static.ts'), '\n// pulled change\n');
    assert.deepEqual(build().built, ['server bundle']);
  });

  test('a change to a widget component rebuilds the widget targets and the demo, not the server', () => {
    appendFileSync(join(copy, 'widget', 'components', 'call-widget', 'strings.ts'), '\n// pulled change\n');
    assert.deepEqual(build().built, ['widget script-tag bundle', 'widget ESM build', 'widget types', 'custom elements manifest', 'demo pages']);
  });

  test('a deleted output is rebuilt even though its inputs did not change', () => {
    rmSync(join(copy, 'dist', 'demo'), { recursive: true });
    assert.deepEqual(build().built, ['demo pages']);
  });
});

// README's production recipe on a copy of this checkout: `npm run build` (done by `npm test` before this suite),
// then `npm ci --omit=dev` (offline, from the npm cache) and `NODE_ENV=production npm start`. Proves the server
// runs without vite, tsc, tsx or esbuild, and that the apps CLI works there too.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';

const root = join(import.meta.dirname, '..', '..');
const BUILD_OUTPUTS = ['dist', 'widget/dist', 'widget/custom-elements.json'];
const built = BUILD_OUTPUTS.every((p) => existsSync(join(root, p)));
const DEV_TOOLS = ['vite', 'typescript', 'tsx', 'esbuild', 'eslint', '@web/test-runner'];

function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`, { cause: err });
  }
}

describe('production install (npm ci --omit=dev) and NODE_ENV=production npm start', { skip: !built && 'run npm run build first' }, () => {
  let copy: string;

  before(() => {
    copy = mkdtempSync(join(tmpdir(), 'cw-prod-'));
    // What an operator deploys: the checkout's files (tracked and new, not ignored) plus the build outputs.
    const files = run('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], root).split('\0').filter(Boolean);
    for (const file of [...files, ...BUILD_OUTPUTS]) {
      if (!existsSync(join(root, file))) continue; // deleted in the work tree but still in the index
      mkdirSync(dirname(join(copy, file)), { recursive: true });
      cpSync(join(root, file), join(copy, file), { recursive: true });
    }
    run('npm', ['ci', '--omit=dev', '--offline', '--no-audit', '--no-fund'], copy);
  });
  after(() => rmSync(copy, { recursive: true, force: true }));

  test('no dev tool is installed', () => {
    const present = DEV_TOOLS.filter((name) => existsSync(join(copy, 'node_modules', name)));
    assert.deepEqual(present, []);
  });

  test('npm start serves the widget, the pages and signaling, and exits cleanly on SIGTERM', () => {
    // The same smoke CI runs against the development start; its own imports resolve from this checkout.
    const out = run(process.execPath, [join(root, 'scripts', 'smoke-start.mjs'), 'NODE_ENV=production', 'DEMO_APP=on', 'RTC_PORT=0'], copy);
    assert.match(out, /\[smoke\] npm start works/);
    assert.match(out, /SIGTERM: clean exit \(code 0\)/);
  });

  test('npm run apps works without dev tools', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cw-prod-apps-'));
    const out = run('npm', ['run', 'apps', '--silent', '--', 'create', 'Shop', '--origin', 'https://shop.example'], copy, { NODE_ENV: 'production', DATA_DIR: dataDir });
    assert.match(out, /created app "Shop"/);
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('a production start without a build says what to run, in one line', () => {
    rmSync(join(copy, 'dist', 'server'), { recursive: true, force: true });
    const dataDir = mkdtempSync(join(tmpdir(), 'cw-prod-nobuild-'));
    assert.throws(
      () => run('npm', ['start', '--silent'], copy, { NODE_ENV: 'production', DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' }),
      (err: Error) => /server bundle is missing .*run `npm run build`/.test(err.message) && !/\n\s+at /.test(err.message),
    );
    rmSync(dataDir, { recursive: true, force: true });
  });
});

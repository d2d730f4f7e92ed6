import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

test('apps CLI creates, lists (without secrets), rotates a secret and sets webhook URLs', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cw-cli-'));
  const run = (...args: string[]) => execFileSync(process.execPath, ['--import', 'tsx', 'server/cli/apps.ts', ...args], { env: { ...process.env, DATA_DIR: dataDir }, encoding: 'utf8' });
  const created = run('create', 'Clinic', '--origin', 'https://clinic.example');
  const file = join(dataDir, 'apps.json');
  const stored = JSON.parse(readFileSync(file, 'utf8')) as { apps: { environments: Record<string, { appKey: string; secret: string }> }[] };
  const prod = stored.apps[0]!.environments.production!;
  assert.ok(created.includes(prod.secret), 'secret shown once at creation');
  assert.equal(statSync(file).mode & 0o777, 0o600, 'apps file is owner-only');
  const listed = run('list');
  assert.ok(listed.includes(prod.appKey) && listed.includes('https://clinic.example'));
  assert.ok(!listed.includes(prod.secret), 'list never prints secrets');
  run('rotate-secret', prod.appKey);
  const after = JSON.parse(readFileSync(file, 'utf8')) as typeof stored;
  assert.notEqual(after.apps[0]!.environments.production!.secret, prod.secret);
  const hooks = run('webhooks', prod.appKey, '--url', 'https://clinic.example/hooks', '--url', 'https://backup.example/hooks');
  const withHooks = JSON.parse(readFileSync(file, 'utf8')) as { apps: { environments: Record<string, { webhooks: { urls: string[]; secret: string } }> }[] };
  const webhooks = withHooks.apps[0]!.environments.production!.webhooks;
  assert.deepEqual(webhooks.urls, ['https://clinic.example/hooks', 'https://backup.example/hooks']);
  assert.match(webhooks.secret, /^whsec_/);
  assert.ok(hooks.includes(webhooks.secret), 'the webhook secret is shown when webhooks are set');
  assert.ok(run('list').includes('https://backup.example/hooks'));
});

test('apps CLI: help, origins per environment, delete, and one-line refusals', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cw-cli-'));
  const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'server/cli/apps.ts', ...args], { env: { ...process.env, DATA_DIR: dataDir }, encoding: 'utf8' });
  const refused = (args: string[], code: number, pattern: RegExp) => {
    const r = cli(...args);
    assert.equal(r.status, code, `${args.join(' ')} exits ${code}: ${r.stderr}`);
    const lines = r.stderr.split('\n').filter((l) => l.trim());
    assert.equal(lines.length, 1, `one line: ${r.stderr}`);
    assert.match(lines[0]!, pattern);
  };

  const help = cli('--help');
  assert.equal(help.status, 0);
  for (const command of ['list', 'create', 'origins', 'webhooks', 'rotate-secret', 'delete', 'help']) assert.match(help.stdout, new RegExp(`^  ${command}\\b`, 'm'));
  const helpCreate = cli('help', 'create');
  assert.equal(helpCreate.status, 0);
  assert.match(helpCreate.stdout, /usage: npm run apps -- create <name> \[--origin/);

  refused(['create', 'Shop', '--origin', 'https://shop.example/'], 1, /not an origin .*did you mean https:\/\/shop\.example\?/);
  refused(['create', 'Shop', '--origin', 'shop.example'], 1, /not an origin; expected scheme:\/\/host/);
  refused(['create', 'Shop', '--origin', '*'], 1, /"\*" is only allowed for the demo app/);
  refused(['bogus'], 2, /unknown command "bogus"/);
  refused(['create', 'Shop', '--colour', 'red'], 2, /Unknown option '--colour'/);
  refused(['origins', 'pk_nope', '--origin', 'https://x.example'], 1, /no environment with App Key pk_nope/);

  assert.equal(cli('create', 'Shop', '--origin', 'https://shop.example').status, 0);
  refused(['create', 'Shop'], 1, /an app named "Shop" already exists/);
  const file = join(dataDir, 'apps.json');
  const read = () => JSON.parse(readFileSync(file, 'utf8')) as { apps: { id: string; environments: Record<string, { appKey: string; allowedOrigins: string[] }> }[] };
  const dev = read().apps[0]!.environments.development!;
  assert.equal(cli('origins', dev.appKey, '--origin', 'http://localhost:5173', '--origin', 'https://staging.shop.example').status, 0);
  const environments = read().apps[0]!.environments;
  assert.deepEqual(environments.development!.allowedOrigins, ['http://localhost:5173', 'https://staging.shop.example'], 'development has its own origins');
  assert.deepEqual(environments.production!.allowedOrigins, ['https://shop.example'], 'production is untouched');

  refused(['delete', 'no-such-id'], 1, /no app with id no-such-id/);
  assert.equal(cli('delete', read().apps[0]!.id).status, 0);
  assert.deepEqual(read().apps, []);
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

test('apps CLI creates, lists (without secrets) and rotates a secret', () => {
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
});

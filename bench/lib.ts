import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

export const RESULTS_DIR = join(import.meta.dirname, 'results');

export function median(values: number[]): number {
  return percentile(values, 50);
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

export function summary(values: number[]): { runs: number; median: number; p95: number; min: number; max: number } {
  const r = (x: number) => Math.round(x * 10) / 10;
  return { runs: values.length, median: r(median(values)), p95: r(percentile(values, 95)), min: r(Math.min(...values)), max: r(Math.max(...values)) };
}

function chromiumVersion(): string {
  const r = spawnSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : 'chromium (version unknown)';
}

export function machine(): Record<string, string | number> {
  const manifest = (dir: string) => JSON.parse(readFileSync(join(import.meta.dirname, '..', dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  // Versions as installed: the workspaces declare ranges (widget) or pins (server); the lockfile decides.
  const installed = (name: string) => (JSON.parse(readFileSync(join(import.meta.dirname, '..', 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  const pkg = { dependencies: { ...manifest('server').dependencies, mediasoup: installed('mediasoup'), 'mediasoup-client': installed('mediasoup-client'), lit: installed('lit') } as Record<string, string>, devDependencies: manifest('.').devDependencies ?? {} };
  return {
    date: new Date().toISOString(),
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    mediasoup: pkg.dependencies.mediasoup ?? '',
    'mediasoup-client': pkg.dependencies['mediasoup-client'] ?? '',
    lit: pkg.dependencies.lit ?? '',
    chromium: chromiumVersion(),
  };
}

/** Writes bench/results/<name>.json (BENCHMARKS.md is generated from these by bench/report.ts). */
export function saveResult(name: string, result: Record<string, unknown>): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, `${name}.json`), `${JSON.stringify({ machine: machine(), ...result }, null, 2)}\n`);
  console.log(`[bench] ${name}: ${JSON.stringify(result.summary ?? result, null, 0).slice(0, 400)}`);
}

// Output of the native build: one prefix, progress unless --quiet, and failures that say how to fix them.
import { spawn } from 'node:child_process';

const quiet = process.argv.includes('--quiet');

export const log = (msg) => console.log(`[native-build] ${msg}`);
export const info = (msg) => {
  if (!quiet) log(msg);
};

export function fail(message, howToFix) {
  console.error(`\n[native-build] ERROR: ${message}`);
  if (howToFix) console.error(`[native-build] How to fix: ${howToFix}`);
  process.exit(1);
}

/** Runs a long command, printing progress (ninja's [n/m] when there is one) every 5 s and its last lines on failure. */
export function runWithProgress(cmd, args, options, label) {
  const started = Date.now();
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = [];
    let step = '';
    const onData = (chunk) => {
      const lines = chunk.toString().split('\n').filter((l) => l.trim());
      for (const line of lines) step = /^\[(\d+)\/(\d+)\]/.exec(line)?.slice(1, 3).join('/') ?? step;
      tail.push(...lines);
      if (tail.length > 60) tail = tail.slice(-60);
    };
    const timer = setInterval(() => {
      const [n, m] = step.split('/').map(Number);
      const progress = m ? ` ${n}/${m} steps (${Math.round((n / m) * 100)} %),` : '';
      log(`  ... ${label},${progress} ${Math.round((Date.now() - started) / 1000)} s elapsed`);
    }, 5000);
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (err) => tail.push(err.message));
    child.on('close', (code) => {
      clearInterval(timer);
      resolvePromise({ code, tail, seconds: Math.round((Date.now() - started) / 1000) });
    });
  });
}


// A server binary the tests start themselves (redis-server, postgres): spawned, ready once its output says so.
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';

/** Spawns `command` and resolves with it once its output matches `ready` (bounded: `timeoutMs`). */
export function launchUntilReady(name: string, command: string, args: string[], ready: RegExp, timeoutMs: number, options: SpawnOptions = {}): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const proc = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += String(chunk);
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve(proc);
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}): ${output}`));
    });
  });
}

/** Sends `signal` (unless it already ended) and resolves once the process is gone. */
export async function killAndWait(proc: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill(signal);
  await exited;
}

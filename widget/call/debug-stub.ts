/**
 * Stands in for the `debug` package inside the script-tag bundle: mediasoup-client logs through it, and the
 * widget never enables those logs (debug prints nothing unless a namespace is enabled), so a no-op keeps
 * behaviour and saves ~6 KB. Wired with a vite alias; the npm build leaves mediasoup-client untouched.
 */
type Debugger = ((...args: unknown[]) => void) & { enabled: boolean; namespace: string; log: (...args: unknown[]) => void };

export default function debug(namespace: string): Debugger {
  const d = (() => undefined) as unknown as Debugger;
  d.enabled = false;
  d.namespace = namespace;
  d.log = () => undefined;
  return d;
}

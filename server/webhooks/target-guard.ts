import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Where webhooks may not go unless the operator opts in (`WEBHOOK_ALLOW_PRIVATE=on`): loopback, private,
 * carrier-grade NAT, link-local (cloud metadata at 169.254.169.254), multicast and reserved ranges. A tenant's
 * webhook URL must not turn the server into a probe of its own network.
 */
const BLOCKED = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24],
  ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) BLOCKED.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96], ['2001:db8::', 32]] as const) {
  BLOCKED.addSubnet(net, bits, 'ipv6');
}

/** Whether `ip` is an address webhooks may be sent to without the opt-in. */
export function isPublicAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 0) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  if (mapped) return !BLOCKED.check(mapped, 'ipv4');
  return !BLOCKED.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

/** Why this URL may not receive webhooks (checked when it is configured and again at each delivery), or undefined. */
export function targetUrlProblem(raw: string, allowPrivate: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) return 'webhook URLs must be https (http only with WEBHOOK_ALLOW_PRIVATE=on)';
  if (url.username || url.password) return 'webhook URLs must not carry credentials';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && isIP(host) !== 0 && !isPublicAddress(host)) return 'a loopback, private, link-local or reserved address (allowed only with WEBHOOK_ALLOW_PRIVATE=on)';
  return undefined;
}

/** The error a refused resolution fails the connection with: recognised by the dispatcher. */
export class BlockedTargetError extends Error {
  readonly code = 'ERR_WEBHOOK_TARGET_BLOCKED';
}

/**
 * DNS lookup for webhook connections that refuses non-public answers. It is the lookup the socket connects
 * with, so the address checked is the address used: a name that resolves to a public address when the URL
 * is saved and to 127.0.0.1 at delivery (DNS rebinding) is refused at delivery.
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as LookupAddress[];
      const usable = allowPrivate ? list : list.filter((a) => isPublicAddress(a.address));
      if (usable.length === 0) return callback(new BlockedTargetError(`${hostname} resolves only to non-public addresses`), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
      const first = usable[0]!;
      callback(null, first.address, first.family);
    });
  };
}

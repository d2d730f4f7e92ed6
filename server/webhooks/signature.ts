import { createHmac, randomBytes } from 'node:crypto';

/** A new per-app-environment webhook secret in the Standard Webhooks format: `whsec_` + base64 key. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/**
 * `webhook-signature` per the Standard Webhooks spec: `v1,` + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")),
 * where the key is the base64 part of the `whsec_` secret.
 */
export function signWebhook(secret: string, messageId: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
  const mac = createHmac('sha256', key).update(`${messageId}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}

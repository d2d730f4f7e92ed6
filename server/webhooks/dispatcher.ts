import type { Delivery, WebhookOutbox } from '../store/webhook-outbox';
import { type PostOutcome, postWebhook } from './post';
import { signWebhook } from './signature';

/**
 * Waits after each failed attempt (the Standard Webhooks schedule): 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h
 * — eight attempts over about 27.6 hours, then the delivery is `failed`.
 */
export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

/** A claimed delivery is held this long past its attempt's deadline (a slow node's attempt is never doubled). */
const CLAIM_MARGIN_MS = 30_000;

export interface DispatcherOptions {
  /** The tenant's current webhook secret (looked up at send time, so a rotated secret applies to retries). */
  secretFor(tenantKey: string): string | undefined;
  retryScheduleMs?: readonly number[];
  /** How often due retries are looked for; new events are sent at once regardless. */
  pollMs?: number;
  /** One attempt's deadline, connect included (default 5 s). */
  timeoutMs?: number;
  /** Deliveries in flight at once (each to a different endpoint or call). */
  concurrency?: number;
  /** Deliveries in flight at once for one app environment (default 2): a hanging endpoint delays only its own. */
  perTenant?: number;
  /** Loopback, private and link-local targets and plain http allowed (`WEBHOOK_ALLOW_PRIVATE=on`). */
  allowPrivate?: boolean;
  now?(): number;
  log?(message: string, details?: Record<string, unknown>): void;
}

/** Sends the outbox: signed POSTs, in order per endpoint and call, retried with backoff; survives restarts. */
export class WebhookDispatcher {
  /** Deliveries being attempted by this node, by seq, with their tenant. */
  private readonly inFlight = new Map<number, string>();
  private readonly running = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private pumping = false;
  private pumped: Promise<void> = Promise.resolve();
  private again = false;
  private stopped = false;
  private readonly schedule: readonly number[];
  private readonly now: () => number;

  constructor(
    private readonly outbox: WebhookOutbox,
    private readonly options: DispatcherOptions,
  ) {
    this.schedule = options.retryScheduleMs ?? DEFAULT_RETRY_SCHEDULE_MS;
    this.now = options.now ?? Date.now;
  }

  start(): void {
    this.timer = setInterval(() => this.kick(), this.options.pollMs ?? 1000);
    this.timer.unref();
    this.kick();
  }

  /** Something new is in the outbox (or a retry may be due): send what can be sent. */
  kick(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    this.pumped = this.pump().finally(() => {
      this.pumping = false;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /**
   * Shutdown: sends what is due now, in order per call (a call's next event waits for its previous one), until
   * nothing due is left or `timeoutMs` passed. Failures keep their retry schedule for the next start.
   */
  async flush(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.stopped && Date.now() < deadline) {
      this.kick();
      await Promise.race([Promise.allSettled([...this.running]), new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())))]);
      if (this.running.size === 0 && !(await this.outbox.anyDue(this.now()).catch(() => false))) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Stops sending and waits for attempts in flight (their outcome is recorded). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.pumped;
    await Promise.allSettled([...this.running]);
  }

  private async pump(): Promise<void> {
    const limit = (this.options.concurrency ?? 16) - this.inFlight.size;
    if (limit <= 0) return;
    const perTenant = this.options.perTenant ?? 2;
    const now = this.now();
    let claimed: Delivery[];
    try {
      // Held past the attempt's own deadline, so no other node sends it while this one does.
      claimed = await this.outbox.claim(now, limit, perTenant, now + (this.options.timeoutMs ?? 5000) + CLAIM_MARGIN_MS, (due) => this.choose(due, limit, perTenant));
    } catch (err) {
      // The database is away (PostgreSQL restarting): the next poll tries again; nothing is lost.
      this.options.log?.(`webhook outbox unavailable: ${(err as Error).message}`);
      return;
    }
    for (const delivery of claimed) {
      this.inFlight.set(delivery.seq, delivery.tenantKey);
      const attempt = this.attempt(delivery)
        .catch((err: Error) => this.options.log?.(`webhook ${delivery.messageId}: outcome not recorded (${err.message}); it is sent again when its claim lapses`))
        .finally(() => {
          this.inFlight.delete(delivery.seq);
          this.running.delete(attempt);
          // The next event of the same call may have been waiting for this one.
          this.kick();
        });
      this.running.add(attempt);
    }
  }

  /** Of the due deliveries, those this node starts: within its concurrency, `perTenant` in flight per tenant. */
  private choose(due: Delivery[], limit: number, perTenant: number): Delivery[] {
    const busy = new Map<string, number>();
    for (const tenant of this.inFlight.values()) busy.set(tenant, (busy.get(tenant) ?? 0) + 1);
    const chosen: Delivery[] = [];
    for (const d of due) {
      if (chosen.length >= limit) break;
      const n = busy.get(d.tenantKey) ?? 0;
      if (n >= perTenant) continue;
      busy.set(d.tenantKey, n + 1);
      chosen.push(d);
    }
    return chosen;
  }

  private async attempt(d: Delivery): Promise<void> {
    const secret = this.options.secretFor(d.tenantKey);
    const timestamp = Math.floor(this.now() / 1000);
    const outcome: PostOutcome = !secret
      ? { ok: false, failure: 'target_not_allowed', detail: 'the app environment no longer exists or has no webhook secret' }
      : await postWebhook(d.url, {
          headers: {
            'content-type': 'application/json',
            'user-agent': 'call-widget-webhooks/1',
            'webhook-id': d.messageId,
            'webhook-timestamp': String(timestamp),
            'webhook-signature': signWebhook(secret, d.messageId, timestamp, d.payload),
          },
          body: d.payload,
          timeoutMs: this.options.timeoutMs ?? 5000,
          allowPrivate: this.options.allowPrivate ?? false,
        });
    const now = this.now();
    if (outcome.ok) {
      await this.outbox.delivered(d.seq, outcome.status, now);
      return;
    }
    const wait = this.schedule[d.attempts];
    // The tenant sees the class of failure (and an HTTP status); the operator's log has the detail.
    const shown = outcome.failure === 'http_status' ? `HTTP ${outcome.status}` : outcome.failure;
    await this.outbox.attemptFailed(d.seq, { ...(outcome.status !== undefined ? { status: outcome.status } : {}), error: shown }, now, wait === undefined ? null : now + wait);
    this.options.log?.(`webhook ${d.eventType} ${d.messageId} to ${d.url} failed (attempt ${d.attempts + 1}): ${outcome.detail}`, {
      retryInMs: wait ?? null,
    });
  }
}

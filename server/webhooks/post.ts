import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { guardedLookup, targetUrlProblem } from './target-guard';

/**
 * How an attempt ended, as the tenant may see it: a class and, for an HTTP answer, its status — never the
 * network detail (refused vs. reset vs. unresolved), which would map the server's network for them.
 */
export type DeliveryFailure = 'target_not_allowed' | 'timeout' | 'connection_failed' | 'http_status';

export type PostOutcome = { ok: true; status: number } | { ok: false; failure: DeliveryFailure; status?: number; detail: string };

export interface PostOptions {
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  allowPrivate: boolean;
}

/** One webhook POST: no redirects followed, a hard deadline for the whole exchange, the target guarded. */
export function postWebhook(url: string, options: PostOptions): Promise<PostOutcome> {
  const problem = targetUrlProblem(url, options.allowPrivate);
  if (problem) return Promise.resolve({ ok: false, failure: 'target_not_allowed', detail: problem });
  const target = new URL(url);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: PostOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(outcome);
    };
    const req = request(
      target,
      {
        method: 'POST',
        headers: { ...options.headers, 'content-length': Buffer.byteLength(options.body) },
        lookup: guardedLookup(options.allowPrivate),
        agent: false,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        res.resume(); // the body is not read: only the status matters
        res.on('error', () => undefined);
        req.destroy();
        finish(status >= 200 && status < 300 ? { ok: true, status } : { ok: false, failure: 'http_status', status, detail: `HTTP ${status}` });
      },
    );
    // The whole attempt, connect included, within timeoutMs: a hanging endpoint holds a slot no longer.
    const deadline = setTimeout(() => {
      finish({ ok: false, failure: 'timeout', detail: `no answer within ${options.timeoutMs} ms` });
      req.destroy();
    }, options.timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => {
      const blocked = error.code === 'ERR_WEBHOOK_TARGET_BLOCKED';
      finish({ ok: false, failure: blocked ? 'target_not_allowed' : 'connection_failed', detail: `${error.message}${error.code ? ` (${error.code})` : ''}` });
    });
    req.end(options.body);
  });
}

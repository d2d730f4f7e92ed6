import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';

/**
 * The Content-Security-Policy of one of our HTML pages (demo, live): scripts only from this origin plus the
 * page's own inline scripts by hash, media from cameras and canvases, connections to this origin (signaling
 * WebSocket included: CSP3 'self' matches ws/wss of the same host), and no framing by other sites.
 */
export function pageCsp(html: string): string {
  const hashes = [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)]
    .map((m) => m[1] ?? '')
    .filter((body) => body.trim() !== '')
    .map((body) => `'sha256-${createHash('sha256').update(body).digest('base64')}'`);
  return [
    "default-src 'self'",
    `script-src 'self' ${hashes.join(' ')}`.trim(),
    // lit renders into shadow roots with constructed stylesheets; the pages' own <style> blocks and style="".
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob: https:",
    "media-src 'self' blob: mediastream:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'self'",
  ].join('; ');
}

const cache = new Map<string, { mtimeMs: number; csp: string }>();

/** `pageCsp` of a built file, recomputed only when the file changes (npm start may rebuild it). */
export function pageCspOf(file: string): string | undefined {
  try {
    const { mtimeMs } = statSync(file);
    const hit = cache.get(file);
    if (hit && hit.mtimeMs === mtimeMs) return hit.csp;
    const csp = pageCsp(readFileSync(file, 'utf8'));
    cache.set(file, { mtimeMs, csp });
    return csp;
  } catch {
    return undefined; // not built: sendFile answers 404
  }
}

import type { SignalingLimits } from '../config';
import type { AppDefinition } from '../domain/apps';
import type { AuthFailureLimits } from '../domain/auth-failures';

/** What tests (and only tests) change about a server beyond its ServerConfig. */
export interface BuildOptions {
  /** Apps to serve instead of reading `config.appsFile` (tests). */
  apps?: AppDefinition[];
  signalingLimits?: Partial<SignalingLimits>;
  tokenRateLimitPerMinute?: number;
  /** Overrides every app's ring timeout (tests). */
  ringTimeoutMs?: number;
  /** Wait before a dead media worker is replaced (tests make it long to observe the dead state). */
  workerRespawnDelayMs?: number;
  /** How long rooms of a dead worker wait for a live one before they fail (default 10 s). */
  mediaRecoveryTimeoutMs?: number;
  /** Waits between webhook attempts (tests use short ones). */
  webhookRetryScheduleMs?: readonly number[];
  webhookPollMs?: number;
  /** Failed REST authentications allowed per minute (tests make them small). */
  authFailureLimits?: AuthFailureLimits;
}

import type { RecentCall } from '../../protocol';
import type { SignalingClient } from './signaling-client';
import { readStorage, writeStorage } from './storage';
import type { RecentCallsView } from './engine';

export type { RecentCallsView } from './engine';


const seenKey = (userId: string) => `call-widget:recent-seen:${userId}`;

/**
 * Your recent calls (from the server's records) and how many missed ones you have not looked at yet. "Seen"
 * is remembered per user in localStorage, so the badge survives reloads but clears once you open the list.
 */
export class RecentCalls implements RecentCallsView {
  calls: RecentCall[] = [];
  private seenAt = 0;
  private userId = '';

  /** Loads the list for `userId` (after connecting, and after each call ends). */
  async refresh(signaling: SignalingClient, userId: string): Promise<void> {
    if (userId !== this.userId) {
      this.userId = userId;
      this.seenAt = Number(readStorage(seenKey(userId)) ?? 0);
    }
    this.calls = (await signaling.request('calls.recent', { limit: 20 })).calls;
  }

  /** Missed calls newer than the last time the list was opened. */
  get missedCount(): number {
    return this.calls.filter((c) => c.missed && c.at > this.seenAt).length;
  }

  markSeen(now = Date.now()): void {
    this.seenAt = now;
    if (this.userId) writeStorage(seenKey(this.userId), String(now));
  }
}

import type { ProducerInfo } from '../../protocol';
import type { ClientLink } from './links';
import type { Participant, Room } from './room';

/** How a room session ended: everyone left, its media failed for good, or the server shut down. */
export type SessionEndReason = 'all_left' | 'failed' | 'shutdown';

/**
 * Everything that happens in rooms, announced once by the Room aggregate (or the registry, for creation and
 * failure). The room notifier (room-notifier.ts) turns them into client notifications; records, the cluster
 * directory and logs subscribe to the same events.
 */
export type RoomEvent =
  | { type: 'created'; room: Room }
  | { type: 'participantJoined'; room: Room; participant: Participant }
  /** `producerIds`: what they were publishing (now closed). */
  | { type: 'participantLeft'; room: Room; participant: Participant; producerIds: string[] }
  /** Moved on stage or back to the audience (live rooms); `closedProducers` ended with the move. */
  | { type: 'roleChanged'; room: Room; participant: Participant; closedProducers: string[] }
  /** An admin removed them; they leave next (the call service takes them out). */
  | { type: 'removed'; room: Room; participant: Participant }
  | { type: 'activeSpeaker'; room: Room; userId: string | null }
  | { type: 'producerAdded'; room: Room; userId: string; producer: ProducerInfo }
  | { type: 'producerClosed'; room: Room; userId: string; producerId: string }
  | { type: 'producerState'; room: Room; userId: string; producerId: string; paused: boolean }
  | { type: 'forceMuted'; room: Room; participant: Participant; producerId: string; source: 'mic' | 'camera'; by: string }
  | { type: 'connectionChanged'; room: Room; userId: string; connected: boolean }
  /** The room's worker died and its media was recreated on a live worker; `preparing`: callees about to answer. */
  | { type: 'mediaRecovered'; room: Room; elapsedMs: number; preparing: ClientLink[] }
  /** The room's media failed and could not be recreated; the room is already gone (`participants` were in it). */
  | { type: 'failed'; room: Room; participants: Participant[] }
  | { type: 'sessionEnded'; room: Room; reason: SessionEndReason };

export type RoomEventListener = (event: RoomEvent) => void;

/**
 * Subscriptions to room events. Listeners are called in the order they subscribed (the notifier first),
 * synchronously, after the room's own state is consistent (a listener may read the room and the registry).
 */
export class RoomEvents {
  private readonly listeners = new Set<RoomEventListener>();

  subscribe(listener: RoomEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: RoomEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

import type { Participant, Room } from './room';

/** How a room session ended: everyone left, its media failed for good, or the server shut down. */
export type SessionEndReason = 'all_left' | 'failed' | 'shutdown';

/** What happens to rooms, as the registry announces it: records, the cluster directory and logs listen. */
export type RoomEvent =
  | { type: 'created'; room: Room }
  | { type: 'participantJoined'; room: Room; participant: Participant }
  | { type: 'participantLeft'; room: Room; participant: Participant }
  /** The room's worker died and its media was recreated on a live worker; clients were told to reconnect media. */
  | { type: 'mediaRecovered'; room: Room; elapsedMs: number }
  /** The room's media failed and could not be recreated; the room is already gone (`participants` were in it). */
  | { type: 'failed'; room: Room; participants: Participant[] }
  | { type: 'sessionEnded'; room: Room; reason: SessionEndReason };

export type RoomEventListener = (event: RoomEvent) => void;

/**
 * Subscriptions to room events. Listeners are called in the order they subscribed, synchronously, after the
 * registry's own state is consistent (a listener may read the room and the registry).
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

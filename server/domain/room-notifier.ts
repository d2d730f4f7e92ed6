import type { NotificationMap, NotificationType } from '../../protocol';
import { assertNever } from './assert';
import type { Room } from './room';
import type { RoomEvent } from './room-events';

/** Sends `type` to everyone in `room` but `exceptUserId`. */
export function broadcast<T extends NotificationType>(room: Room, type: T, payload: NotificationMap[T], exceptUserId?: string): void {
  for (const p of room.participants.values()) {
    if (p.info.userId !== exceptUserId) p.link.notify(type, payload);
  }
}

/**
 * The one place a room event becomes client notifications: who is told what when someone joins, leaves,
 * changes role, speaks, publishes, is muted or removed, drops their connection, or the room's media moves.
 */
export function notifyClients(event: RoomEvent): void {
  const { room } = event;
  switch (event.type) {
    case 'participantJoined': {
      const { info } = event.participant;
      if (info.role === 'audience') return broadcast(room, 'room.audience', { count: room.audienceCount });
      return broadcast(room, 'room.participantJoined', { participant: info }, info.userId);
    }
    case 'participantLeft': {
      const { info } = event.participant;
      for (const producerId of event.producerIds) broadcast(room, 'media.producerClosed', { producerId });
      if (info.role === 'audience') return broadcast(room, 'room.audience', { count: room.audienceCount });
      return broadcast(room, 'room.participantLeft', { userId: info.userId });
    }
    case 'roleChanged': {
      const { info } = event.participant;
      for (const producerId of event.closedProducers) broadcast(room, 'media.producerClosed', { producerId });
      broadcast(room, 'room.roleChanged', { userId: info.userId, role: info.role });
      if (info.role === 'host') broadcast(room, 'room.participantJoined', { participant: info }, info.userId);
      else broadcast(room, 'room.participantLeft', { userId: info.userId }, info.userId);
      return broadcast(room, 'room.audience', { count: room.audienceCount });
    }
    case 'removed':
      return event.participant.link.notify('room.closed', { roomId: room.roomId, reason: 'removed' });
    case 'activeSpeaker':
      return broadcast(room, 'room.activeSpeaker', { userId: event.userId });
    case 'producerAdded':
      return broadcast(room, 'media.producerAdded', { producer: event.producer }, event.userId);
    case 'producerClosed':
      return broadcast(room, 'media.producerClosed', { producerId: event.producerId }, event.userId);
    case 'producerState':
      return broadcast(room, 'media.producerState', { producerId: event.producerId, paused: event.paused }, event.userId);
    case 'forceMuted': {
      const { participant, producerId, source, by } = event;
      broadcast(room, 'media.producerState', { producerId, paused: true }, participant.info.userId);
      return participant.link.notify('media.forceMuted', { producerId, source, by });
    }
    case 'connectionChanged':
      return broadcast(room, 'room.participantConnection', { userId: event.userId, connected: event.connected }, event.userId);
    case 'mediaRecovered': {
      const reset = { routerRtpCapabilities: room.media.rtpCapabilities };
      broadcast(room, 'media.reset', reset);
      for (const link of event.preparing) link.notify('media.reset', reset);
      return;
    }
    case 'failed':
      // A call's participants hear it as the call's end (CallService.failRoom); a room's are told it closed.
      if (room.kind !== 'call') for (const p of event.participants) p.link.notify('room.closed', { roomId: room.roomId, reason: 'failed' });
      return;
    case 'created':
    case 'sessionEnded':
      return;
    default:
      return assertNever(event);
  }
}

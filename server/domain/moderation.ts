import type { ParticipantRole } from '../../protocol';
import { ServiceError } from '../errors';
import type { CallService } from './calls';
import type { ClientLink } from './links';
import type { Participant, Room, RoomRegistry } from './rooms';

/**
 * What a `roomAdmin` may do to others in their room. Every check is server-side: the client's UI only offers
 * these actions, it cannot grant them.
 */
export class Moderation {
  constructor(
    private readonly rooms: RoomRegistry,
    private readonly calls: CallService,
  ) {}

  private target(admin: ClientLink, userId: string): { room: Room; target: Participant } {
    if (!admin.identity.grants.roomAdmin) throw new ServiceError('forbidden', 'only a room admin may do this');
    const { room } = this.rooms.participantOf(admin);
    const target = room.participants.get(userId);
    if (!target) throw new ServiceError('not_found', `${userId} is not in this room`);
    return { room, target };
  }

  async mute(admin: ClientLink, userId: string, source: 'mic' | 'camera'): Promise<void> {
    const { room, target } = this.target(admin, userId);
    const producerId = await target.media.pauseSource(source);
    if (!producerId) throw new ServiceError('not_found', `${userId} has no ${source}`);
    room.broadcast('media.producerState', { producerId, paused: true }, userId);
    target.link.notify('media.forceMuted', { producerId, source, by: admin.identity.userId });
  }

  remove(admin: ClientLink, userId: string): void {
    const { room, target } = this.target(admin, userId);
    if (target.link === admin) throw new ServiceError('invalid_message', 'leave the room instead of removing yourself');
    // Remembered for the room's session: rejoining at once would make the removal pointless.
    room.removed.add(userId);
    target.link.notify('room.closed', { roomId: room.roomId, reason: 'removed' });
    this.calls.leaveRoom(target.link);
  }

  /** Lets a removed user join this room session again. */
  allow(admin: ClientLink, userId: string): void {
    if (!admin.identity.grants.roomAdmin) throw new ServiceError('forbidden', 'only a room admin may do this');
    const { room } = this.rooms.participantOf(admin);
    if (!room.removed.delete(userId)) throw new ServiceError('not_found', `${userId} was not removed from this room`);
  }

  /** Live rooms: put an audience member on stage (may publish) or back (their producers end). */
  setRole(admin: ClientLink, userId: string, role: Exclude<ParticipantRole, 'participant'>): void {
    const { room, target } = this.target(admin, userId);
    if (room.kind !== 'live') throw new ServiceError('invalid_state', 'roles exist only in live rooms');
    if (target.info.role === role) return;
    if (role === 'audience') {
      for (const producerId of target.media.closeProducers()) room.broadcast('media.producerClosed', { producerId });
      target.video = false;
    } else {
      target.video = true;
    }
    target.info = { ...target.info, role };
    room.broadcast('room.roleChanged', { userId, role });
    if (role === 'host') room.broadcast('room.participantJoined', { participant: target.info }, userId);
    else room.broadcast('room.participantLeft', { userId }, userId);
    room.broadcast('room.audience', { count: room.audienceCount });
  }
}

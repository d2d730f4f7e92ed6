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
    room.forceMuted(userId, producerId, source, admin.identity.userId);
  }

  remove(admin: ClientLink, userId: string): void {
    const { room, target } = this.target(admin, userId);
    if (target.link === admin) throw new ServiceError('invalid_message', 'leave the room instead of removing yourself');
    // Remembered for the room's session: rejoining at once would make the removal pointless.
    room.remove(userId);
    this.calls.leaveRoom(target.link);
  }

  /** Lets a removed user join this room session again. */
  allow(admin: ClientLink, userId: string): void {
    if (!admin.identity.grants.roomAdmin) throw new ServiceError('forbidden', 'only a room admin may do this');
    const { room } = this.rooms.participantOf(admin);
    room.allow(userId);
  }

  /** Live rooms: put an audience member on stage (may publish) or back (their producers end). */
  setRole(admin: ClientLink, userId: string, role: Exclude<ParticipantRole, 'participant'>): void {
    const { room } = this.target(admin, userId);
    room.setRole(userId, role);
  }
}

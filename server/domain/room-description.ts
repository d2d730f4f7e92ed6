import type { Static } from 'typebox';
import type { RoomResponse } from '../../protocol/http';
import type { Room } from './room';

/** A live room as the REST API shows it (GET /v1/rooms/:roomId), the same from every node of a cluster. */
export type RoomDescription = Static<typeof RoomResponse>;

export function describeRoom(room: Room): RoomDescription {
  return {
    roomId: room.roomId,
    kind: room.kind,
    sessionId: room.sessionId,
    startedAt: new Date(room.startedAt).toISOString(),
    audienceCount: room.audienceCount,
    participants: [...room.participants.values()].map((p) => ({
      userId: p.info.userId,
      ...(p.info.name !== undefined ? { name: p.info.name } : {}),
      role: p.info.role,
      joinedAt: new Date(p.joinedAt).toISOString(),
      publishing: {
        mic: p.media.sourceState('mic')?.paused === false,
        camera: p.media.sourceState('camera')?.paused === false,
        screen: p.media.sourceState('screen')?.paused === false,
      },
    })),
  };
}

import type { MediaSource, ProducerInfo, TransportOptions } from '../../protocol';
import { ServiceError } from '../errors';
import type { ClientLink } from './links';
import type { RoomRegistry } from './rooms';

export interface PublishRequest {
  transportId: string;
  kind: 'audio' | 'video';
  rtpParameters: unknown;
  source: MediaSource;
  paused?: boolean;
  width?: number;
}

/**
 * What a participant may do with its own media, decided in one place: the publish policy (token grants, a
 * live room's audience, the room's video places) is checked here and nowhere else; the media port below only
 * enforces what media itself implies (one producer per source, the kind a source implies). Each use case
 * takes ids and returns plain data, and tells the room what changed.
 */
export class MediaUseCases {
  constructor(private readonly rooms: RoomRegistry) {}

  createTransport(link: ClientLink, direction: 'send' | 'recv'): Promise<TransportOptions> {
    const media = this.rooms.transportMediaOf(link);
    const { grants } = link.identity;
    if (direction === 'send') this.assertMayPublish(link);
    if (direction === 'recv' && !grants.canSubscribe) throw new ServiceError('forbidden', 'your token may not subscribe');
    return media.createTransport(direction);
  }

  async publish(link: ClientLink, req: PublishRequest): Promise<ProducerInfo> {
    const { room, participant } = this.rooms.participantOf(link);
    this.assertMayPublish(link);
    // Any video (camera or screen) takes a video place: relabelling video does not escape the limit. Joined
    // audio-only, one may turn video on only while the room has a free video place.
    if (req.kind === 'video') room.takeVideoPlace(link.identity.userId, link.identity.tenant.settings.limits.maxVideoPublishers);
    const producer = await participant.media.produce(req.transportId, req.kind, req.rtpParameters, req.source, req.paused, req.width);
    room.published(link.identity.userId, producer);
    return producer;
  }

  unpublish(link: ClientLink, producerId: string): void {
    const { room, participant } = this.rooms.participantOf(link);
    participant.media.closeProducer(producerId);
    room.unpublished(link.identity.userId, producerId);
  }

  async setPaused(link: ClientLink, producerId: string, paused: boolean): Promise<void> {
    const { room, participant } = this.rooms.participantOf(link);
    await participant.media.setProducerPaused(producerId, paused);
    room.paused(link.identity.userId, producerId, paused);
  }

  /** Token grant and role: who may send media at all (transports and producers alike). */
  private assertMayPublish(link: ClientLink): void {
    if (!link.identity.grants.canPublish) throw new ServiceError('forbidden', 'your token may not publish');
    const role = this.rooms.roomOf(link)?.participants.get(link.identity.userId)?.info.role;
    if (role === 'audience') throw new ServiceError('forbidden', 'the audience of a live room does not publish');
  }
}

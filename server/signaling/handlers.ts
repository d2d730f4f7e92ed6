import type { ClientRequestType, ResponseMap, RoomJoined } from '../../protocol';
import type { Room } from '../domain/rooms';
import type { ClientMessage, ClientMessageOf } from '../../protocol/client-messages';
import { ServiceError } from '../errors';
import type { ClientLink } from '../domain/links';
import type { SignalingContext } from './context';

type Handler<T extends ClientRequestType> = (ctx: SignalingContext, link: ClientLink, msg: ClientMessageOf<T>) => Promise<ResponseMap[T]>;
type HandlerTable = { [T in ClientRequestType]: Handler<T> };

const EMPTY: Record<string, never> = {};

const handlers: HandlerTable = {
  'room.join': async (ctx, link, msg) => describeRoom((await ctx.rooms.join(link, msg.roomId, 'conference')).room, link),
  'room.leave': async (ctx, link) => {
    if (!ctx.rooms.roomOf(link)) throw new ServiceError('not_in_room', 'you are not in a room');
    if (!ctx.calls.leaveCurrentCall(link)) ctx.rooms.leave(link);
    return EMPTY;
  },
  'call.dial': async (ctx, link, msg) => {
    const { call, room } = await ctx.calls.dial(link, msg.callees, msg.video);
    return { call, room: describeRoom(room, link) };
  },
  'call.accept': async (ctx, link, msg) => {
    const { call, room } = await ctx.calls.accept(link, msg.callId);
    return { call, room: describeRoom(room, link) };
  },
  'call.decline': async (ctx, link, msg) => (ctx.calls.decline(link, msg.callId), EMPTY),
  'call.cancel': async (ctx, link, msg) => (ctx.calls.cancel(link, msg.callId), EMPTY),
  'call.hangup': async (ctx, link, msg) => (ctx.calls.hangup(link, msg.callId), EMPTY),
  'call.prepare': async (ctx, link, msg) => (ctx.calls.prepare(link, msg.callId), EMPTY),
  'media.createTransport': async (ctx, link, msg) => {
    const media = ctx.rooms.transportMediaOf(link);
    if (msg.direction === 'send' && !link.identity.grants.canPublish) throw new ServiceError('forbidden', 'your token may not publish');
    if (msg.direction === 'recv' && !link.identity.grants.canSubscribe) throw new ServiceError('forbidden', 'your token may not subscribe');
    return media.createTransport(msg.direction);
  },
  'media.connectTransport': async (ctx, link, msg) => {
    await ctx.rooms.transportMediaOf(link).connectTransport(msg.transportId, msg.dtlsParameters);
    return EMPTY;
  },
  'media.setRtpCapabilities': async (ctx, link, msg) => {
    ctx.rooms.transportMediaOf(link).setRtpCapabilities(msg.rtpCapabilities);
    return EMPTY;
  },
  'media.produce': async (ctx, link, msg) => {
    const { room, participant } = ctx.rooms.participantOf(link);
    if (!link.identity.grants.canPublish) throw new ServiceError('forbidden', 'your token may not publish');
    const producer = await participant.media.produce(msg.transportId, msg.kind, msg.rtpParameters, msg.source, msg.paused);
    room.broadcast('media.producerAdded', { producer }, link.identity.userId);
    return { producerId: producer.producerId };
  },
  'media.closeProducer': async (ctx, link, msg) => {
    const { room, participant } = ctx.rooms.participantOf(link);
    participant.media.closeProducer(msg.producerId);
    room.broadcast('media.producerClosed', { producerId: msg.producerId }, link.identity.userId);
    return EMPTY;
  },
  'media.pauseProducer': async (ctx, link, msg) => setPaused(ctx, link, msg.producerId, true),
  'media.resumeProducer': async (ctx, link, msg) => setPaused(ctx, link, msg.producerId, false),
  'media.consume': async (ctx, link, msg) => {
    const { room } = ctx.rooms.participantOf(link);
    return room.media.consume(link.identity.userId, msg.producerId);
  },
  'media.resumeConsumer': async (ctx, link, msg) => {
    await ctx.rooms.participantOf(link).participant.media.resumeConsumer(msg.consumerId);
    return EMPTY;
  },
};

function describeRoom(room: Room, link: ClientLink): RoomJoined {
  return {
    roomId: room.roomId,
    sessionId: room.sessionId,
    routerRtpCapabilities: room.media.rtpCapabilities,
    participants: room.participantInfos(),
    producers: room.media.producers(link.identity.userId),
  };
}

async function setPaused(ctx: SignalingContext, link: ClientLink, producerId: string, paused: boolean): Promise<Record<string, never>> {
  const { room, participant } = ctx.rooms.participantOf(link);
  await participant.media.setProducerPaused(producerId, paused);
  room.broadcast('media.producerState', { producerId, paused }, link.identity.userId);
  return EMPTY;
}

export async function handleRequest(ctx: SignalingContext, link: ClientLink, msg: Exclude<ClientMessage, { type: 'hello' }>): Promise<unknown> {
  const handler = handlers[msg.type] as Handler<typeof msg.type>;
  return handler(ctx, link, msg as never);
}

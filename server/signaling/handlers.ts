import type { ClientRequestType, ResponseMap, RoomJoined } from '../../protocol';
import type { Room } from '../domain/rooms';
import type { ClientMessageOf, ClientRequest } from '../../protocol/client-messages';
import { ServiceError } from '../errors';
import type { ClientLink } from '../domain/links';
import type { SignalingContext } from './context';

type Handler<T extends ClientRequestType> = (ctx: SignalingContext, link: ClientLink, msg: ClientMessageOf<T>) => Promise<ResponseMap[T]>;
/** Every request but `session.renew`, which concerns the connection itself (connection.ts answers it). */
type HandlerTable = { [T in Exclude<ClientRequestType, 'session.renew'>]: Handler<T> };

const EMPTY: Record<string, never> = {};

const handlers: HandlerTable = {
  'room.join': async (ctx, link, msg) => {
    const { room } = await ctx.rooms.join(link, msg.roomId, msg.kind ?? 'conference', msg.video === undefined ? {} : { video: msg.video });
    return describeRoom(room, link);
  },
  'room.setRole': async (ctx, link, msg) => (ctx.moderation.setRole(link, msg.userId, msg.role), EMPTY),
  'room.muteParticipant': async (ctx, link, msg) => (await ctx.moderation.mute(link, msg.userId, msg.source), EMPTY),
  'room.removeParticipant': async (ctx, link, msg) => (ctx.moderation.remove(link, msg.userId), EMPTY),
  'room.allowParticipant': async (ctx, link, msg) => (ctx.moderation.allow(link, msg.userId), EMPTY),
  'call.invite': async (ctx, link, msg) => ({ call: await ctx.calls.invite(link, msg.callId, msg.callees) }),
  'media.setConsumerView': async (ctx, link, msg) => {
    const { participant } = ctx.rooms.participantOf(link);
    await participant.media.setConsumerView(msg.consumerId, msg);
    return EMPTY;
  },
  'room.leave': async (ctx, link) => {
    if (!ctx.calls.leaveRoom(link)) throw new ServiceError('not_in_room', 'you are not in a room');
    return EMPTY;
  },
  'call.dial': async (ctx, link, msg) => {
    const { call, room } = await ctx.calls.dial(link, msg.callees, msg.video);
    return { call, room: describeRoom(room, link) };
  },
  'call.accept': async (ctx, link, msg) => {
    const { call, room } = await ctx.calls.accept(link, msg.callId, msg.video);
    return { call, room: describeRoom(room, link) };
  },
  'call.decline': async (ctx, link, msg) => (ctx.calls.decline(link, msg.callId), EMPTY),
  'call.cancel': async (ctx, link, msg) => (ctx.calls.cancel(link, msg.callId), EMPTY),
  'call.hangup': async (ctx, link, msg) => (ctx.calls.hangup(link, msg.callId), EMPTY),
  ping: async () => EMPTY,
  'calls.recent': async (ctx, link, msg) => ({ calls: await ctx.recentCalls(link.identity.tenant.key, link.identity.userId, msg.limit ?? 20, msg.before) }),
  'call.prepare': async (ctx, link, msg) => (ctx.calls.prepare(link, msg.callId), EMPTY),
  'media.createTransport': async (ctx, link, msg) => ctx.media.createTransport(link, msg.direction),
  'media.connectTransport': async (ctx, link, msg) => {
    await ctx.rooms.transportMediaOf(link).connectTransport(msg.transportId, msg.dtlsParameters);
    return EMPTY;
  },
  'media.restartIce': async (ctx, link, msg) => ({ iceParameters: await ctx.rooms.transportMediaOf(link).restartIce(msg.transportId) }),
  'media.setRtpCapabilities': async (ctx, link, msg) => {
    ctx.rooms.transportMediaOf(link).setRtpCapabilities(msg.rtpCapabilities);
    return EMPTY;
  },
  'media.produce': async (ctx, link, msg) => ({ producerId: (await ctx.media.publish(link, msg)).producerId }),
  'media.closeProducer': async (ctx, link, msg) => (ctx.media.unpublish(link, msg.producerId), EMPTY),
  'media.pauseProducer': async (ctx, link, msg) => (await ctx.media.setPaused(link, msg.producerId, true), EMPTY),
  'media.resumeProducer': async (ctx, link, msg) => (await ctx.media.setPaused(link, msg.producerId, false), EMPTY),
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
    kind: room.kind,
    sessionId: room.sessionId,
    role: room.participants.get(link.identity.userId)?.info.role ?? 'participant',
    audienceCount: room.audienceCount,
    routerRtpCapabilities: room.media.rtpCapabilities,
    participants: room.participantInfos(),
    producers: room.media.producers(link.identity.userId),
    activeSpeaker: room.activeSpeaker,
  };
}

/** Requests that start something new: refused while the server drains (what runs may finish). */
const STARTS_ACTIVITY = new Set(['room.join', 'call.dial', 'call.invite']);

export async function handleRequest(ctx: SignalingContext, link: ClientLink, msg: ClientRequest): Promise<unknown> {
  if (STARTS_ACTIVITY.has(msg.type) && ctx.draining?.()) throw new ServiceError('server_draining', 'this server is shutting down and starts no new calls or rooms; try again in a moment');
  const handler = handlers[msg.type] as Handler<typeof msg.type>;
  return handler(ctx, link, msg as never);
}

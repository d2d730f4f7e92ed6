import Type, { type Static, type TSchema } from 'typebox';

/**
 * Client → server messages. Each is a closed object (unknown fields are rejected) discriminated by `type`.
 * Requests carry a `requestId` the server echoes in its `response` or `error`.
 */
const strict = { additionalProperties: false } as const;
const Id = Type.String({ minLength: 1, maxLength: 128 });
const UserId = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.@:+-]+$' });
const RequestId = Type.String({ minLength: 1, maxLength: 64 });
/** mediasoup validates these structures itself; we only bound their shape to an object. */
const Opaque = Type.Record(Type.String(), Type.Unknown());

function request<T extends string, P extends Record<string, TSchema>>(type: T, properties: P) {
  return Type.Object({ type: Type.Literal(type), requestId: RequestId, ...properties }, strict);
}

export const Hello = Type.Object(
  {
    type: Type.Literal('hello'),
    protocol: Type.Integer({ minimum: 0, maximum: 1000 }),
    token: Type.String({ maxLength: 8192 }),
    /** The environment the widget expects to reach; a token of the other one is refused. */
    environment: Type.Optional(Type.Union([Type.Literal('development'), Type.Literal('production')])),
    /** The `resumeToken` of a dropped connection: within the grace period it resumes its calls and rooms. */
    resume: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    requestId: Type.Optional(RequestId),
  },
  strict,
);

export const MediaSource = Type.Union([Type.Literal('mic'), Type.Literal('camera'), Type.Literal('screen')]);
export type MediaSource = Static<typeof MediaSource>;

export const ClientMessageSchemas = {
  hello: Hello,
  // Rooms (conference) — a room exists while someone is in it.
  'room.join': request('room.join', {
    roomId: Id,
    /** `conference` (default): everyone with the publish grant publishes. `live`: hosts publish, the audience watches. */
    kind: Type.Optional(Type.Union([Type.Literal('conference'), Type.Literal('live')])),
    /** Whether you intend to publish video (counts against the room's video limit). Default true. */
    video: Type.Optional(Type.Boolean()),
  }),
  // Moderation (roomAdmin grant only).
  'room.setRole': request('room.setRole', { userId: UserId, role: Type.Union([Type.Literal('host'), Type.Literal('audience')]) }),
  'room.muteParticipant': request('room.muteParticipant', { userId: UserId, source: Type.Union([Type.Literal('mic'), Type.Literal('camera')]) }),
  'room.removeParticipant': request('room.removeParticipant', { userId: UserId }),
  /** Replaces the connection's token before it expires (same user and app environment): nothing is interrupted. */
  'session.renew': request('session.renew', { token: Type.String({ minLength: 1, maxLength: 8192 }) }),
  /** A removed user may join this room session again. */
  'room.allowParticipant': request('room.allowParticipant', { userId: UserId }),
  'room.leave': request('room.leave', {}),
  /** Liveness check from the client (browsers cannot send WebSocket pings): answered with an empty response. */
  ping: request('ping', {}),
  // Call flow.
  'call.dial': request('call.dial', {
    callees: Type.Array(UserId, { minItems: 1, maxItems: 32 }),
    video: Type.Boolean(),
  }),
  'call.accept': request('call.accept', { callId: Id, video: Type.Boolean() }),
  /** While ringing: lets this connection create its transports so accepting only produces and consumes. */
  'call.prepare': request('call.prepare', { callId: Id }),
  'call.invite': request('call.invite', { callId: Id, callees: Type.Array(UserId, { minItems: 1, maxItems: 32 }) }),
  'call.decline': request('call.decline', { callId: Id }),
  'call.cancel': request('call.cancel', { callId: Id }),
  'call.hangup': request('call.hangup', { callId: Id }),
  /** Your own recent calls, newest first (for the missed-calls badge and call back). */
  /** Your recent calls, newest first; page with `before` (the `at` of the last call you have). */
  'calls.recent': request('calls.recent', { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })), before: Type.Optional(Type.Integer({ minimum: 0 })) }),
  // Media signaling (mediasoup); only valid while in a room.
  'media.createTransport': request('media.createTransport', {
    direction: Type.Union([Type.Literal('send'), Type.Literal('recv')]),
  }),
  'media.connectTransport': request('media.connectTransport', { transportId: Id, dtlsParameters: Opaque }),
  /** New ICE credentials for a transport (after a reconnection or a network change). */
  'media.restartIce': request('media.restartIce', { transportId: Id }),
  'media.setRtpCapabilities': request('media.setRtpCapabilities', { rtpCapabilities: Opaque }),
  'media.produce': request('media.produce', {
    transportId: Id,
    kind: Type.Union([Type.Literal('audio'), Type.Literal('video')]),
    rtpParameters: Opaque,
    source: MediaSource,
    paused: Type.Optional(Type.Boolean()),
    /** Width of the captured video (its top simulcast layer), so the server can fit layers to tile sizes. */
    width: Type.Optional(Type.Integer({ minimum: 1, maximum: 16384 })),
  }),
  'media.closeProducer': request('media.closeProducer', { producerId: Id }),
  'media.pauseProducer': request('media.pauseProducer', { producerId: Id }),
  'media.resumeProducer': request('media.resumeProducer', { producerId: Id }),
  'media.consume': request('media.consume', { producerId: Id }),
  'media.resumeConsumer': request('media.resumeConsumer', { consumerId: Id }),
  /** How big (CSS px × devicePixelRatio) and whether visible a consumer's tile is: the server picks the layer. */
  'media.setConsumerView': request('media.setConsumerView', {
    consumerId: Id,
    visible: Type.Boolean(),
    width: Type.Integer({ minimum: 0, maximum: 16384 }),
    height: Type.Integer({ minimum: 0, maximum: 16384 }),
  }),
} as const;

type Schemas = typeof ClientMessageSchemas;
export type ClientMessageType = keyof Schemas;
export type ClientMessageOf<T extends ClientMessageType> = Static<Schemas[T]>;
export type ClientMessage = { [T in ClientMessageType]: ClientMessageOf<T> }[ClientMessageType];
export type ClientRequestType = Exclude<ClientMessageType, 'hello'>;
/** A request of an open session: every client message but the `hello` that opens it and the renewal of its token. */
export type ClientRequest = Exclude<ClientMessage, { type: 'hello' | 'session.renew' }>;

/**
 * Where a request runs when calls and rooms live on several nodes (a cluster; one node runs everything):
 * - `here`: on the node the client is connected to (it reads or touches nothing a call or room holds);
 * - `new-call`: on a node chosen by load, which becomes the home of the call it creates;
 * - `call`: on the node holding the call named by its `callId`;
 * - `named-room`: on the node holding (or, when none does yet, chosen to hold) the room it names;
 * - `current-room`: on the node holding the room the connection is in.
 */
export type RoutedBy = 'here' | 'new-call' | 'call' | 'named-room' | 'current-room';
export const REQUEST_ROUTING: { readonly [T in ClientRequest['type']]: RoutedBy } = {
  ping: 'here',
  'calls.recent': 'here',
  'call.dial': 'new-call',
  'call.accept': 'call',
  'call.prepare': 'call',
  'call.invite': 'call',
  'call.decline': 'call',
  'call.cancel': 'call',
  'call.hangup': 'call',
  'room.join': 'named-room',
  'room.setRole': 'current-room',
  'room.muteParticipant': 'current-room',
  'room.removeParticipant': 'current-room',
  'room.allowParticipant': 'current-room',
  'room.leave': 'current-room',
  'media.createTransport': 'current-room',
  'media.connectTransport': 'current-room',
  'media.restartIce': 'current-room',
  'media.setRtpCapabilities': 'current-room',
  'media.produce': 'current-room',
  'media.closeProducer': 'current-room',
  'media.pauseProducer': 'current-room',
  'media.resumeProducer': 'current-room',
  'media.consume': 'current-room',
  'media.resumeConsumer': 'current-room',
  'media.setConsumerView': 'current-room',
};

/** What the client puts in a request besides `type` and `requestId`. */
export type RequestPayload<T extends ClientRequestType> = Omit<ClientMessageOf<T>, 'type' | 'requestId'>;

export function isClientMessageType(type: unknown): type is ClientMessageType {
  return typeof type === 'string' && Object.hasOwn(ClientMessageSchemas, type);
}

import Type, { type Static } from 'typebox';

/** HTTP request/response schemas: validated by Fastify, typed for callers, documented in OpenAPI at /docs. */
const strict = { additionalProperties: false } as const;

export const Grants = Type.Object(
  {
    canPublish: Type.Optional(Type.Boolean({ description: 'May send audio/video (default true)' })),
    canSubscribe: Type.Optional(Type.Boolean({ description: 'May receive others\u2019 media (default true)' })),
    roomAdmin: Type.Optional(Type.Boolean({ description: 'May moderate rooms (default false)' })),
  },
  strict,
);

export const TokenRequestBody = Type.Object(
  {
    userId: Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.@:+-]+$', description: 'Your user id' }),
    name: Type.Optional(Type.String({ maxLength: 128, description: 'Display name shown to others' })),
    avatarUrl: Type.Optional(Type.String({ maxLength: 2048, format: 'uri' })),
    ttlSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 86400, description: 'Lifetime, default 3600, max 86400' })),
    grants: Type.Optional(Grants),
  },
  { ...strict, examples: [{ userId: 'alice', name: 'Alice', ttlSeconds: 3600 }] },
);
export type TokenRequestBody = Static<typeof TokenRequestBody>;

export const TokenResponse = Type.Object(
  {
    token: Type.String({ description: 'JWT (HS256) to give to the widget' }),
    expiresAt: Type.String({ format: 'date-time' }),
  },
  { examples: [{ token: 'eyJhbGciOiJIUzI1NiJ9...', expiresAt: '2026-11-22T12:00:00.000Z' }] },
);
export type TokenResponse = Static<typeof TokenResponse>;

export const DemoTokenRequestBody = Type.Object(
  {
    userId: Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.@:+-]+$' }),
    name: Type.Optional(Type.String({ maxLength: 128 })),
  },
  strict,
);

export const HttpError = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String(),
  error: Type.String(),
  message: Type.String(),
});

export const WorkerHealth = Type.Object({
  index: Type.Integer(),
  pid: Type.Integer(),
  alive: Type.Boolean(),
  routers: Type.Integer(),
  rtcPort: Type.Optional(Type.Integer({ description: 'The worker\u2019s WebRTC media port (UDP and TCP): open it in the firewall' })),
  diedAt: Type.Optional(Type.String()),
  restarts: Type.Integer({ description: 'Times this slot\u2019s worker died and was replaced' }),
});

export const ReadinessResponse = Type.Object({
  ready: Type.Boolean(),
  /** Why not, in words (empty when ready). */
  reasons: Type.Array(Type.String()),
});

/** Liveness, public: alive or not, nothing about tenants or load. */
export const HealthResponse = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
});
export type HealthResponse = Static<typeof HealthResponse>;

/** The operator's view (`/status`, guarded like `/metrics`): workers, load and uptime of this node. */
export const StatusResponse = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  workers: Type.Array(WorkerHealth),
  rooms: Type.Integer(),
  connections: Type.Integer(),
  uptimeSeconds: Type.Number(),
});
export type StatusResponse = Static<typeof StatusResponse>;

const SessionParticipant = Type.Object({
  userId: Type.String(),
  name: Type.Optional(Type.String()),
  role: Type.String({ description: 'participant, host or audience' }),
  joinedAt: Type.String({ format: 'date-time' }),
  leftAt: Type.Optional(Type.String({ format: 'date-time' })),
});

export const SessionResponse = Type.Object(
  {
    sessionId: Type.String(),
    roomId: Type.String(),
    kind: Type.String({ description: 'call, conference or live' }),
    startedAt: Type.String({ format: 'date-time' }),
    endedAt: Type.Optional(Type.String({ format: 'date-time' })),
    endReason: Type.Optional(Type.String({ description: 'all_left, failed, shutdown, or the call end reason' })),
    participants: Type.Array(SessionParticipant),
  },
  { description: 'One session: first join until everyone left' },
);

export const RoomResponse = Type.Object({
  roomId: Type.String(),
  kind: Type.String(),
  sessionId: Type.String(),
  startedAt: Type.String({ format: 'date-time' }),
  audienceCount: Type.Integer(),
  participants: Type.Array(
    Type.Object({
      userId: Type.String(),
      name: Type.Optional(Type.String()),
      role: Type.String(),
      joinedAt: Type.String({ format: 'date-time' }),
      publishing: Type.Object({ mic: Type.Boolean(), camera: Type.Boolean(), screen: Type.Boolean() }, { description: 'Live, unpaused producers' }),
    }),
  ),
});

export const IdParam = (name: string) => Type.Object({ [name]: Type.String({ minLength: 1, maxLength: 128 }) });

export const CallRecordResponse = Type.Object(
  {
    callId: Type.String({ description: 'CallID (= RoomID of the call)' }),
    roomId: Type.String(),
    sessionId: Type.String(),
    appId: Type.String(),
    environment: Type.String(),
    caller: Type.String(),
    callees: Type.Array(
      Type.Object({
        userId: Type.String(),
        outcome: Type.Optional(Type.String({ description: 'joined, left, declined, no_answer, busy, unavailable or cancelled (once the call ended)' })),
      }),
    ),
    video: Type.Boolean(),
    ringAt: Type.String({ format: 'date-time', description: 'When the caller dialed' }),
    answeredAt: Type.Optional(Type.String({ format: 'date-time' })),
    endedAt: Type.Optional(Type.String({ format: 'date-time' })),
    endReason: Type.Optional(Type.String({ description: 'hangup, declined, cancelled, no_answer, busy, unavailable, failed, connection_lost, server_restart, ...' })),
    durationMs: Type.Optional(Type.Integer({ description: 'Connected time' })),
    participants: Type.Array(SessionParticipant, { description: 'Every join and leave, in order' }),
  },
  { description: 'The record of one call' },
);

export const RoomQuery = Type.Object(
  {
    kind: Type.Optional(
      Type.Union([Type.Literal('conference'), Type.Literal('live'), Type.Literal('call')], {
        description: 'Each kind has its own room ids; without it: the call, else the live room, else the conference with that id',
      }),
    ),
  },
  strict,
);

export const CallListQuery = Type.Object(
  {
    userId: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Only calls this user made or was called in' })),
    since: Type.Optional(Type.String({ format: 'date-time', description: 'Only calls dialed at or after this time' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  strict,
);

export const CallListResponse = Type.Object({ calls: Type.Array(CallRecordResponse, { description: 'Newest first' }) });

export const DeliveryListQuery = Type.Object(
  {
    status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')])),
    messageId: Type.Optional(Type.String({ maxLength: 64, description: 'The webhook-id header of one event' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  },
  strict,
);

export const DeliveryListResponse = Type.Object({
  deliveries: Type.Array(
    Type.Object({
      messageId: Type.String({ description: 'webhook-id: the same on every retry of this event' }),
      eventType: Type.String(),
      url: Type.String(),
      status: Type.String({ description: 'pending (retrying), delivered or failed (retries exhausted)' }),
      attempts: Type.Integer(),
      createdAt: Type.String({ format: 'date-time' }),
      nextAttemptAt: Type.Optional(Type.String({ format: 'date-time' })),
      lastAttemptAt: Type.Optional(Type.String({ format: 'date-time' })),
      lastStatus: Type.Optional(Type.Integer()),
      lastError: Type.Optional(Type.String()),
      deliveredAt: Type.Optional(Type.String({ format: 'date-time' })),
      payload: Type.String({ description: 'The exact body that is signed and sent' }),
    }),
    { description: 'Newest first' },
  ),
});

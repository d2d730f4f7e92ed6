/**
 * Every typed error code the server sends, with the WebSocket close code used when the error ends the connection.
 * One table so server, widget and README agree.
 */
export const ERROR_CODES = {
  // Authentication of the signaling connection (connection closed with the given close code).
  token_missing: 4001,
  token_malformed: 4002,
  token_expired: 4003,
  token_bad_signature: 4004,
  unknown_app_key: 4005,
  environment_mismatch: 4006,
  origin_not_allowed: 4007,
  unsupported_protocol: 4008,
  hello_timeout: 4009,
  heartbeat_timeout: 4010,
  /** This connection was replaced by a newer one that resumed it (the client already moved on). */
  session_replaced: 4011,
  /**
   * The server is shutting down. As a per-request error: it starts no new call or room. As a close code: this
   * node moves its clients away — reconnect (with the resume token) and a load balancer sends you to another
   * node, or the restarted server takes you back.
   */
  server_draining: 4012,
  /**
   * The client stopped reading: more than the server's bound of bytes waited to be sent to it. The socket is
   * closed (and dropped a few seconds later); a client that reads again resumes with its resume token.
   */
  slow_consumer: 4013,
  /** This user (all tabs and devices) or this app environment has as many connections open as allowed. */
  too_many_connections: 4014,
  // Per-message errors (connection stays open).
  invalid_json: 0,
  invalid_message: 0,
  unknown_type: 0,
  message_too_large: 0,
  rate_limited: 0,
  not_authenticated: 0,
  already_authenticated: 0,
  not_found: 0,
  forbidden: 0,
  invalid_state: 0,
  already_in_room: 0,
  not_in_room: 0,
  room_full: 0,
  video_full: 0,
  media_error: 0,
  /** A documented bound per user or per app was reached (transports, producers, connections, rings...). */
  limit_exceeded: 0,
  /** This server carries as much as it is configured to (e.g. media transports on this node): try later. */
  server_busy: 0,
  /**
   * This node cannot reach the cluster's shared state (Redis) or the node holding the call or room: what already
   * runs goes on, new cross-node operations are refused until it is back. Try again in a moment.
   */
  cluster_unavailable: 0,
  /** The records database (PostgreSQL) is unreachable: calls go on, records are written when it returns. */
  records_unavailable: 0,
  internal: 0,
  timeout: 0,
  connection_closed: 0,
  // Raised in the browser by the widget itself.
  media_permission_denied: 0,
  media_device_not_found: 0,
  not_configured: 0,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Close code used when the server ends a connection for this error, or undefined for per-message errors. */
export function closeCodeFor(code: ErrorCode): number | undefined {
  const value = ERROR_CODES[code];
  return value === 0 ? undefined : value;
}

export function errorCodeForClose(closeCode: number): ErrorCode | undefined {
  for (const [code, value] of Object.entries(ERROR_CODES)) {
    if (value === closeCode) return code as ErrorCode;
  }
  return undefined;
}

/** The one error shape on the wire (also the `call-error` event detail). */
export interface ProtocolError {
  code: ErrorCode;
  message: string;
}

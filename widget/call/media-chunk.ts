/**
 * The lazy media chunk: what only a call or a room needs — mediasoup-client (via MediaClient) and the room
 * session that drives it. RoomActivity imports it dynamically (when a call is dialled, rings or a room is
 * joined), so a page view downloads none of it.
 */
export { MediaClient } from './media-client';
export { RoomSession } from './room-session';

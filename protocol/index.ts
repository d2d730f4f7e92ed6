export * from './version';
export * from './errors';
export type * from './server-messages';
export { CALL_END_REASONS } from './server-messages';
export type { ClientMessage, ClientMessageOf, ClientMessageType, ClientRequestType, RequestPayload, MediaSource } from './client-messages';

/**
 * Wire protocol version. The client sends it in its first message (`hello`); the server refuses versions it does
 * not speak with close code 4400 / error `unsupported_protocol` so an old cached widget fails loudly, not oddly.
 */
export const PROTOCOL_VERSION = 1;
export const SUPPORTED_PROTOCOL_VERSIONS: readonly number[] = [1];

import type { ErrorCode } from '../protocol';

/** A failure the client caused or can act on; signaling turns it into a typed `error` reply. */
export class ServiceError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

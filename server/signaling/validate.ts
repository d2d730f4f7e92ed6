import { Compile, type Validator } from 'typebox/compile';
import { type ClientMessage, ClientMessageSchemas, type ClientMessageType, isClientMessageType } from '../../protocol/client-messages';
import type { ErrorCode } from '../../protocol';

export type ParseResult =
  | { ok: true; message: ClientMessage }
  | { ok: false; code: ErrorCode; message: string; requestId?: string };

const validators = new Map<ClientMessageType, Validator>();
for (const [type, schema] of Object.entries(ClientMessageSchemas)) {
  validators.set(type as ClientMessageType, Compile(schema) as unknown as Validator);
}

/** Parses one inbound frame against its schema in protocol/. Never throws. */
export function parseClientMessage(raw: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, code: 'invalid_json', message: 'the message is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, code: 'invalid_message', message: 'a message must be a JSON object with a "type"' };
  }
  const record = value as Record<string, unknown>;
  const requestId = typeof record.requestId === 'string' && record.requestId.length <= 64 ? record.requestId : undefined;
  const withId = requestId === undefined ? {} : { requestId };
  if (!isClientMessageType(record.type)) {
    return { ok: false, code: 'unknown_type', message: `unknown message type ${JSON.stringify(record.type)?.slice(0, 80)}`, ...withId };
  }
  const validator = validators.get(record.type);
  if (!validator || !validator.Check(value)) {
    const first = validator?.Errors(value)[0];
    const why = first?.message === 'schema is false' ? 'unknown field' : first?.message;
    const where = first ? `${first.instancePath || '/'}: ${why}` : 'does not match its schema';
    return { ok: false, code: 'invalid_message', message: `${record.type} ${where}`, ...withId };
  }
  return { ok: true, message: value as ClientMessage };
}

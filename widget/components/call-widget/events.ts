import type { CallEndReason, CallInfo, ErrorCode, ParticipantInfo } from '../../../protocol';
import type { CallStatus } from '../../call/call-machine';

export interface CallIncomingDetail {
  callId: string;
  caller: ParticipantInfo;
  video: boolean;
}
export interface CallOutgoingDetail {
  callId: string;
  callees: string[];
  video: boolean;
}
export interface CallConnectedDetail {
  callId: string;
  sessionId: string;
}
export interface CallEndedDetail {
  callId: string;
  sessionId: string;
  reason: CallEndReason;
  durationMs: number;
}
export interface CallErrorDetail {
  code: ErrorCode;
  message: string;
}
export interface CallStateChangeDetail {
  state: CallStatus;
}

export interface CallWidgetEventMap {
  'call-incoming': CustomEvent<CallIncomingDetail>;
  'call-outgoing': CustomEvent<CallOutgoingDetail>;
  'call-connected': CustomEvent<CallConnectedDetail>;
  'call-ended': CustomEvent<CallEndedDetail>;
  'call-error': CustomEvent<CallErrorDetail>;
  'call-state-change': CustomEvent<CallStateChangeDetail>;
}

/** Every event bubbles and is composed, so a listener on the page (outside the shadow root) gets it. */
export function callEvent<K extends keyof CallWidgetEventMap>(
  type: K,
  detail: CallWidgetEventMap[K]['detail'],
  options: { cancelable?: boolean } = {},
): CallWidgetEventMap[K] {
  return new CustomEvent(type, { detail, bubbles: true, composed: true, cancelable: options.cancelable ?? false }) as CallWidgetEventMap[K];
}

export function incomingDetail(call: CallInfo): CallIncomingDetail {
  return { callId: call.callId, caller: call.caller, video: call.video };
}

declare global {
  // Typed `detail` for addEventListener on any element or document.
  interface GlobalEventHandlersEventMap extends CallWidgetEventMap {}
}

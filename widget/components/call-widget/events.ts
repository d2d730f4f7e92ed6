import type { CallEndReason, CallInfo, ErrorCode, ParticipantInfo } from '../../../protocol';
import type { CallMachineState, CallStatus, ControllerEvent } from '../../call/engine';

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

export interface CallReconnectingDetail {
  /** The call (or room) being resumed, if any. */
  callId?: string;
}

export interface CallTokenExpiringDetail {
  /** When the current token expires (ms since epoch). */
  expiresAt: number;
}

export interface CallWidgetEventMap {
  'call-incoming': CustomEvent<CallIncomingDetail>;
  'call-outgoing': CustomEvent<CallOutgoingDetail>;
  'call-connected': CustomEvent<CallConnectedDetail>;
  'call-ended': CustomEvent<CallEndedDetail>;
  'call-error': CustomEvent<CallErrorDetail>;
  'call-state-change': CustomEvent<CallStateChangeDetail>;
  'call-reconnecting': CustomEvent<CallReconnectingDetail>;
  'call-reconnected': CustomEvent<CallReconnectingDetail>;
  'call-token-expiring': CustomEvent<CallTokenExpiringDetail>;
}

/** Every event bubbles and is composed, so a listener on the page (outside the shadow root) gets it. */
export function callEvent<K extends keyof CallWidgetEventMap>(
  type: K,
  detail: CallWidgetEventMap[K]['detail'],
  options: { cancelable?: boolean } = {},
): CallWidgetEventMap[K] {
  return new CustomEvent(type, { detail, bubbles: true, composed: true, cancelable: options.cancelable ?? false }) as CallWidgetEventMap[K];
}

/** The DOM event for a controller event that maps one to one (state changes and rings need the element). */
export function domEventFor(event: ControllerEvent, state: CallMachineState | undefined): CustomEvent | undefined {
  const activity = state && 'activity' in state ? state.activity : state?.status === 'reconnecting' && 'activity' in state.prior ? state.prior.activity : undefined;
  const resuming = activity?.id ? { callId: activity.id } : {};
  switch (event.type) {
    case 'outgoing':
      return callEvent('call-outgoing', { callId: event.call.callId, callees: event.call.callees, video: event.call.video });
    case 'connected':
      return callEvent('call-connected', { callId: event.callId, sessionId: event.sessionId });
    case 'ended':
      return callEvent('call-ended', { ...event.ended, sessionId: event.ended.sessionId ?? '' });
    case 'error':
      return callEvent('call-error', event.error);
    case 'reconnecting':
      return callEvent('call-reconnecting', resuming);
    case 'reconnected':
      return callEvent('call-reconnected', resuming);
    default:
      return undefined;
  }
}

export function incomingDetail(call: CallInfo): CallIncomingDetail {
  return { callId: call.callId, caller: call.caller, video: call.video };
}

declare global {
  // Typed `detail` for addEventListener on any element or document.
  interface GlobalEventHandlersEventMap extends CallWidgetEventMap {}
}

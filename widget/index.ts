/** npm entry: importing it defines <call-widget>. */
export { CallWidget } from './call-widget';
export type * from './components/call-widget/events';
export type { CallStatus } from './call/call-machine';
export type { MediaStats } from './call/media-client';
export type { CallEndReason, ErrorCode, ParticipantInfo } from '../protocol';
export type { CallWidgetProperties, CallWidgetReactEvents, CallWidgetVueEvents } from './components/call-widget/framework-types';

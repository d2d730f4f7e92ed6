import type { CallEndReason, ErrorCode } from '../../../protocol';

/** Every user-visible string of the widget, in one table per language (English is the reference). */
export const EN = {
  notConnected: 'Not connected',
  waitingForToken: 'Waiting for a token…',
  connecting: 'Connecting…',
  calleePlaceholder: 'User ID to call',
  calleeLabel: 'Who do you want to call?',
  videoCall: 'Video call',
  audioCall: 'Audio call',
  calling: (who: string) => `Calling ${who}…`,
  ringing: 'Ringing',
  cancel: 'Cancel',
  incomingVideo: (who: string) => `${who} is video calling you`,
  incomingAudio: (who: string) => `${who} is calling you`,
  acceptVideo: 'Accept with video',
  acceptAudio: 'Accept audio only',
  decline: 'Decline',
  hangup: 'Hang up',
  muteMic: 'Mute microphone',
  unmuteMic: 'Unmute microphone',
  cameraOff: 'Turn camera off',
  cameraOn: 'Turn camera on',
  micMuted: 'Microphone muted',
  cameraIsOff: 'Camera off',
  you: 'You',
  waitingForOthers: 'Waiting for others to join…',
  shareScreen: 'Share screen',
  stopSharing: 'Stop sharing',
  layoutGrid: 'Grid view',
  layoutSpeaker: 'Speaker view',
  invite: 'Invite',
  invitePlaceholder: 'User ID to add',
  audience: (n: number) => (n === 1 ? '1 viewer' : `${n} viewers`),
  watching: 'You are watching',
  pages: 'Pages',
  previousPage: 'Previous page',
  nextPage: 'Next page',
  pageOf: (page: number, pages: number) => `${page} / ${pages}`,
  screenOf: (name: string) => `${name}'s screen`,
  actionsFor: (name: string) => `Actions for ${name}`,
  pin: 'Pin',
  unpin: 'Unpin',
  muteParticipant: 'Mute',
  stopCamera: 'Stop camera',
  toAudience: 'Move to audience',
  remove: 'Remove from call',
  joinAudioOnly: 'Join audio-only',
  callEnded: 'Call ended',
  duration: (text: string) => `Duration ${text}`,
  dismiss: 'Close',
  tryAgain: 'Try again',
  reasons: {
    hangup: 'The call ended',
    declined: 'The call was declined',
    cancelled: 'The call was cancelled',
    no_answer: 'No answer',
    busy: 'The person is busy in another call',
    unavailable: 'The person is not available right now',
    answered_elsewhere: 'Answered on another device',
    failed: 'The call failed',
    connection_lost: 'The connection was lost',
    server_restart: 'The call service restarted',
  } satisfies Record<CallEndReason, string>,
  errors: {
    media_permission_denied: 'Camera or microphone access was blocked. Allow it in your browser settings and try again.',
    media_device_not_found: 'No microphone or camera was found. Connect one and try again.',
    token_expired: 'Your session expired. Reload the page to get a new one.',
    already_in_room: 'You are already in another call.',
    video_full: 'This room has no more places for video. You can join with audio only.',
    room_full: 'This room is full.',
  } as Partial<Record<ErrorCode, string>>,
  callDuration: 'Call duration',
  callPanel: 'Calls',
  openCalls: 'Open calls',
  incomingAnnouncement: (who: string) => `Incoming call from ${who}`,
  connectedAnnouncement: 'Call connected',
  reconnecting: 'Connection lost. Reconnecting…',
  poorConnection: 'Poor connection',
};

export type Strings = typeof EN;

export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

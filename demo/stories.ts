import type { CallEndReason, RecentCall } from '../protocol';
import type { CallMachineState, NetworkQuality, RemoteParticipant } from '../widget/call/engine';
import type { CallWidget } from '../widget/call-widget';
import { ME, SimulatedEngine, sampleCall } from './simulator';

/** One reviewable state of the widget: shown in the demo's sidebar and checked with axe in the tests. */
export interface Story {
  id: string;
  title: string;
  group: string;
  state: CallMachineState;
  /** Remote participants; the page attaches their streams (fake canvas video), tests empty ones. */
  remotes: StoryPerson[];
  activeSpeaker?: string;
  networkQuality?: NetworkQuality;
  /** Shown with the `prejoin` attribute; `problem`: the preview failed (blocked, or no device). */
  prejoin?: { problem?: 'media_permission_denied' | 'media_device_not_found' };
  /** Extra attributes the story's element gets. */
  attributes?: Record<string, string>;
  /** Recent calls, the missed-calls badge count, and whether the list is shown open. */
  recent?: { calls: RecentCall[]; missedCount: number; open?: boolean };
}

/** The simulated engine showing `story`; `streamFor` gives each remote (and screen) a stream. */
export function storyEngine(story: Story, streamFor: (key: string, index: number) => MediaStream): SimulatedEngine {
  const remotes: RemoteParticipant[] = story.remotes.map(({ sharesScreen, ...r }, i) => ({
    ...r,
    stream: streamFor(r.userId, i * 47),
    ...(sharesScreen ? { screenStream: streamFor(`${r.userId}-screen`, 200) } : {}),
    speaking: r.userId === story.activeSpeaker,
  }));
  const engine = new SimulatedEngine(structuredClone(story.state), remotes);
  engine.room = { role: 'participant', audienceCount: 0, activeSpeaker: story.activeSpeaker ?? null, networkQuality: story.networkQuality ?? 'good' };
  if (story.recent) Object.assign(engine.recent, { calls: story.recent.calls, missedCount: story.recent.missedCount });
  engine.devices.previewStream = () => streamFor('you', 210);
  const problem = story.prejoin?.problem;
  if (problem) engine.devices.problem = { code: problem, message: problem };
  return engine;
}

/** Shows `story` on `el`: its attributes, the pre-join screen if any, its engine, the recent list if open. */
export function presentStory(el: CallWidget, story: Story, streamFor: (key: string, index: number) => MediaStream): SimulatedEngine {
  for (const [name, value] of Object.entries(story.attributes ?? {})) el.setAttribute(name, value);
  el.prejoin = story.prejoin !== undefined;
  const engine = storyEngine(story, streamFor);
  el.useEngine(engine);
  if (story.recent?.open) el.showRecentCalls();
  return engine;
}

const minutesAgo = (m: number) => Date.now() - m * 60_000;
const RECENT: RecentCall[] = [
  { callId: 'r1', direction: 'incoming', peers: [{ userId: 'bob', name: 'Bob' }], video: true, at: minutesAgo(3), durationMs: 0, missed: true, reason: 'no_answer' },
  { callId: 'r2', direction: 'incoming', peers: [{ userId: 'carol', name: 'Carol' }], video: false, at: minutesAgo(45), durationMs: 0, missed: true, reason: 'cancelled' },
  { callId: 'r3', direction: 'outgoing', peers: [{ userId: 'dave', name: 'Dave' }], video: true, at: minutesAgo(180), durationMs: 754_000, missed: false, reason: 'hangup' },
  { callId: 'r4', direction: 'incoming', peers: [{ userId: 'erin', name: 'Erin' }, { userId: 'frank', name: 'Frank' }], video: true, at: minutesAgo(1500), durationMs: 95_000, missed: false, reason: 'hangup' },
];
export function recentCallsSample(): RecentCall[] {
  return structuredClone(RECENT);
}

export type StoryPerson = Omit<RemoteParticipant, 'stream' | 'screenStream'> & { sharesScreen?: boolean };

const person = (userId: string, o: Partial<StoryPerson> = {}): StoryPerson => ({
  userId,
  name: userId[0]!.toUpperCase() + userId.slice(1),
  hasAudio: true,
  hasVideo: true,
  micMuted: false,
  cameraOff: false,
  speaking: false,
  ...o,
});
const NAMES = ['bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'niaj', 'olivia', 'peggy', 'rupert', 'sybil', 'trent'];
const inCall = (kind: 'call' | 'room' = 'call'): CallMachineState => ({ status: 'in-call', me: ME, activity: { kind, id: 'c1', video: true, connectedAt: Date.now() - 83_000 } });
const ended = (reason: CallEndReason, durationMs = 0): CallMachineState => ({ status: 'ended', me: ME, ended: { callId: 'c1', reason, durationMs } });

export const STORIES: Story[] = [
  { id: 'disconnected', group: 'Connection', title: 'Token expired', state: { status: 'disconnected', error: { code: 'token_expired', message: 'expired' } }, remotes: [] },
  { id: 'connecting', group: 'Connection', title: 'Connecting', state: { status: 'connecting' }, remotes: [] },
  { id: 'idle', group: 'Calling', title: 'Idle (dialer)', state: { status: 'idle', me: ME }, remotes: [] },
  { id: 'prejoin', group: 'Pre-join', title: 'Pre-join (preview, mic level, devices)', state: { status: 'idle', me: ME }, remotes: [], prejoin: {} },
  {
    id: 'prejoin-room',
    group: 'Pre-join',
    title: 'Pre-join before a room',
    state: { status: 'idle', me: ME },
    remotes: [],
    prejoin: {},
    attributes: { room: 'standup' },
  },
  {
    id: 'prejoin-blocked',
    group: 'Pre-join',
    title: 'Pre-join: camera and mic blocked',
    state: { status: 'idle', me: ME },
    remotes: [],
    prejoin: { problem: 'media_permission_denied' },
  },
  { id: 'prejoin-no-device', group: 'Pre-join', title: 'Pre-join: no device', state: { status: 'idle', me: ME }, remotes: [], prejoin: { problem: 'media_device_not_found' } },
  { id: 'missed', group: 'Calling', title: 'Missed calls (badge)', state: { status: 'idle', me: ME }, remotes: [], recent: { calls: RECENT, missedCount: 2 } },
  { id: 'recent', group: 'Calling', title: 'Recent calls (call back)', state: { status: 'idle', me: ME }, remotes: [], recent: { calls: RECENT, missedCount: 0, open: true } },
  { id: 'dialing', group: 'Calling', title: 'Dialing', state: { status: 'outgoing', me: ME, callees: ['bob'], activity: { kind: 'call', id: 'c1', video: true } }, remotes: [] },
  { id: 'incoming', group: 'Calling', title: 'Incoming video call', state: { status: 'incoming', me: ME, call: sampleCall() }, remotes: [] },
  { id: 'incoming-audio', group: 'Calling', title: 'Incoming audio call', state: { status: 'incoming', me: ME, call: sampleCall({ video: false }) }, remotes: [] },
  { id: 'connecting-call', group: 'Calling', title: 'Connecting the call', state: { status: 'joining', me: ME, activity: { kind: 'call', id: 'c1', video: true } }, remotes: [] },
  { id: 'one-to-one', group: 'In call', title: '1:1', state: inCall(), remotes: [person('bob')] },
  { id: 'one-to-one-muted', group: 'In call', title: '1:1, remote muted, camera off', state: inCall(), remotes: [person('bob', { micMuted: true, cameraOff: true })] },
  { id: 'grid-2', group: 'Grid', title: 'Grid of 2', state: inCall('room'), remotes: NAMES.slice(0, 2).map((u) => person(u)), activeSpeaker: 'carol' },
  { id: 'grid-4', group: 'Grid', title: 'Grid of 4', state: inCall('room'), remotes: NAMES.slice(0, 4).map((u, i) => person(u, { micMuted: i === 2 })), activeSpeaker: 'bob' },
  { id: 'grid-9', group: 'Grid', title: 'Grid of 9', state: inCall('room'), remotes: NAMES.slice(0, 9).map((u, i) => person(u, { cameraOff: i % 4 === 3 })) },
  { id: 'grid-16', group: 'Grid', title: 'Grid of 16 (paged)', state: inCall('room'), remotes: NAMES.slice(0, 16).map((u) => person(u)) },
  { id: 'screen-share', group: 'Grid', title: 'Screen share', state: inCall('room'), remotes: [person('bob', { sharesScreen: true }), person('carol')] },
  {
    id: 'reconnecting',
    group: 'Network',
    title: 'Reconnecting',
    state: { status: 'reconnecting', me: ME, prior: inCall() as Extract<CallMachineState, { status: 'in-call' }>, since: Date.now() },
    remotes: [person('bob')],
  },
  { id: 'poor-network', group: 'Network', title: 'Poor network', state: inCall(), remotes: [person('bob')], networkQuality: 'poor' },
  { id: 'ended-hangup', group: 'Ended', title: 'Ended (hang-up)', state: ended('hangup', 754_000), remotes: [] },
  ...(['declined', 'cancelled', 'no_answer', 'busy', 'unavailable', 'answered_elsewhere', 'failed', 'connection_lost', 'server_restart'] as const).map((reason) => ({
    id: `ended-${reason}`,
    group: 'Ended',
    title: `Ended (${reason.replace('_', ' ')})`,
    state: ended(reason),
    remotes: [],
  })),
  { id: 'permission-denied', group: 'Errors', title: 'Permission denied', state: { status: 'error', me: ME, error: { code: 'media_permission_denied', message: 'blocked' } }, remotes: [] },
  { id: 'no-device', group: 'Errors', title: 'No camera or microphone', state: { status: 'error', me: ME, error: { code: 'media_device_not_found', message: 'none' } }, remotes: [] },
  { id: 'video-full', group: 'Errors', title: 'Room video full', state: { status: 'error', me: ME, error: { code: 'video_full', message: 'full' } }, remotes: [] },
];

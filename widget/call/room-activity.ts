import type { GrantsInfo, RoomJoined } from '../../protocol';
import { openLocalMedia, stopStream, type VideoResolution } from './local-media';
import { MediaIntent } from './media-intent';
import type * as MediaChunk from './media-chunk';
import type { NotificationRouter } from './notifications';
import { RingPreparation } from './ring-preparation';
import type { RoomSession } from './room-session';
import type { SignalingClient } from './signaling-client';

/** The lazy media chunk (media-chunk.ts): mediasoup-client and the room session. */
export type MediaModule = typeof MediaChunk;

/** What the activity needs from its engine. */
export interface ActivityHost {
  request(): SignalingClient;
  grants(): GrantsInfo;
  /** Your user id (the room session leaves you out of its members). */
  me(): string;
  /** Releases the pre-join preview (the call takes the devices) and says which the user chose. */
  takeDevices(): { audioDeviceId?: string; videoDeviceId?: string };
  /** The session changed (re-render). */
  changed(): void;
  /** Something in the session failed (reported; the call goes on). */
  error(error: unknown): void;
}

/**
 * The current call or room's media, one at a time: the media chunk, what was prepared while ringing, your
 * camera and microphone, the room session, and your mic/camera intent. Each activity has a token; anything
 * asynchronous checks it, so a late result of an old call can never touch a new one.
 */
export class RoomActivity {
  /** The room we are in (media, participants); undefined outside calls and rooms. */
  session: RoomSession | undefined;
  /** Mic and camera on or off: set before a call, kept by the room session during it. */
  readonly intent = new MediaIntent();
  /** Transports created while ringing (callee), used by accept. */
  readonly preparation: RingPreparation;
  private token = 0;
  private mediaModule: Promise<MediaModule> | undefined;

  constructor(
    private readonly host: ActivityHost,
    private readonly notifications: NotificationRouter,
    private readonly resolution: VideoResolution,
    private readonly loadMediaChunk: () => Promise<MediaModule> = () => import('./media-chunk'),
  ) {
    this.preparation = new RingPreparation(() => this.loadMedia(), () => host.request());
  }

  /** A new activity starts (the previous one is over): its token. */
  begin(): number {
    return ++this.token;
  }

  isCurrent(token: number): boolean {
    return token === this.token;
  }

  /** The call's camera and microphone: the devices chosen in pre-join. */
  openLocal(video: boolean): Promise<MediaStream> {
    const local = openLocalMedia({ video, resolution: this.resolution, ...this.host.takeDevices() });
    local.catch(() => undefined);
    return local;
  }

  /** Starts loading the media chunk (dialling and joining do it early, alongside their request). */
  loadMedia(): Promise<MediaModule> {
    this.mediaModule ??= this.loadMediaChunk();
    return this.mediaModule;
  }

  /** Joined: the room session opens media; `ready` once the others are being received (your camera may still start). */
  async start(token: number, room: RoomJoined, local: Promise<MediaStream | undefined>, ready: () => void): Promise<void> {
    const mod = await this.loadMedia();
    const prepared = await this.preparation.take(mod, room.routerRtpCapabilities);
    if (!this.isCurrent(token)) {
      prepared.media?.close();
      return void local.then(stopStream, () => undefined);
    }
    const session = new mod.RoomSession(this.host.request(), mod, this.host.grants(), this.host.me(), this.intent, this.resolution);
    session.onChange = () => this.host.changed();
    session.onError = (e) => this.host.error(e);
    this.session = session;
    this.notifications.flushTo(session);
    const onReceiving = () => this.isCurrent(token) && ready();
    await session.start(room, local, prepared, onReceiving);
    onReceiving();
  }

  /** Releases everything of the current call or room; idempotent. */
  end(): void {
    this.token += 1;
    this.session?.close();
    this.session = undefined;
    this.notifications.clear();
    this.preparation.discard();
    this.intent.reset();
  }
}

import type { GrantsInfo, Notification, ParticipantInfo, ParticipantRole, ProducerInfo, RoomJoined } from '../../protocol';
import type { MediaClient, MediaStats } from './media-client';
import type { RemoteParticipant, TileView } from './engine';
import type { MediaIntent } from './media-intent';

export type { RemoteParticipant, TileView } from './engine';
import { emptyMediaStats } from './media-stats';
import { SignalingError, type SignalingClient } from './signaling-client';
import { openLocalMedia, openScreenCapture, stopStream, type VideoResolution } from './local-media';
import { assessQuality, type NetworkQuality } from './network-quality';

import type * as MediaModuleNamespace from './media-client';

type MediaModule = typeof MediaModuleNamespace;
type Device = Awaited<ReturnType<MediaModule['MediaClient']['loadDevice']>>;

/**
 * Everything about being in one room (call or conference) once joined: media, who is there, who speaks, your
 * role. One per activity; `close()` releases it all. The controller routes room and media notifications here.
 */
export class RoomSession {
  localStream: MediaStream | undefined;
  screenStream: MediaStream | undefined;
  /** Whether you want mic and camera on (the controller's, shared: one owner for the whole activity). */
  get micEnabled(): boolean {
    return this.intent.mic;
  }

  get cameraEnabled(): boolean {
    return this.intent.camera;
  }
  role: ParticipantRole = 'participant';
  audienceCount = 0;
  activeSpeaker: string | null = null;
  /** From the last two stats samples (every 2 s): shown as "Poor connection" during the call. */
  networkQuality: NetworkQuality = 'good';
  private lastStats: MediaStats | undefined;
  private lastQuality: NetworkQuality = 'good';
  private qualityTimer: ReturnType<typeof setInterval> | undefined;
  private media: MediaClient | undefined;
  private queued: ProducerInfo[] = [];
  /**
   * Who is in the room besides you, in the order they joined (the room says so, whether they publish or not):
   * each gets a tile at once; their media, once consumed, attaches to it.
   */
  private readonly members = new Map<string, ParticipantInfo>();
  private closed = false;
  onChange: (() => void) | undefined;
  onError: ((error: unknown) => void) | undefined;
  onRemoved: (() => void) | undefined;

  constructor(
    private readonly signaling: SignalingClient,
    private readonly mod: MediaModule,
    private readonly grants: GrantsInfo,
    /** Your user id: you are not one of the room's members here (your own tile is your preview). */
    private readonly me: string,
    private readonly intent: MediaIntent,
    private readonly resolution: VideoResolution = '720p',
  ) {}

  /** Someone is in the room (joined, or there when you joined); a later notice updates what is known. */
  private member(info: ParticipantInfo): void {
    if (info.userId === this.me) return;
    this.members.set(info.userId, { ...this.members.get(info.userId), ...info });
  }

  /**
   * Opens media in a joined room: transports (prepared ones if given), then consumes what is there while the
   * camera is still opening, and publishes once it is — so you see others without waiting for your camera.
   * `onReceiving` runs once the transports are there and what the room publishes is being consumed: the call
   * shows as joined and each tile shows its video as soon as it arrives; your own publishing may still be starting.
   */
  async start(room: RoomJoined, local: Promise<MediaStream | undefined>, prepared: { media?: MediaClient; device?: Device }, onReceiving?: () => void): Promise<void> {
    this.role = room.role;
    this.audienceCount = room.audienceCount;
    this.activeSpeaker ??= room.activeSpeaker ?? null;
    for (const p of room.participants) this.member(p);
    const canSend = this.grants.canPublish && room.role !== 'audience';
    const media = prepared.media ?? (await this.mod.MediaClient.open(this.signaling, prepared.device ?? (await this.mod.MediaClient.loadDevice(room.routerRtpCapabilities)), { send: canSend }));
    if (this.closed) return media.close();
    this.adopt(media);
    this.qualityTimer = setInterval(() => void this.sampleQuality(), 2000);
    const producers = [...room.producers, ...this.queued];
    this.queued = [];
    const consumed = Promise.all(producers.map((p) => media.consume(p)));
    onReceiving?.();
    const stream = await local;
    if (this.closed) return stopStream(stream);
    if (stream && canSend) await this.publish(stream);
    else stopStream(stream);
    await consumed;
  }

  /** Takes `media` as this room's media: its changes re-render, its transport failures become a typed error. */
  private adopt(media: MediaClient): void {
    this.media = media;
    media.onChange = () => this.onChange?.();
    media.onFailed = (direction) =>
      this.onError?.(new SignalingError('media_error', `could not connect the ${direction === 'send' ? 'outgoing' : 'incoming'} media (ICE failed): the network blocks it, or the server's TURN relay refused the credentials`));
  }

  private async publish(local: MediaStream): Promise<void> {
    this.localStream = local;
    local.getAudioTracks().forEach((t) => (t.enabled = this.micEnabled));
    local.getVideoTracks().forEach((t) => (t.enabled = this.cameraEnabled));
    await this.media?.publish(local);
    if (!this.micEnabled) await this.media?.setSourceEnabled('mic', false);
    if (!this.cameraEnabled) await this.media?.setSourceEnabled('camera', false);
  }

  /** Follows a changed intent for `source` (mic or camera): the track and its producer. */
  async applyIntent(source: 'mic' | 'camera'): Promise<void> {
    const on = source === 'mic' ? this.intent.mic : this.intent.camera;
    (source === 'mic' ? this.localStream?.getAudioTracks() : this.localStream?.getVideoTracks())?.forEach((t) => (t.enabled = on));
    this.onChange?.();
    await this.media?.setSourceEnabled(source, on);
  }

  /** Shares a screen, window or tab as an extra producer; ends when the user stops it in the browser too. */
  async startScreenShare(): Promise<void> {
    if (this.screenStream || !this.media) return;
    const stream = await openScreenCapture();
    this.screenStream = stream;
    const track = stream.getVideoTracks()[0];
    track?.addEventListener('ended', () => void this.stopScreenShare());
    await this.media.publishScreen(stream);
    this.onChange?.();
  }

  async stopScreenShare(): Promise<void> {
    if (!this.screenStream) return;
    stopStream(this.screenStream);
    this.screenStream = undefined;
    await this.media?.unpublish('screen');
    this.onChange?.();
  }

  /** Fresh TURN credentials for the transports (a renewed token); nothing restarts. */
  async updateIceServers(): Promise<void> {
    await this.media?.updateIceServers();
  }

  /** New ICE credentials for both transports, after the signaling connection resumed (the network may differ). */
  async restartIce(): Promise<void> {
    await this.media?.restartIce();
  }

  /**
   * The room moved to another media worker: drop every transport, producer and consumer, set media up on the
   * new router, publish the same local tracks (mute state kept) and consume what others publish again.
   * Producers announced meanwhile are queued, as at the start.
   */
  resetMedia(routerRtpCapabilities: unknown): void {
    const old = this.media;
    this.media = undefined;
    old?.close();
    this.onChange?.();
    const canSend = this.grants.canPublish && this.role !== 'audience';
    void (async () => {
      const device = await this.mod.MediaClient.loadDevice(routerRtpCapabilities);
      const media = await this.mod.MediaClient.open(this.signaling, device, { send: canSend });
      if (this.closed) return media.close();
      this.adopt(media);
      const queued = this.queued.splice(0);
      const consumed = Promise.all(queued.map((p) => media.consume(p)));
      if (this.localStream && canSend) await this.publish(this.localStream);
      if (this.screenStream) await media.publishScreen(this.screenStream);
      await consumed;
      this.onChange?.();
    })().catch((e) => this.onError?.(e));
  }

  /** Reports the tiles on screen; every other video consumer is reported hidden (the server pauses it). */
  setTileViews(views: TileView[]): void {
    this.media?.setViews(views);
  }

  /**
   * Everyone on stage but you, in join order — from membership, so someone who publishes nothing (camera and
   * microphone off, audio-only, not yet started) has a tile with their name — with their media where it is
   * consumed. Media of someone the room has not announced yet (a race on joining) still shows.
   */
  remotes(): RemoteParticipant[] {
    const media = new Map((this.media?.remotes() ?? []).map((r) => [r.userId, r]));
    const ids = [...new Set([...this.members.keys(), ...media.keys()])];
    return ids
      .filter((userId) => this.members.get(userId)?.role !== 'audience')
      .map((userId) => {
        const info = this.members.get(userId);
        const received = media.get(userId) ?? { userId, hasAudio: false, hasVideo: false, micMuted: false, cameraOff: false };
        return {
          ...received,
          ...(info?.name ? { name: info.name } : {}),
          ...(info?.avatarUrl ? { avatarUrl: info.avatarUrl } : {}),
          ...(info?.role ? { role: info.role } : {}),
          speaking: this.activeSpeaker === userId,
        };
      });
  }

  getStats(): Promise<MediaStats> {
    return this.media ? this.media.getStats(emptyMediaStats()) : Promise.resolve(emptyMediaStats());
  }

  /** Room and media notifications of this room. */
  handle(n: Notification): void {
    switch (n.type) {
      case 'room.participantJoined':
        this.member(n.participant);
        break;
      case 'room.participantLeft':
        this.members.delete(n.userId);
        this.media?.removeUser(n.userId);
        break;
      case 'room.activeSpeaker':
        this.activeSpeaker = n.userId;
        break;
      case 'room.audience':
        this.audienceCount = n.count;
        break;
      case 'room.roleChanged':
        if (n.userId === this.me) void this.onMyRole(n.role).catch((e) => this.onError?.(e));
        else this.member({ ...this.members.get(n.userId), userId: n.userId, role: n.role });
        break;
      case 'media.producerAdded':
        if (this.media) this.media.consume(n.producer).catch((e) => this.onError?.(e));
        else this.queued.push(n.producer);
        break;
      case 'media.producerClosed':
        this.queued = this.queued.filter((p) => p.producerId !== n.producerId);
        break;
      case 'media.consumerClosed':
        this.media?.removeConsumer(n.consumerId);
        break;
      case 'media.producerState':
        this.media?.setRemotePaused(n.producerId, n.paused);
        break;
      case 'media.forceMuted':
        if (n.source === 'mic') this.intent.mic = false;
        if (n.source === 'camera') this.intent.camera = false;
        this.localStream?.getTracks().forEach((t) => (t.enabled = t.kind === 'audio' ? this.micEnabled : this.cameraEnabled));
        this.media?.markPaused(n.source);
        break;
      default:
        return;
    }
    this.onChange?.();
  }

  /** Moved on stage: start publishing; moved back: stop. */
  private async onMyRole(role: ParticipantRole): Promise<void> {
    this.role = role;
    if (!this.media) return;
    if (role === 'host' && this.grants.canPublish) {
      await this.media.ensureSendTransport();
      const local = await openLocalMedia({ video: true, resolution: this.resolution });
      if (this.closed) return stopStream(local);
      await this.publish(local);
    } else if (role === 'audience') {
      stopStream(this.localStream);
      this.localStream = undefined;
      this.media.forgetProducers();
    }
    this.onChange?.();
  }

  private async sampleQuality(): Promise<void> {
    if (typeof document !== 'undefined' && document.hidden) return; // nobody sees the notice
    const stats = await this.getStats().catch(() => undefined);
    if (!stats || this.closed) return;
    const quality = assessQuality(this.lastStats, stats);
    this.lastStats = stats;
    // Two samples in a row (4 s) before the notice changes, so one bad moment does not make it flicker.
    const settled = quality === this.lastQuality;
    this.lastQuality = quality;
    if (settled && quality !== this.networkQuality) {
      this.networkQuality = quality;
      this.onChange?.();
    }
  }

  /** Idempotent: closes media and stops every local track. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.qualityTimer);
    this.media?.close();
    stopStream(this.localStream);
    stopStream(this.screenStream);
    this.localStream = undefined;
    this.screenStream = undefined;
  }
}

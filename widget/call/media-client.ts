import { Device, type types } from 'mediasoup-client';
import type { MediaSource, ProducerInfo } from '../../protocol';
import { type BrowserMediaPolicy, mediaPolicyFor } from './browser-policy';
import { watchConnection } from './connection-watch';
import type { MediaStats } from './media-stats';
import type { RemoteMedia } from './engine';
import type { SignalingClient } from './signaling-client';

export type { AudioReceiveStats, MediaStats, VideoReceiveStats } from './media-stats';
export type { RemoteMedia } from './engine';

interface ConsumerEntry {
  consumer: types.Consumer;
  userId: string;
  source: MediaSource;
  paused: boolean;
}

/** How long a transport may take from its first use to a working path before the page is told it failed. */
const ICE_CONNECT_TIMEOUT_MS = 15_000;

/**
 * mediasoup-client side of one room: device, send/recv transports, producers and consumers. Lives in its own
 * chunk (dynamic import) so a page view never downloads mediasoup-client.
 */
export class MediaClient {
  private sendTransport: types.Transport | undefined;
  private recvTransport: types.Transport | undefined;
  private readonly producers = new Map<MediaSource, types.Producer>();
  private readonly consumers = new Map<string, ConsumerEntry>();
  private readonly streams = new Map<string, MediaStream>();
  private readonly pendingPaused = new Map<string, boolean>();
  private readonly screens = new Map<string, MediaStream>();
  /** Last view sent per consumer ("visible:bucket"), so re-renders do not resend it. */
  private readonly sentViews = new Map<string, string>();
  private readonly lastBytes = new Map<string, { bytes: number; frames: number; at: number }>();
  private closed = false;
  onChange: (() => void) | undefined;
  /** A transport's ICE/DTLS failed for good (e.g. relay-only with TURN credentials the TURN server refuses). */
  onFailed: ((direction: 'send' | 'recv') => void) | undefined;

  /** Browser-specific media choices (encodings, codec options, stats fields). */
  private readonly policy: BrowserMediaPolicy;

  private constructor(
    private readonly signaling: SignalingClient,
    readonly device: Device,
  ) {
    this.policy = mediaPolicyFor(device.handlerName);
  }

  /** Loads the device for a router (can run while ringing, before the user answers). */
  static async loadDevice(routerRtpCapabilities: unknown): Promise<Device> {
    const device = new Device();
    await device.load({ routerRtpCapabilities: routerRtpCapabilities as types.RtpCapabilities });
    return device;
  }

  static async open(signaling: SignalingClient, device: Device, options: { send: boolean }): Promise<MediaClient> {
    const client = new MediaClient(signaling, device);
    await signaling.request('media.setRtpCapabilities', { rtpCapabilities: device.rtpCapabilities as unknown as Record<string, unknown> });
    const [send, recv] = await Promise.all([options.send ? client.createTransport('send') : undefined, client.createTransport('recv')]);
    client.sendTransport = send;
    client.recvTransport = recv;
    return client;
  }

  private async createTransport(direction: 'send' | 'recv'): Promise<types.Transport> {
    const options = await this.signaling.request('media.createTransport', { direction });
    // TURN servers (with this user's expiring credentials) and the relay policy apply to every transport.
    const transportOptions = { ...(options as unknown as types.TransportOptions), ...this.signaling.ice } as types.TransportOptions;
    const transport = direction === 'send' ? this.device.createSendTransport(transportOptions) : this.device.createRecvTransport(transportOptions);
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.signaling
        .request('media.connectTransport', { transportId: transport.id, dtlsParameters: dtlsParameters as unknown as Record<string, unknown> })
        .then(() => callback(), errback);
    });
    watchConnection(transport, ICE_CONNECT_TIMEOUT_MS, () => !this.closed && this.onFailed?.(direction));
    if (direction === 'send') {
      transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
        this.signaling
          .request('media.produce', {
            transportId: transport.id,
            kind,
            rtpParameters: rtpParameters as unknown as Record<string, unknown>,
            source: appData.source as MediaSource,
            ...(typeof appData.width === 'number' ? { width: appData.width } : {}),
          })
          .then(({ producerId }) => callback({ id: producerId }), errback);
      });
    }
    return transport;
  }

  /** Publishes the local mic and (if present) camera; the camera with simulcast. */
  async publish(stream: MediaStream): Promise<void> {
    const transport = this.sendTransport;
    if (!transport) return;
    const audio = stream.getAudioTracks()[0];
    const video = stream.getVideoTracks()[0];
    // stopTracks: false — the tracks belong to the room session, which may publish them again (media reset).
    if (audio) {
      this.producers.set('mic', await transport.produce({ track: audio, stopTracks: false, appData: { source: 'mic' }, codecOptions: this.policy.micCodecOptions }));
    }
    if (video) {
      this.producers.set(
        'camera',
        await transport.produce({
          track: video,
          stopTracks: false,
          encodings: this.policy.cameraEncodings(video.getSettings().width),
          appData: { source: 'camera', width: video.getSettings().width },
          codecOptions: this.policy.cameraCodecOptions,
        }),
      );
    }
  }

  /** Mute/unmute: pauses the producer on both ends so others see the indicator and no bytes flow. */
  async setSourceEnabled(source: MediaSource, enabled: boolean): Promise<boolean> {
    const producer = this.producers.get(source);
    if (!producer) return false;
    if (enabled) {
      producer.resume();
      await this.signaling.request('media.resumeProducer', { producerId: producer.id });
    } else {
      producer.pause();
      await this.signaling.request('media.pauseProducer', { producerId: producer.id });
    }
    return true;
  }

  async publishScreen(stream: MediaStream): Promise<void> {
    const track = stream.getVideoTracks()[0];
    if (!track || !this.sendTransport) return;
    this.producers.set('screen', await this.sendTransport.produce({ track, stopTracks: false, appData: { source: 'screen' } }));
  }

  async unpublish(source: MediaSource): Promise<void> {
    const producer = this.producers.get(source);
    if (!producer) return;
    producer.close();
    this.producers.delete(source);
    await this.signaling.request('media.closeProducer', { producerId: producer.id });
  }

  /** A room admin paused our producer on the server: reflect it locally. */
  markPaused(source: MediaSource): void {
    this.producers.get(source)?.pause();
  }

  /** The server closed our producers (moved off stage): drop them locally. */
  forgetProducers(): void {
    for (const producer of this.producers.values()) producer.close();
    this.producers.clear();
  }

  /** The latest TURN credentials (from a resume's welcome or a renewed token) for the transports' next gathering. */
  async updateIceServers(): Promise<void> {
    const { iceServers } = this.signaling.ice;
    if (iceServers.length === 0) return;
    await Promise.all([this.sendTransport, this.recvTransport].map((t) => (t && !t.closed ? t.updateIceServers({ iceServers }) : undefined)));
  }

  /** ICE restart on both transports with fresh server credentials (after a reconnection or network change). */
  async restartIce(): Promise<void> {
    await this.updateIceServers();
    await Promise.all(
      [this.sendTransport, this.recvTransport].map(async (transport) => {
        if (!transport || transport.closed) return;
        const { iceParameters } = await this.signaling.request('media.restartIce', { transportId: transport.id });
        await transport.restartIce({ iceParameters: iceParameters as types.IceParameters });
      }),
    );
  }

  async ensureSendTransport(): Promise<void> {
    this.sendTransport ??= await this.createTransport('send');
  }

  /** Tells the server which video consumers are on screen and how big (see media.setConsumerView). */
  setViews(views: { userId: string; source: 'camera' | 'screen'; width: number; height: number }[]): void {
    for (const [id, entry] of this.consumers) {
      if (entry.consumer.kind !== 'video') continue;
      const view = views.find((v) => v.userId === entry.userId && v.source === entry.source);
      const width = Math.round(view?.width ?? 0);
      const height = Math.round(view?.height ?? 0);
      const bucket = !view ? 'hidden' : width <= 320 ? 'low' : width <= 640 ? 'mid' : 'main';
      if (this.sentViews.get(id) === bucket) continue;
      this.sentViews.set(id, bucket);
      void this.signaling.request('media.setConsumerView', { consumerId: id, visible: view !== undefined, width, height }).catch(() => this.sentViews.delete(id));
    }
  }

  hasProducer(source: MediaSource): boolean {
    return this.producers.has(source);
  }

  async consume(producer: ProducerInfo): Promise<void> {
    const transport = this.recvTransport;
    if (!transport || this.closed) return;
    const options = await this.signaling.request('media.consume', { producerId: producer.producerId });
    const consumer = await transport.consume({
      id: options.id,
      producerId: options.producerId,
      kind: options.kind,
      rtpParameters: options.rtpParameters as types.RtpParameters,
    });
    const paused = this.pendingPaused.get(producer.producerId) ?? options.producerPaused;
    this.pendingPaused.delete(producer.producerId);
    this.consumers.set(consumer.id, { consumer, userId: options.userId, source: options.source, paused });
    if (options.source === 'screen') {
      this.screens.set(options.userId, new MediaStream([consumer.track]));
    } else {
      let stream = this.streams.get(options.userId);
      if (!stream) this.streams.set(options.userId, (stream = new MediaStream()));
      stream.addTrack(consumer.track);
    }
    // Rendered now (its tile's video element starts before the first frame arrives). The server created it
    // paused; resume now that the track is attached, so the first key frame is ours.
    this.onChange?.();
    await this.signaling.request('media.resumeConsumer', { consumerId: consumer.id });
  }

  removeConsumer(consumerId: string): void {
    const entry = this.consumers.get(consumerId);
    if (!entry) return;
    entry.consumer.close();
    this.consumers.delete(consumerId);
    this.sentViews.delete(consumerId);
    if (entry.source === 'screen') this.screens.delete(entry.userId);
    else this.streams.get(entry.userId)?.removeTrack(entry.consumer.track);
    this.onChange?.();
  }

  removeUser(userId: string): void {
    for (const [id, entry] of this.consumers) if (entry.userId === userId) this.removeConsumer(id);
    this.streams.delete(userId);
    this.onChange?.();
  }

  setRemotePaused(producerId: string, paused: boolean): void {
    const entry = [...this.consumers.values()].find((e) => e.consumer.producerId === producerId);
    if (!entry) {
      this.pendingPaused.set(producerId, paused); // the consume may still be in flight
      return;
    }
    entry.paused = paused;
    this.onChange?.();
  }

  remotes(): RemoteMedia[] {
    const byUser = new Map<string, RemoteMedia>();
    for (const entry of this.consumers.values()) {
      let remote = byUser.get(entry.userId);
      if (!remote) {
        const stream = this.streams.get(entry.userId) ?? new MediaStream();
        remote = { userId: entry.userId, stream, hasAudio: false, hasVideo: false, micMuted: false, cameraOff: false };
        byUser.set(entry.userId, remote);
      }
      if (entry.source === 'mic') {
        remote.hasAudio = true;
        remote.micMuted = entry.paused;
      } else if (entry.source === 'camera') {
        remote.hasVideo = true;
        remote.cameraOff = entry.paused;
      } else if (entry.source === 'screen') {
        const screen = this.screens.get(entry.userId);
        if (screen) remote.screenStream = screen;
      }
    }
    return [...byUser.values()];
  }

  /**
   * Fills `stats` (an `emptyMediaStats()`, made by the caller: the page-view code owns that module, so this lazy
   * chunk does not split it into one more file).
   */
  async getStats(stats: MediaStats): Promise<MediaStats> {
    stats.videoTracksSent = this.producers.has('camera') ? 1 : 0;
    type Inbound = {
      type: string;
      trackIdentifier?: string;
      framesDecoded?: number;
      packetsReceived?: number;
      packetsLost?: number;
      jitter?: number;
      bytesReceived?: number;
      frameWidth?: number;
      frameHeight?: number;
      framesPerSecond?: number;
      freezeCount?: number;
      totalFreezesDuration?: number;
    };
    for (const [id, entry, s] of await this.inboundStats<Inbound>()) {
      if (entry.consumer.kind === 'audio') {
        stats.audioPacketsReceived[entry.userId] = (stats.audioPacketsReceived[entry.userId] ?? 0) + (s.packetsReceived ?? 0);
        stats.audio[entry.userId] = { packetsReceived: s.packetsReceived ?? 0, packetsLost: s.packetsLost ?? 0, jitterMs: Math.round((s.jitter ?? 0) * 10000) / 10 };
        continue;
      }
      if (entry.source !== 'camera') continue;
      stats.framesDecoded[entry.userId] = (stats.framesDecoded[entry.userId] ?? 0) + (s.framesDecoded ?? 0);
      const now = performance.now();
      const bytes = s.bytesReceived ?? 0;
      const prev = this.lastBytes.get(id);
      this.lastBytes.set(id, { bytes, frames: s.framesDecoded ?? 0, at: now });
      const bitrateKbps = prev && now > prev.at ? ((bytes - prev.bytes) * 8) / (now - prev.at) : 0;
      // Browsers that leave framesPerSecond out (Firefox at times) get it from decoded frames over the interval.
      const decodedFps = prev && now > prev.at ? (((s.framesDecoded ?? 0) - prev.frames) * 1000) / (now - prev.at) : 0;
      const freezes = this.policy.freezes(s);
      stats.video[entry.userId] = {
        frameWidth: s.frameWidth ?? 0,
        frameHeight: s.frameHeight ?? 0,
        framesPerSecond: s.framesPerSecond ?? Math.max(0, Math.round(decodedFps)),
        bitrateKbps: Math.round(bitrateKbps),
        framesDecoded: s.framesDecoded ?? 0,
        freezeCount: freezes?.count ?? 0,
        totalFreezesDurationMs: freezes?.durationMs ?? 0,
      };
    }
    return stats;
  }

  /**
   * Each consumer's inbound-rtp stats. One getStats() of the receiving connection, matched by track id: asking
   * every consumer separately makes Chrome walk the whole connection once per consumer (it shows as video
   * freezes in big calls on busy machines). Falls back to per-consumer reports if tracks cannot be matched.
   */
  private async inboundStats<T extends { type: string; trackIdentifier?: string }>(): Promise<Array<[string, ConsumerEntry, T]>> {
    const out: Array<[string, ConsumerEntry, T]> = [];
    const byTrack = new Map([...this.consumers].map(([id, entry]) => [entry.consumer.track.id, [id, entry] as const]));
    const report = this.recvTransport && this.consumers.size > 0 ? await this.recvTransport.getStats() : undefined;
    report?.forEach((s: T) => {
      const match = s.type === 'inbound-rtp' && s.trackIdentifier !== undefined ? byTrack.get(s.trackIdentifier) : undefined;
      if (match) out.push([match[0], match[1], s]);
    });
    if (out.length > 0 || this.consumers.size === 0) return out;
    for (const [id, entry] of this.consumers) {
      (await entry.consumer.getStats()).forEach((s: T) => {
        if (s.type === 'inbound-rtp') out.push([id, entry, s]);
      });
    }
    return out;
  }

  /** Idempotent: closes transports (and with them every producer and consumer). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sendTransport?.close();
    this.recvTransport?.close();
    this.producers.clear();
    this.consumers.clear();
    this.streams.clear();
    this.screens.clear();
  }
}

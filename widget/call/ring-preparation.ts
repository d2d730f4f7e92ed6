import type * as MediaModuleNamespace from './media-client';
import type { MediaClient } from './media-client';
import type { SignalingClient } from './signaling-client';

type MediaModule = typeof MediaModuleNamespace;
type Device = Awaited<ReturnType<MediaModule['MediaClient']['loadDevice']>>;

/**
 * While a call rings, the callee loads the media chunk and device and creates its transports (`call.prepare`),
 * so accepting only has to produce and consume. An optimisation: if anything fails, accept does it all.
 */
export class RingPreparation {
  private device: Promise<Device> | undefined;
  private media: Promise<MediaClient | undefined> | undefined;

  constructor(
    private readonly loadModule: () => Promise<MediaModule>,
    private readonly signaling: () => SignalingClient,
  ) {}

  /** Starts (or, after a media reset, restarts) preparing for `callId`; `stillRinging` guards a late finish. */
  start(callId: string, routerRtpCapabilities: unknown, stillRinging: () => boolean): void {
    this.discard();
    const device = this.loadModule().then((m) => m.MediaClient.loadDevice(routerRtpCapabilities));
    this.device = device;
    this.media = (async () => {
      const [mod, loaded] = await Promise.all([this.loadModule(), device]);
      await this.signaling().request('call.prepare', { callId });
      // Still this call (ringing, or accepted meanwhile)? Otherwise the server already dropped it.
      if (!stillRinging()) return undefined;
      return mod.MediaClient.open(this.signaling(), loaded, { send: true });
    })().catch(() => undefined);
    device.catch(() => undefined);
  }

  /** Hands over what is ready: prepared transports, else a loaded device (or loads one for `caps`). */
  async take(mod: MediaModule, routerRtpCapabilities: unknown): Promise<{ media?: MediaClient; device?: Device }> {
    const media = await this.media;
    const device = media ? undefined : await (this.device ?? mod.MediaClient.loadDevice(routerRtpCapabilities));
    this.device = undefined;
    this.media = undefined;
    return { ...(media ? { media } : {}), ...(device ? { device } : {}) };
  }

  /** Idempotent: closes prepared transports. */
  discard(): void {
    void this.media?.then((m) => m?.close());
    this.media = undefined;
    this.device = undefined;
  }
}

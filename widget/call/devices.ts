import type { ProtocolError } from '../../protocol';
import { openLocalMedia, stopStream, type VideoResolution } from './local-media';
import { readStorage, writeStorage } from './storage';
import { toProtocolError } from './signaling-client';
import type { DeviceKind, DeviceOption, DeviceView } from './engine';

export type { DeviceKind, DeviceOption, DeviceView } from './engine';


const STORAGE_KEY = 'call-widget:devices';

/**
 * Cameras, microphones and speakers: lists them, remembers the user's choices (localStorage), follows hot-plug
 * (`devicechange`: a vanished choice falls back to the default, a device plugged in after "no device" is
 * picked up), and runs the pre-join preview with a live microphone level. The call uses the same choices.
 */
export class DeviceManager implements DeviceView {
  cameras: DeviceOption[] = [];
  microphones: DeviceOption[] = [];
  speakers: DeviceOption[] = [];
  selected: Partial<Record<DeviceKind, string>>;
  preview: MediaStream | undefined;
  micLevel = 0;
  problem: ProtocolError | undefined;
  private audio: { context: AudioContext; timer: ReturnType<typeof setInterval>; resume: () => void } | undefined;
  private previewing = false;
  private generation = 0;
  private readonly onDeviceChange = () => void this.deviceChanged();

  constructor(
    private readonly onChange: () => void,
    private readonly resolution: VideoResolution = '720p',
  ) {
    try {
      this.selected = JSON.parse(readStorage(STORAGE_KEY) ?? '{}') as Partial<Record<DeviceKind, string>>;
    } catch {
      this.selected = {};
    }
  }

  get speakerSelectable(): boolean {
    return typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
  }

  /** Device ids for opening the call's camera and microphone (the choices, if still present). */
  constraints(): { audioDeviceId?: string; videoDeviceId?: string } {
    const { microphone, camera } = this.selected;
    return { ...(microphone ? { audioDeviceId: microphone } : {}), ...(camera ? { videoDeviceId: camera } : {}) };
  }

  async startPreview(): Promise<void> {
    this.previewing = true;
    navigator.mediaDevices?.addEventListener?.('devicechange', this.onDeviceChange);
    const generation = ++this.generation;
    this.release();
    let stream: MediaStream | undefined;
    try {
      stream = await openLocalMedia({ video: true, resolution: this.resolution, ...this.constraints() }).catch(async (error) => {
        // A remembered device that is gone (unplugged): fall back to the defaults.
        if (toProtocolError(error).code !== 'media_device_not_found' || !(this.selected.camera || this.selected.microphone)) throw error;
        return openLocalMedia({ video: true, resolution: this.resolution });
      });
      this.problem = undefined;
    } catch (error) {
      this.problem = toProtocolError(error);
    }
    if (generation !== this.generation || !this.previewing) return stopStream(stream);
    this.preview = stream;
    if (stream) this.meter(stream);
    await this.enumerate();
    this.onChange();
  }

  stopPreview(): void {
    this.previewing = false;
    this.generation += 1;
    navigator.mediaDevices?.removeEventListener?.('devicechange', this.onDeviceChange);
    this.release();
    this.onChange();
  }

  async select(kind: DeviceKind, deviceId: string): Promise<void> {
    if (deviceId) this.selected[kind] = deviceId;
    else delete this.selected[kind];
    writeStorage(STORAGE_KEY, JSON.stringify(this.selected));
    this.onChange();
    if (kind !== 'speaker' && this.previewing) await this.startPreview();
  }

  private async enumerate(): Promise<void> {
    const all = (await navigator.mediaDevices?.enumerateDevices?.().catch(() => [])) ?? [];
    const of = (kind: MediaDeviceKind, fallback: string) =>
      all.filter((d) => d.kind === kind && d.deviceId).map((d, i) => ({ deviceId: d.deviceId, label: d.label || `${fallback} ${i + 1}` }));
    this.cameras = of('videoinput', 'Camera');
    this.microphones = of('audioinput', 'Microphone');
    this.speakers = of('audiooutput', 'Speaker');
  }

  /** Hot-plug: drop choices that vanished (in memory: plugging the device back in restores them) and re-preview. */
  private async deviceChanged(): Promise<void> {
    const before = JSON.stringify([this.cameras, this.microphones, this.speakers]);
    await this.enumerate();
    const present = { camera: this.cameras, microphone: this.microphones, speaker: this.speakers };
    const stored = JSON.parse(readStorage(STORAGE_KEY) ?? '{}') as Partial<Record<DeviceKind, string>>;
    for (const kind of ['camera', 'microphone', 'speaker'] as const) {
      const want = stored[kind] ?? this.selected[kind];
      if (want && present[kind].some((d) => d.deviceId === want)) this.selected[kind] = want;
      else delete this.selected[kind];
    }
    if (before === JSON.stringify([this.cameras, this.microphones, this.speakers])) return;
    if (this.previewing) await this.startPreview();
    else this.onChange();
  }

  /** The live microphone level (RMS of the waveform), for the meter. */
  private meter(stream: MediaStream): void {
    const track = stream.getAudioTracks()[0];
    if (!track || typeof AudioContext === 'undefined') return;
    const context = new AudioContext();
    // Browsers start an AudioContext made without a user gesture suspended (autoplay policy), which would keep
    // the meter at zero: resume now if allowed, else at the user's first click or key press on the page.
    const resume = () => void context.resume().catch(() => undefined);
    if (context.state === 'suspended') {
      resume();
      for (const type of ['pointerdown', 'keydown']) document.addEventListener(type, resume, { once: true, capture: true });
    }
    const analyser = context.createAnalyser();
    analyser.fftSize = 512;
    context.createMediaStreamSource(new MediaStream([track])).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    const timer = setInterval(() => {
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const s of samples) sum += s * s;
      const level = Math.min(1, Math.sqrt(sum / samples.length) * 4);
      if (Math.abs(level - this.micLevel) < 0.02) return;
      this.micLevel = level;
      this.onChange();
    }, 100);
    this.audio = { context, timer, resume };
  }

  private release(): void {
    stopStream(this.preview);
    this.preview = undefined;
    if (this.audio) {
      clearInterval(this.audio.timer);
      for (const type of ['pointerdown', 'keydown']) document.removeEventListener(type, this.audio.resume, { capture: true });
      void this.audio.context.close().catch(() => undefined);
      this.audio = undefined;
    }
    this.micLevel = 0;
  }
}

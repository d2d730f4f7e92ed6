/**
 * Ringtone (incoming) and ringback (outgoing) synthesized with WebAudio: no audio files to host or download.
 * Ringtone: two alternating tones, 1 s on / 2 s off. Ringback: the North-American 440+480 Hz, 2 s on / 4 s off.
 */
export type Tone = 'ringtone' | 'ringback';

const PATTERNS: Record<Tone, { freqs: number[]; on: number; period: number; gain: number }> = {
  ringtone: { freqs: [880, 660], on: 1, period: 3, gain: 0.08 },
  ringback: { freqs: [440, 480], on: 2, period: 6, gain: 0.05 },
};

export class TonePlayer {
  private ctx: AudioContext | undefined;
  private stopCurrent: (() => void) | undefined;
  playing: Tone | undefined;

  play(tone: Tone): void {
    if (this.playing === tone) return;
    this.stop();
    const AudioCtx = globalThis.AudioContext;
    if (!AudioCtx) return;
    this.ctx ??= new AudioCtx();
    const ctx = this.ctx;
    void ctx.resume().catch(() => undefined); // may stay suspended without a user gesture: then it is silent
    const { freqs, on, period, gain } = PATTERNS[tone];
    const out = ctx.createGain();
    out.gain.value = 0;
    out.connect(ctx.destination);
    const oscillators = freqs.map((f) => {
      const o = ctx.createOscillator();
      o.frequency.value = f;
      o.connect(out);
      o.start();
      return o;
    });
    // Schedule the on/off envelope a minute ahead, re-scheduled while it keeps ringing.
    const schedule = (from: number) => {
      for (let t = from; t < from + 60; t += period) {
        out.gain.setValueAtTime(gain, t);
        out.gain.setValueAtTime(0, t + on);
      }
    };
    schedule(ctx.currentTime);
    const timer = setInterval(() => schedule(ctx.currentTime + 1), 55_000);
    this.playing = tone;
    this.stopCurrent = () => {
      clearInterval(timer);
      for (const o of oscillators) o.stop();
      out.disconnect();
    };
  }

  stop(): void {
    this.stopCurrent?.();
    this.stopCurrent = undefined;
    this.playing = undefined;
  }

  close(): void {
    this.stop();
    void this.ctx?.close().catch(() => undefined);
    this.ctx = undefined;
  }
}

/**
 * What a ring does besides the panel: ringtone or ringback, and the tab title ("☎ Incoming call from Bob") so
 * a call in a background tab is noticed. The title comes back when the ring ends.
 */
export class RingSignals {
  private readonly tones = new TonePlayer();
  private titleBefore: string | undefined;

  update(status: string, incomingTitle: string | undefined, muted: boolean): void {
    const tone: Tone | undefined = incomingTitle !== undefined ? 'ringtone' : status === 'outgoing' ? 'ringback' : undefined;
    if (tone && !muted) this.tones.play(tone);
    else this.tones.stop();
    if (incomingTitle !== undefined) {
      this.titleBefore ??= document.title;
      document.title = `☎ ${incomingTitle}`;
    } else this.restoreTitle();
  }

  private restoreTitle(): void {
    if (this.titleBefore === undefined) return;
    document.title = this.titleBefore;
    this.titleBefore = undefined;
  }

  close(): void {
    this.tones.close();
    this.restoreTitle();
  }
}

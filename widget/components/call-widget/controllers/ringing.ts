import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { CallEngine, CallStatus } from '../../../call/engine';
import { RingFocus } from './focus';
import { RingSignals } from './tones';

export interface RingingHost extends ReactiveControllerHost, HTMLElement {
  readonly state: CallStatus;
  readonly mutedTones: boolean;
}

/**
 * Everything a ring does besides the incoming screen: ringtone and ringback, the tab title, focus on "accept"
 * (and back), unless the page took over the incoming call (`call-incoming` cancelled): then it does nothing.
 */
export class Ringing implements ReactiveController {
  /** The page shows its own incoming-call UI for the current ring. */
  handledByPage = false;
  private readonly signals = new RingSignals();
  private readonly focus = new RingFocus();

  constructor(
    private readonly host: RingingHost,
    private readonly engine: () => CallEngine | undefined,
    /** "X is calling" in the widget's language (the tab title while it rings). */
    private readonly title: (caller: string) => string,
  ) {
    host.addController(this);
  }

  /** The call status changed: tones and title follow; a ring the page took over ends with the ring. */
  statusChanged(state: CallStatus): void {
    const s = this.engine()?.state;
    const caller = s?.status === 'incoming' && !this.handledByPage ? s.call.caller : undefined;
    this.signals.update(state, caller ? this.title(caller.name ?? caller.userId) : undefined, this.host.mutedTones);
    if (state !== 'incoming') this.handledByPage = false;
  }

  hostUpdated(): void {
    this.focus.update(this.host.state, this.host.shadowRoot);
  }

  /** The engine went away (replaced or the element removed): silence. */
  stop(): void {
    this.signals.close();
  }

  hostDisconnected(): void {
    this.stop();
  }
}

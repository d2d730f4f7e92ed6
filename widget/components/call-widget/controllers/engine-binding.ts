import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { CallEngine, CallStatus, ControllerEvent } from '../../../call/engine';
import { callEvent, domEventFor, incomingDetail } from '../events';
import type { LauncherController } from './launcher';
import type { Ringing } from './ringing';

export interface EngineBindingHost extends ReactiveControllerHost, HTMLElement {
  /** The reflected status attribute. */
  state: CallStatus;
  readonly mode: 'inline' | 'launcher';
}

/** What else reacts to the engine: the element's collaborators, each told what concerns it. */
export interface EngineReactions {
  ringing: Ringing;
  launcher: LauncherController;
  /** The token expires soon and the page did not take the renewal over. */
  renewToken(): void;
  /** The status changed (after ringing and launcher): auto-join when idle, grid state reset outside calls. */
  statusChanged(state: CallStatus): void;
}

/**
 * Binds the element to one engine at a time: subscribes, re-renders on every change (once a second during a
 * call, for the timer), reflects the status and turns engine events into the element's DOM events.
 */
export class EngineBinding implements ReactiveController {
  engine: CallEngine | undefined;
  private unsubscribe: (() => void) | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly host: EngineBindingHost,
    private readonly to: EngineReactions,
  ) {
    host.addController(this);
  }

  attach(engine: CallEngine): void {
    this.engine = engine;
    this.host.state = engine.status;
    this.unsubscribe = engine.subscribe((event) => this.onEvent(event));
    void engine.connect();
  }

  detach(): void {
    this.to.ringing.stop();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.engine?.disconnect();
    this.engine = undefined;
    clearInterval(this.timer);
    this.host.state = 'disconnected';
  }

  hostDisconnected(): void {
    this.detach();
  }

  private onEvent(event: ControllerEvent | undefined): void {
    this.host.requestUpdate();
    if (!event) return;
    switch (event.type) {
      case 'state-change': {
        const { state } = event;
        this.host.state = state;
        clearInterval(this.timer);
        if (state === 'in-call' || state === 'reconnecting') this.timer = setInterval(() => this.host.requestUpdate(), 1000);
        if (state === 'incoming' && this.host.mode === 'launcher' && !this.to.ringing.handledByPage) void this.to.launcher.show();
        this.to.ringing.statusChanged(state);
        this.to.statusChanged(state);
        this.host.dispatchEvent(callEvent('call-state-change', { state }));
        return;
      }
      case 'token-expiring':
        // Cancelable: a page that renews on its own calls preventDefault() and sets `token` when it has one.
        if (this.host.dispatchEvent(callEvent('call-token-expiring', { expiresAt: event.expiresAt }, { cancelable: true }))) this.to.renewToken();
        return;
      case 'incoming':
        // Cancelable: a page that shows its own incoming-call UI calls preventDefault() and then accept()/decline().
        this.to.ringing.handledByPage = !this.host.dispatchEvent(callEvent('call-incoming', incomingDetail(event.call), { cancelable: true }));
        return;
      default: {
        const dom = domEventFor(event, this.engine?.state);
        if (dom) this.host.dispatchEvent(dom);
      }
    }
  }
}

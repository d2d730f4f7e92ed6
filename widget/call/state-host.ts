import { type CallMachineEvent, type CallMachineState, type CallStatus, eventsOf, transition } from './call-machine';
import type { ControllerEvent } from './engine';

export type { ControllerEvent } from './engine';

/**
 * Holds an engine's call state and its listeners: every change goes through the pure `transition`, and the
 * public events are derived from the before/after states. The real controller and the simulator share it.
 */
export class CallStateHost {
  private readonly listeners = new Set<(event: ControllerEvent | undefined) => void>();

  constructor(public state: CallMachineState) {}

  /** Listener gets every event, and `undefined` for a plain re-render (media changed). */
  subscribe(listener: (event: ControllerEvent | undefined) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get status(): CallStatus {
    return this.state.status;
  }

  /** Applies `event`; false when the machine ignored it (same state). */
  protected dispatch(event: CallMachineEvent): boolean {
    const prev = this.state;
    const next = transition(prev, event);
    if (next === prev) return false;
    this.state = next;
    for (const e of eventsOf(prev, next)) this.emit(e);
    if (next.status === prev.status) this.emit(undefined);
    return true;
  }

  protected emit(event: ControllerEvent | undefined): void {
    for (const l of this.listeners) l(event);
  }
}

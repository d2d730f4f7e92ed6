/**
 * On ring, focus moves to "accept" (keyboard users answer with Enter); when the ring ends without answering it
 * returns where it was; once connected it lands on "hang up", and when the call ends on "close".
 */
export class RingFocus {
  private before: HTMLElement | undefined;
  private status: string | undefined;

  update(status: string, root: ShadowRoot | null): void {
    if (status === this.status) return;
    const previous = this.status;
    this.status = status;
    if (status === 'incoming') {
      let active = document.activeElement as HTMLElement | null;
      while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement as HTMLElement;
      this.before = active ?? undefined;
      root?.querySelector<HTMLElement>('[part~="accept"]')?.focus();
    } else if (previous === 'incoming' && status !== 'joining') {
      this.before?.focus();
      this.before = undefined;
    } else if (previous === 'joining' && status === 'in-call') {
      root?.querySelector<HTMLElement>('[part~="hangup"]')?.focus();
    } else if ((status === 'ended' || status === 'error') && (document.activeElement === document.body || document.activeElement === root?.host)) {
      // The focused button (hang up, cancel) just disappeared and the focus fell to the page: keep it in the
      // panel, on "close". Focus the user put elsewhere on the page is left alone.
      if (previous === 'in-call' || previous === 'outgoing' || previous === 'joining') root?.querySelector<HTMLElement>('[part~="dismiss"]')?.focus();
    }
  }
}

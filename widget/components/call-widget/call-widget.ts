import { CallWidget } from './call-widget.component';

export { CallWidget };

// Guarded so two copies of the bundle on one page (or a re-run script) do not throw.
if (!customElements.get('call-widget')) customElements.define('call-widget', CallWidget);

declare global {
  interface HTMLElementTagNameMap {
    'call-widget': CallWidget;
  }
}

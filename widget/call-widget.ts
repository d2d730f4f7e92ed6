/**
 * The composition root of the element: <call-widget> with its real engine (CallController). Entry points
 * (index.ts, script-tag.ts), the demo and the component tests import the element from here; the element's
 * own modules (components/) know the engine only by its contract (call/engine.ts).
 */
import { CallController } from './call/call-controller';
import { CallWidget } from './components/call-widget/call-widget.component';

export { CallWidget };

CallWidget.createEngine = (options) => new CallController(options);

// Guarded so two copies of the bundle on one page (or a re-run script) do not throw.
if (!customElements.get('call-widget')) customElements.define('call-widget', CallWidget);

declare global {
  interface HTMLElementTagNameMap {
    'call-widget': CallWidget;
  }
}

// `import type {} from 'call-widget/jsx'`: types <call-widget> in React 19 TSX. React 19 sets the element's
// properties (token, tokenUrl, room, ...) and attaches `on<event-name>` props as event listeners.
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type { CallWidget, CallWidgetProperties, CallWidgetReactEvents } from './dist/index.js';

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'call-widget': DetailedHTMLProps<HTMLAttributes<CallWidget>, CallWidget> & CallWidgetProperties & CallWidgetReactEvents;
    }
  }
}

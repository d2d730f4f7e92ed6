import type { CallWidget } from './call-widget.component';
import type { CallWidgetEventMap } from './events';

/**
 * What a framework may set on `<call-widget>`: React 19 and Vue set properties (camelCase) on custom elements;
 * the kebab-case attributes work as well. Typed from the element itself, so it cannot drift.
 */
export type CallWidgetProperties = Partial<
  Pick<
    CallWidget,
    | 'server'
    | 'token'
    | 'tokenUrl'
    | 'environment'
    | 'iceTransportPolicy'
    | 'room'
    | 'roomKind'
    | 'layout'
    | 'pageSize'
    | 'videoResolution'
    | 'language'
    | 'theme'
    | 'strings'
    | 'mode'
    | 'position'
    | 'mutedTones'
    | 'reconnectGrace'
    | 'prejoin'
  >
>;

/** React 19 attaches a listener for a prop named `on` + the event's exact name (`oncall-ended`). */
export type CallWidgetReactEvents = { [K in keyof CallWidgetEventMap as `on${K}`]?: (event: CallWidgetEventMap[K]) => void };

type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;

/** Vue's template checker maps `@call-ended` to a prop `onCallEnded`. */
export type CallWidgetVueEvents = { [K in keyof CallWidgetEventMap as `on${Capitalize<CamelCase<K>>}`]?: (event: CallWidgetEventMap[K]) => void };

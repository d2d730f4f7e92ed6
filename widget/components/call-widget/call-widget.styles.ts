import { css } from 'lit';

/** The light palette, used by theme="light" and by theme="auto" when the system is light. */
const LIGHT_PALETTE = css`
    --_bg: var(--call-widget-background, #ffffff);
    --_fg: var(--call-widget-foreground, #14161a);
    --_muted: var(--call-widget-muted, #5b6270);
    --_accent: var(--call-widget-accent, #1f5fd6);
    --_danger: var(--call-widget-danger, #c62828);
    --_success: var(--call-widget-success, #18794e);
    --_surface: var(--call-widget-surface, #eef0f3);
`;

export const callWidgetStyles = css`
  :host {
    --_bg: var(--call-widget-background, #0f1115);
    --_fg: var(--call-widget-foreground, #f4f5f7);
    --_muted: var(--call-widget-muted, #9aa0aa);
    --_accent: var(--call-widget-accent, #2f6fed);
    --_danger: var(--call-widget-danger, #d93a3a);
    --_success: var(--call-widget-success, #18794e);
    --_surface: var(--call-widget-surface, #1b1e25);
    --_radius: var(--call-widget-radius, 12px);
    --_gap: var(--call-widget-spacing, 12px);
    display: flex;
    flex-direction: column;
    position: relative;
    box-sizing: border-box;
    min-width: 0;
    min-height: 320px;
    container: call-widget / inline-size;
    font-family: var(--call-widget-font, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    color: var(--_fg);
    background: var(--_bg);
    border-radius: var(--_radius);
    overflow: hidden;
    contain: content;
  }
  :host([theme='light']) {
    ${LIGHT_PALETTE}
  }
  @media (prefers-color-scheme: light) {
    :host([theme='auto']) {
      ${LIGHT_PALETTE}
    }
  }
  :host([hidden]) { display: none; }
  /* Launcher: the host takes no space; a round button sits in a corner and the panel floats next to it. */
  :host([mode='launcher']) { position: fixed; inset: auto; width: 0; height: 0; min-width: 0; min-height: 0; background: none; overflow: visible; contain: none; container-type: normal; z-index: var(--call-widget-z-index, 2147483000); }
  [part~='launcher'] { position: fixed; width: 60px; height: 60px; border-radius: 50%; display: grid; place-items: center; background: var(--_accent); box-shadow: 0 6px 20px rgb(0 0 0 / 30%); padding: 0; }
  :host([position='bottom-right']) [part~='launcher'], :host(:not([position])) [part~='launcher'] { right: 20px; bottom: 20px; }
  :host([position='bottom-left']) [part~='launcher'] { left: 20px; bottom: 20px; }
  :host([position='top-right']) [part~='launcher'] { right: 20px; top: 20px; }
  :host([position='top-left']) [part~='launcher'] { left: 20px; top: 20px; }
  [part~='launcher'].ringing { background: var(--_success); }
  :host([mode='launcher']) [part~='panel'] { position: fixed; top: 0; left: 0; width: 380px; height: 540px; background: var(--_bg); border-radius: var(--_radius); box-shadow: 0 12px 40px rgb(0 0 0 / 35%); }
  [part~='panel'][hidden] { display: none; }
  *, *::before, *::after { box-sizing: inherit; }
  [part~='panel'] { flex: 1; display: flex; flex-direction: column; gap: var(--_gap); padding: var(--_gap); min-height: 0; }
  /* The idle screen can be taller than the widget (pre-join + dialer + recent calls): it scrolls. Only then:
     a scroll container around call videos costs compositing work. */
  [part~='panel']:has([part~='prejoin'], [part~='recent-calls']) { overflow-y: auto; }
  [part~='status'] { margin: 0; font-size: 1.05rem; font-weight: 600; }
  .center { flex: 1; display: flex; flex-direction: column; align-items: center; justify-content: center; gap: var(--_gap); text-align: center; }
  .hint { color: var(--_muted); font-size: 0.9rem; margin: 0; }
  form { display: flex; flex-direction: column; gap: 8px; }
  label { font-size: 0.9rem; color: var(--_muted); }
  input { font: inherit; padding: 10px; border-radius: 8px; border: 1px solid var(--_muted); background: var(--_surface); color: var(--_fg); }
  .row { display: flex; gap: 8px; flex-wrap: wrap; justify-content: center; }
  button {
    font: inherit; cursor: pointer; border: 0; border-radius: 999px; padding: 10px 16px; color: #fff; background: #3a3f4a;
    min-height: 44px;
  }
  button:focus-visible, input:focus-visible { outline: 3px solid var(--_accent); outline-offset: 2px; }
  button[data-kind='primary'] { background: var(--_accent); }
  button[data-kind='accept'] { background: var(--_success); }
  button[data-kind='danger'] { background: var(--_danger); }
  button[aria-pressed='true'] { background: #5b616e; }
  [part~='stage'] { position: relative; flex: 1; display: flex; flex-direction: column; gap: 8px; min-height: 160px; overflow: hidden; }
  [part~='spotlight'] { flex: 3; display: grid; min-height: 0; }
  [part~='grid'] {
    position: relative; flex: 1; display: grid; gap: 8px; min-height: 0; overflow: hidden;
    grid-template-columns: repeat(auto-fit, minmax(min(120px, 100%), 1fr)); grid-auto-rows: minmax(0, 1fr);
  }
  [part~='strip'] { flex: 1; grid-template-columns: repeat(4, minmax(0, 1fr)); }
  [part~='tile'][data-speaking='true'] { outline: 3px solid var(--_success); outline-offset: -3px; }
  [part~='pager'] { display: flex; gap: 8px; align-items: center; justify-content: center; }
  [part~='pager'] button { min-height: 32px; padding: 4px 12px; }
  .tile-menu { position: absolute; top: 6px; inset-inline-end: 6px; z-index: 1; color: #fff; }
  .tile-menu summary { list-style: none; cursor: pointer; background: rgb(0 0 0 / 55%); border-radius: 6px; padding: 0 8px; }
  .tile-menu summary::-webkit-details-marker { display: none; }
  .tile-menu .menu { display: flex; flex-direction: column; gap: 4px; margin-top: 4px; background: var(--_surface); padding: 6px; border-radius: 8px; }
  .tile-menu .menu button { min-height: 32px; padding: 4px 10px; border-radius: 6px; font-size: 0.85rem; }
  [part~='invite'] input { flex: 1; min-width: 0; padding: 6px 10px; }
  [part~='invite'] button { min-height: 36px; padding: 6px 12px; }
  [part~='tile'] { position: relative; background: #000; border-radius: 8px; overflow: hidden; min-height: 0; }
  [part~='tile'] video { position: absolute; inset: 0; width: 100%; height: 100%; object-fit: cover; display: block; }
  [part~='controls'] { position: relative; z-index: 2; }
  .label { position: absolute; inset-inline-start: 8px; bottom: 8px; color: #fff; background: rgb(0 0 0 / 55%); padding: 2px 8px; border-radius: 6px; font-size: 0.85rem; display: flex; gap: 6px; align-items: center; }
  .avatar { position: absolute; inset: 0; display: grid; place-items: center; font-size: 2rem; color: var(--_muted); }
  [part~='local-tile'] { position: absolute; inset-inline-end: 8px; bottom: 8px; width: 28%; min-width: 96px; aspect-ratio: 16 / 9; border-radius: 8px; overflow: hidden; background: #222; border: 2px solid rgb(255 255 255 / 30%); z-index: 1; }
  [part~='local-tile'] video { width: 100%; height: 100%; object-fit: cover; transform: scaleX(-1); }
  [part~='controls'] { display: flex; gap: 8px; justify-content: center; align-items: center; flex-wrap: wrap; }
  [part~='timer'] { font-variant-numeric: tabular-nums; color: var(--_muted); }
  [part~='reconnecting'], [part~='network-warning'] {
    display: flex; gap: 8px; align-items: center; justify-content: center; padding: 6px 12px; border-radius: 8px;
    background: var(--call-widget-warning-background, #8a5a00); color: var(--call-widget-warning-foreground, #fff); font-size: 0.9rem; font-weight: 600;
  }
  [part~='prejoin'] { position: relative; display: flex; flex-direction: column; gap: 8px; }
  [part~='preview-tile'] {
    position: relative; align-self: center; height: min(32vh, 200px); max-width: 100%; aspect-ratio: var(--call-widget-tile-aspect, 16 / 9);
    flex: none; border-radius: 8px; overflow: hidden; background: #000;
  }
  [part~='preview-video'] { width: 100%; height: 100%; object-fit: cover; transform: scaleX(-1); display: block; }
  [part~='mic-meter'] { flex: 1; min-width: 80px; height: 8px; border-radius: 999px; background: var(--_surface); overflow: hidden; align-self: center; }
  [part~='mic-meter'] span { display: block; height: 100%; background: var(--_success); transition: inline-size 0.1s linear; }
  [part~='device-menu'] {
    position: absolute; z-index: 3; display: flex; flex-direction: column; gap: 8px; padding: 12px; min-width: 240px; max-width: 100%;
    background: var(--_bg); color: var(--_fg); border: 1px solid var(--_muted); border-radius: 10px; box-shadow: 0 8px 24px rgb(0 0 0 / 35%);
  }
  [part~='device-menu'] label { display: flex; flex-direction: column; gap: 4px; }
  select { font: inherit; padding: 8px; border-radius: 8px; border: 1px solid var(--_muted); background: var(--_surface); color: var(--_fg); }
  select:focus-visible { outline: 3px solid var(--_accent); outline-offset: 2px; }
  [part~='recent'] { display: flex; flex-direction: column; gap: 8px; min-height: 0; }
  [part~='recent-toggle'] { align-self: center; background: var(--_surface); color: var(--_fg); }
  [part~='missed-badge'] {
    display: inline-grid; place-items: center; min-width: 1.4em; height: 1.4em; padding: 0 0.35em; margin-inline-start: 6px;
    border-radius: 999px; background: var(--_danger); color: #fff; font-size: 0.8rem; font-weight: 700;
  }
  [part~='recent-calls'] { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 6px; overflow: auto; }
  [part~='recent-call'] { display: grid; grid-template-columns: 1fr auto; gap: 2px 8px; align-items: center; padding: 6px 10px; border-radius: 8px; background: var(--_surface); }
  [part~='recent-call'] .who { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  [part~='recent-call'][data-missed='true'] { border-inline-start: 4px solid var(--_danger); }
  [part~='recent-call'] .hint { grid-column: 1; }
  [part~='recent-call'] [part~='call-back'] { grid-column: 2; grid-row: 1 / span 2; min-height: 36px; padding: 6px 12px; }
  /* Over the stage, not above it: appearing and going away must not move the call's controls. */
  [part~='network-warning'] { position: absolute; z-index: 2; top: 8px; inset-inline: 0; margin-inline: auto; width: max-content; max-width: calc(100% - 16px); }
  .spinner { width: 12px; height: 12px; border-radius: 50%; border: 2px solid currentColor; border-right-color: transparent; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  .sr-only:focus { position: static; width: auto; height: auto; clip: auto; }
  /* Narrow containers (down to 320 px wide): tighter spacing and smaller buttons, two-column strips. */
  @container call-widget (max-width: 400px) {
    [part~='panel'] { padding: 8px; gap: 8px; }
    button { padding: 8px 12px; font-size: 0.9rem; min-height: 40px; }
    [part~='strip'] { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  }
  @media (prefers-reduced-motion: no-preference) {
    .pulse, [part~='launcher'].ringing { animation: pulse 1.4s ease-in-out infinite; }
    @keyframes pulse { 50% { opacity: 0.5; } }
    .spinner { animation: spin 0.9s linear infinite; }
    @keyframes spin { to { transform: rotate(1turn); } }
  }
`;

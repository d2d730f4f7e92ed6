import { CallWidget } from './components/call-widget/call-widget.component';

// The script-tag bundle is served by the call-widget server itself, so where it came from is the server and the
// `server` attribute may be omitted. (Bundled into an app, there is no such default: see CallWidget.defaultServer.)
CallWidget.defaultServer = new URL(import.meta.url).origin;

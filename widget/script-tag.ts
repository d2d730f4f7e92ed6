/** Script-tag entry (`/widget.js`): defines <call-widget>; mediasoup-client loads only when a call starts. */
import './components/call-widget/call-widget';

/** Script-tag entry (`/widget.js`): defines <call-widget>; mediasoup-client loads only when a call starts. */
// First: elements already in the page upgrade (and connect) the moment the element is defined, so the default
// server must be known before the define in the second import runs. Imports evaluate in order.
import './script-tag-server';
import './call-widget';

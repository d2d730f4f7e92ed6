/**
 * Stand-ins for mediasoup-client handlers the script-tag bundle leaves out (vite aliases, see vite.config.ts):
 * React Native never runs a web page, and Chromium 74–110 (before March 2023) is past our browser support.
 * Each real handler is ~36 KB of the media chunk. Device picks a handler per browser, so on those browsers
 * creating it fails with this message, which the widget shows as a call error.
 */
function unsupported(what: string) {
  return {
    createFactory(): never {
      throw new Error(`${what} is not supported by <call-widget>; use a current Chrome, Edge, Firefox or Safari`);
    },
  };
}

export const ReactNative106 = unsupported('React Native');
export const Chrome74 = unsupported('Chromium before version 111');

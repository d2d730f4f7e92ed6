import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

/**
 * Minifies the CSS inside lit `css` templates (*.styles.ts): comments out, whitespace collapsed. Lit ships the
 * text as written and vite does not touch template literals, so this is ~25 % of the stylesheet's bytes.
 */
function minifyLitCss(): Plugin {
  return {
    name: 'minify-lit-css',
    transform(code, id) {
      if (!id.endsWith('.styles.ts')) return undefined;
      return code.replace(/css`([^`]*)`/g, (_m, body: string) => {
        const css = body
          .replace(/\/\*[\s\S]*?\*\//g, '')
          .replace(/\s+/g, ' ')
          .replace(/\s*([{};,>])\s*/g, '$1')
          .replace(/:\s+/g, ':') // "prop: value" (a selector never has a space after its colon)
          .replace(/;}/g, '}')
          .trim();
        return `css\`${css}\``;
      });
    },
  };
}

/**
 * `vite build`            → widget/dist/call-widget.js (script-tag ES module, self-contained; media client in widget/dist/chunks/)
 * `vite build --mode lib` → widget/dist/lib/ (npm package entry; lit, mediasoup-client and floating-ui stay external)
 */
export default defineConfig(({ mode }) => {
  if (mode === 'lib') {
    return {
      build: {
        outDir: 'widget/dist/lib',
        emptyOutDir: true,
        sourcemap: true,
        lib: { entry: 'widget/index.ts', formats: ['es'], fileName: () => 'index.js' },
        rollupOptions: { external: [/^lit/, /^@lit\//, 'mediasoup-client', /^@floating-ui\//] },
      },
    };
  }
  if (mode === 'demo') {
    // The stories page: `vite --mode demo` serves it standalone (no server); `vite build --mode demo` → dist/demo.
    return {
      root: 'demo',
      base: './',
      build: { outDir: '../dist/demo', emptyOutDir: true, rollupOptions: { input: 'demo/index.html' } },
    };
  }
  // Not library mode: library ES builds keep whitespace; this entry is for browsers, so minify it fully.
  return {
    base: './', // chunks load relative to wherever call-widget.js is served from
    plugins: [minifyLitCss()],
    resolve: {
      alias: [
        // mediasoup-client's index also bundles its test FakeHandler (and fake-mediastreamtrack); the widget only
        // needs Device, so the script-tag build takes it from its own module. `debug` → a no-op (see the stub).
        { find: /^mediasoup-client$/, replacement: fileURLToPath(new URL('./node_modules/mediasoup-client/lib/Device.js', import.meta.url)) },
        { find: /^debug$/, replacement: fileURLToPath(new URL('./widget/call/debug-stub.ts', import.meta.url)) },
        // Handlers we do not ship: React Native (never a web page) and Chromium before 111 (see the module).
        { find: /^\.\/handlers\/(ReactNative106|Chrome74)$/, replacement: fileURLToPath(new URL('./widget/call/unsupported-handlers.ts', import.meta.url)) },
      ],
    },
    build: {
      outDir: 'widget/dist',
      emptyOutDir: false,
      target: 'es2022',
      minify: true,
      modulePreload: false,
      copyPublicDir: false,
      rollupOptions: {
        input: 'widget/script-tag.ts',
        preserveEntrySignatures: 'strict',
        // mediasoup-client's log calls go to the no-op `debug` stub: drop them and their message strings.
        treeshake: { manualPureFunctions: ['logger.debug', 'logger.warn', 'logger.error'] },
        output: { entryFileNames: 'call-widget.js', chunkFileNames: 'chunks/[name]-[hash].js', format: 'es' },
      },
    },
  };
});

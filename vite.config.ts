import { defineConfig } from 'vite';

/**
 * `vite build`            → dist/call-widget.js (script-tag ES module, self-contained; media client in dist/chunks/)
 * `vite build --mode lib` → dist/lib/ (npm package entry; lit, mediasoup-client and floating-ui stay external)
 */
export default defineConfig(({ mode }) => {
  if (mode === 'lib') {
    return {
      build: {
        outDir: 'dist/lib',
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
    build: {
      outDir: 'dist',
      emptyOutDir: false,
      target: 'es2022',
      minify: true,
      modulePreload: false,
      copyPublicDir: false,
      rollupOptions: {
        input: 'widget/script-tag.ts',
        preserveEntrySignatures: 'strict',
        output: { entryFileNames: 'call-widget.js', chunkFileNames: 'chunks/[name]-[hash].js', format: 'es' },
      },
    },
  };
});

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
  return {
    build: {
      outDir: 'dist',
      emptyOutDir: false,
      target: 'es2022',
      minify: true,
      lib: { entry: 'widget/script-tag.ts', formats: ['es'], fileName: () => 'call-widget.js' },
      rollupOptions: { output: { chunkFileNames: 'chunks/[name]-[hash].js' } },
    },
  };
});

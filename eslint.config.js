import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'widget/dist/**', 'widget/custom-elements.json', 'node_modules/**', 'data/**', 'coverage/**', 'custom-elements.json'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        window: 'readonly', document: 'readonly', navigator: 'readonly', console: 'readonly', process: 'readonly',
        setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly',
        setImmediate: 'readonly', URL: 'readonly', Buffer: 'readonly', customElements: 'readonly', WebSocket: 'readonly',
        MediaStream: 'readonly', HTMLElement: 'readonly', requestAnimationFrame: 'readonly', fetch: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      // `interface GlobalEventHandlersEventMap extends CallWidgetEventMap {}` is how event maps are merged.
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
    },
  },
  {
    // Layering rules from the brief: the engine never imports lit; components never import mediasoup-client;
    // only server/media imports mediasoup; the domain never imports fastify or ws.
    files: ['widget/call/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['lit', 'lit/*', '@lit/*'], message: 'widget/call is the engine: no lit here.' }] }] },
  },
  {
    files: ['widget/components/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['mediasoup-client', 'mediasoup-client/*'], message: 'components render state; media lives in widget/call.' }] }] },
  },
  {
    files: ['server/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    ignores: ['server/media/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['mediasoup', 'mediasoup/*'], message: 'only server/media may import mediasoup.' }] }] },
  },
  {
    files: ['server/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['fastify', 'fastify/*', '@fastify/*', 'ws'], message: 'server/domain has no transport code.' },
        { group: ['mediasoup', 'mediasoup/*'], message: 'only server/media may import mediasoup.' },
      ] }],
    },
  },
);

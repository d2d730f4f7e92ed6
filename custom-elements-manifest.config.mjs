// `npm run manifest` → custom-elements.json: the element's public API (attributes, properties, methods,
// events, slots, CSS parts and custom properties) read from its class and JSDoc header.
export default {
  globs: ['widget/components/**/*.component.ts', 'widget/components/**/events.ts'],
  exclude: ['**/*.test.ts'],
  outdir: 'widget',
  litelement: true,
};

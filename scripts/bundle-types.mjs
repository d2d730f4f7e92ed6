#!/usr/bin/env node
// widget/dist/index.d.ts: the widget package's declarations as one file. tsc emits one .d.ts per source file
// (dist/types); the protocol's message types are TypeBox `Static<>` types, which would make the published types
// import `typebox` — a package the widget neither depends on nor needs at run time. rollup-plugin-dts inlines
// those types and keeps only the widget's real dependencies (lit, mediasoup-client, floating-ui) as imports.
import { rollup } from 'rollup';
import { dts } from 'rollup-plugin-dts';

const KEEP_EXTERNAL = [/^lit($|\/)/, /^@lit\//, /^mediasoup-client($|\/)/, /^@floating-ui\//];

const bundle = await rollup({
  input: 'dist/types/widget/index.d.ts',
  external: (id) => KEEP_EXTERNAL.some((re) => re.test(id)),
  plugins: [dts({ respectExternal: true })],
  onwarn(warning, warn) {
    if (warning.code !== 'CIRCULAR_DEPENDENCY') warn(warning);
  },
});
await bundle.write({ file: 'widget/dist/index.d.ts', format: 'es' });
await bundle.close();

// Bundle size: what a page view loads (the script-tag entry) and everything including the lazy media chunk,
// raw / gzip / brotli, with a per-package breakdown. Exits non-zero above the 70 KB gzip budget in total.
// Run `npm run build` first (npm run bench:size does).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { saveResult } from './lib';

const BUDGET_GZIP_TOTAL = 70 * 1024;
const dist = join(import.meta.dirname, '..', 'widget', 'dist');

function sizes(buf: Buffer) {
  return { raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length, brotli: brotliCompressSync(buf).length };
}

const entry = readFileSync(join(dist, 'call-widget.js'));
const chunks = readdirSync(join(dist, 'chunks')).filter((f) => f.endsWith('.js')).map((f) => join(dist, 'chunks', f));
const all = Buffer.concat([entry, ...chunks.map((f) => readFileSync(f))]);
const files = [{ file: 'call-widget.js', ...sizes(entry) }, ...chunks.map((f) => ({ file: relative(dist, f), ...sizes(readFileSync(f)) }))];
/**
 * What a page view fetches at once: the entry and every chunk it imports statically (shared code the bundler
 * split out of the entry because a lazy chunk uses it too), each file compressed on its own as it is served.
 */
function staticImports(file: string, seen = new Set<string>()): string[] {
  if (seen.has(file)) return [];
  seen.add(file);
  const code = readFileSync(file, 'utf8');
  const imported = [...code.matchAll(/(?:^|[;}\s])import\s*(?:[^'"()]*?from\s*)?["']([^"']+)["']/g)].map((m) => join(file, '..', m[1]!));
  return [file, ...imported.flatMap((f) => staticImports(f, seen))];
}
const pageViewFiles = staticImports(join(dist, 'call-widget.js'));
const sum = (parts: { raw: number; gzip: number; brotli: number }[]) => parts.reduce((a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip, brotli: a.brotli + b.brotli }), { raw: 0, gzip: 0, brotli: 0 });

// Which packages the bytes come from: esbuild's metafile of the same entry with code splitting, minified —
// the entry output is the page view, the split outputs are the lazy chunk(s).
async function breakdown(): Promise<{ pageView: Record<string, number>; lazyChunks: Record<string, number> }> {
  const result = await build({
    entryPoints: ['widget/script-tag.ts'], bundle: true, splitting: true, outdir: 'bench-size-out', minify: true, format: 'esm',
    write: false, metafile: true, logLevel: 'silent', platform: 'browser', target: 'es2022', tsconfig: 'tsconfig.json',
  });
  const pageView: Record<string, number> = {};
  const lazyChunks: Record<string, number> = {};
  for (const output of Object.values(result.metafile.outputs)) {
    const into = output.entryPoint === 'widget/script-tag.ts' ? pageView : lazyChunks;
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const key = m ? m[1]! : 'call-widget (own code)';
      into[key] = (into[key] ?? 0) + bytesInOutput;
    }
  }
  const sorted = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]));
  return { pageView: sorted(pageView), lazyChunks: sorted(lazyChunks) };
}

const pageView = sum(pageViewFiles.map((f) => sizes(readFileSync(f))));
const total = sizes(all);
const result = {
  pageViewFiles: pageViewFiles.map((f) => relative(dist, f)),
  method: 'widget/dist/ after `npm run build` (vite 8, minified); page view = call-widget.js and the chunks it imports statically, each compressed as served; gzip level 9 and brotli (default quality) via node:zlib; breakdown: esbuild metafile of the same entries (minified bytes before compression; it does not apply the aliases of the script-tag build, so the debug, fake-mediastreamtrack and left-out handlers still show there)',
  summary: { pageView, total, budgetGzipTotal: BUDGET_GZIP_TOTAL },
  files,
  breakdown: await breakdown(),
};
saveResult('size', result);
console.log(`page view: ${(pageView.gzip / 1024).toFixed(1)} KB gzip, everything: ${(total.gzip / 1024).toFixed(1)} KB gzip (budget ${BUDGET_GZIP_TOTAL / 1024} KB)`);
if (total.gzip > BUDGET_GZIP_TOTAL) {
  console.error(`bundle size over budget: ${total.gzip} > ${BUDGET_GZIP_TOTAL} bytes gzip`);
  process.exit(1);
}

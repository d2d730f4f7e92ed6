// Bundle size: what a page view loads (the script-tag entry) and everything including the lazy media chunk,
// raw / gzip / brotli, with a per-package breakdown. Exits non-zero above the 70 KB gzip budget in total.
// Run `npm run build` first (npm run bench:size does).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { saveResult } from './lib';

const BUDGET_GZIP_TOTAL = 70 * 1024;
const dist = join(import.meta.dirname, '..', 'dist');

function sizes(buf: Buffer) {
  return { raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length, brotli: brotliCompressSync(buf).length };
}

const entry = readFileSync(join(dist, 'call-widget.js'));
const chunks = readdirSync(join(dist, 'chunks')).filter((f) => f.endsWith('.js')).map((f) => join(dist, 'chunks', f));
const all = Buffer.concat([entry, ...chunks.map((f) => readFileSync(f))]);
const files = [{ file: 'call-widget.js', ...sizes(entry) }, ...chunks.map((f) => ({ file: relative(dist, f), ...sizes(readFileSync(f)) }))];

// Which packages the bytes come from: esbuild's metafile of the same entries, minified.
async function breakdown(entryPoint: string): Promise<Record<string, number>> {
  const result = await build({ entryPoints: [entryPoint], bundle: true, minify: true, format: 'esm', write: false, metafile: true, logLevel: 'silent', platform: 'browser', target: 'es2022', tsconfig: 'tsconfig.json' });
  const byPackage: Record<string, number> = {};
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const key = m ? m[1]! : 'call-widget (own code)';
      byPackage[key] = (byPackage[key] ?? 0) + bytesInOutput;
    }
  }
  return Object.fromEntries(Object.entries(byPackage).sort((a, b) => b[1] - a[1]));
}

const pageView = sizes(entry);
const total = sizes(all);
const result = {
  method: 'dist/ after `npm run build` (vite 8, minified); gzip level 9 and brotli (default quality) via node:zlib; breakdown: esbuild metafile of the same entries (minified bytes before compression)',
  summary: { pageView, total, budgetGzipTotal: BUDGET_GZIP_TOTAL },
  files,
  breakdown: { pageView: await breakdown('widget/script-tag.ts'), mediaChunk: await breakdown('widget/call/media-client.ts') },
};
saveResult('size', result);
console.log(`page view: ${(pageView.gzip / 1024).toFixed(1)} KB gzip, everything: ${(total.gzip / 1024).toFixed(1)} KB gzip (budget ${BUDGET_GZIP_TOTAL / 1024} KB)`);
if (total.gzip > BUDGET_GZIP_TOTAL) {
  console.error(`bundle size over budget: ${total.gzip} > ${BUDGET_GZIP_TOTAL} bytes gzip`);
  process.exit(1);
}

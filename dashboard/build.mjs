#!/usr/bin/env node
// Bundles the dashboard (src/app.mjs, with preact, uPlot and @polkadot/api from the shared client)
// into dist/ with esbuild: one script, one stylesheet, index.html. Static files only.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

export async function buildDashboard({ quiet = false } = {}) {
  const started = Date.now();
  rmSync(here('dist'), { recursive: true, force: true });
  mkdirSync(here('dist'), { recursive: true });
  const result = await build({
    entryPoints: [here('src/app.mjs')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome120', 'firefox120', 'safari16'],
    minify: true,
    sourcemap: true,
    outfile: here('dist/app.js'),
    metafile: true,
    logLevel: quiet ? 'error' : 'warning',
    // @polkadot/x-global and friends test for `process`; the browser has none.
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  copyFileSync(here('index.html'), here('dist/index.html'));
  copyFileSync(here('node_modules/uplot/dist/uPlot.min.css'), here('dist/uPlot.min.css'));
  copyFileSync(here('src/style.css'), here('dist/style.css'));
  const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
  if (!quiet) console.log(`[dashboard] built dist/ in ${Date.now() - started} ms (${Math.round(bytes / 1024)} KiB with source map)`);
  return here('dist');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildDashboard().catch((e) => { console.error(e.message ?? e); process.exit(1); });
}

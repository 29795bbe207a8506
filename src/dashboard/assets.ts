/**
 * The browser side: src/dashboard/ui/main.ts bundled with esbuild in memory when the dashboard
 * starts (one bundle, Preact included, no build step to forget), the stylesheet, and the HTML
 * shell every page route answers with.
 */
import { readFile } from 'node:fs/promises';
import { build } from 'esbuild';

export interface Assets {
  script: string;
  style: string;
  shell: string;
}

const here = new URL('./ui/', import.meta.url);

export async function buildAssets(): Promise<Assets> {
  const result = await build({
    entryPoints: [new URL('main.ts', here).pathname],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const script = result.outputFiles[0]?.text;
  if (!script) throw new Error('bundling the dashboard UI produced no output');
  const style = await readFile(new URL('app.css', here), 'utf8');
  return { script, style, shell: SHELL };
}

const SHELL = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Shipyard dashboard</title>
<link rel="stylesheet" href="/assets/app.css">
<script type="module" src="/assets/app.js"></script>
</head>
<body>
<div id="app"><p class="boot">Loading the Shipyard dashboard…</p><noscript>The dashboard needs JavaScript. The same information is available from <code>shipyard plan</code>, <code>shipyard state show</code> and <code>shipyard domains check</code>.</noscript></div>
</body>
</html>
`;

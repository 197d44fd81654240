// Builds the web console into one folder the gateway embeds (Maven passes target/classes/console).
//   node build.mjs [outdir]
// 1. `npm ci` when node_modules is missing or older than package-lock.json (the lock file is committed).
// 2. esbuild bundles src/main.tsx (Preact) and its CSS into assets/<name>-<hash>.js|css.
// 3. index.html, the web manifest, PNG icons and the service worker are written around those names.
// 4. files.txt lists every file, for the gateway (ConsoleAssets reads exactly these).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pngIcon } from './tools/icon.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(process.argv[2] || path.join(here, 'dist'));

function ensureDependencies() {
  const marker = path.join(here, 'node_modules', '.package-lock.json');
  const lock = path.join(here, 'package-lock.json');
  if (fs.existsSync(marker) && fs.statSync(marker).mtimeMs >= fs.statSync(lock).mtimeMs) return;
  console.log('console: npm ci (node_modules missing or older than package-lock.json)');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: here, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('console: npm ci failed; the console needs Node 18+ and npm with access to the npm registry.');
    process.exit(1);
  }
}

ensureDependencies();
const esbuild = await import('esbuild');

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(path.join(out, 'assets'), { recursive: true });

const result = await esbuild.build({
  absWorkingDir: here,
  entryPoints: ['src/main.tsx'],
  bundle: true,
  minify: true,
  sourcemap: false,
  format: 'esm',
  target: ['es2020'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  entryNames: 'assets/[name]-[hash]',
  outdir: out,
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((f) => path.relative(out, path.resolve(here, f)).split(path.sep).join('/'));
const js = outputs.find((f) => f.endsWith('.js'));
const css = outputs.find((f) => f.endsWith('.css'));
if (!js || !css) throw new Error('console: esbuild produced no js/css: ' + outputs.join(', '));

// Icons: drawn here (no binary files in the sources), PNG for the manifest, SVG for the tab.
fs.mkdirSync(path.join(out, 'icons'), { recursive: true });
for (const size of [192, 512]) {
  fs.writeFileSync(path.join(out, 'icons', `icon-${size}.png`), pngIcon(size, false));
  fs.writeFileSync(path.join(out, 'icons', `maskable-${size}.png`), pngIcon(size, true));
}
fs.copyFileSync(path.join(here, 'static', 'icon.svg'), path.join(out, 'icons', 'icon.svg'));

const manifest = {
  name: 'Lijiaoqiao 立交桥 console',
  short_name: '立交桥',
  description: 'LLM API gateway console: keys, usage, billing, supply and operations.',
  start_url: '/console/',
  scope: '/console/',
  display: 'standalone',
  background_color: '#0f172a',
  theme_color: '#1d4ed8',
  icons: [
    { src: '/console/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
    { src: '/console/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
    { src: '/console/icons/maskable-192.png', sizes: '192x192', type: 'image/png', purpose: 'maskable' },
    { src: '/console/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
  ],
};
fs.writeFileSync(path.join(out, 'manifest.webmanifest'), JSON.stringify(manifest, null, 2));

const html = fs.readFileSync(path.join(here, 'static', 'index.html'), 'utf8')
  .replace('%CSS%', '/console/' + css)
  .replace('%JS%', '/console/' + js);
fs.writeFileSync(path.join(out, 'index.html'), html);

// The service worker: the shell (page, bundle, icons) for offline use; never an API answer.
const shell = ['/console/', '/console/' + js, '/console/' + css, '/console/manifest.webmanifest',
  '/console/icons/icon.svg', '/console/icons/icon-192.png'];
const version = createHash('sha256').update(shell.join('\n') + html).digest('hex').slice(0, 12);
const sw = fs.readFileSync(path.join(here, 'static', 'sw.js'), 'utf8')
  .replace('%VERSION%', version)
  .replace('%SHELL%', JSON.stringify(shell));
fs.writeFileSync(path.join(out, 'sw.js'), sw);

const files = [];
(function walk(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else files.push(path.relative(out, p).split(path.sep).join('/'));
  }
})(out);
files.sort();
fs.writeFileSync(path.join(out, 'files.txt'), files.join('\n') + '\n');
console.log(`console: built ${files.length} files into ${out}`);

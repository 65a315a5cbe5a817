// The playground as a static site: relative URLs (deployable under any path, GitHub Pages-style),
// modern output (top-level await), module workers. 'upconv' resolves through this folder's
// node_modules (a link to the repository: its package.json "exports", "browser" condition), also
// for the shared training modules in ../fashion/ (dedupe), so the page, the worker and those
// modules share one core. The dev server sends the cross-origin isolation headers, as
// scripts/serve.mjs does for the built site.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  clearScreen: false,
  resolve: { dedupe: ['upconv'] },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 4096 },
  worker: { format: 'es' },
  server: { headers: isolation, fs: { allow: [fileURLToPath(new URL('../..', import.meta.url))] } },
  preview: { headers: isolation },
});

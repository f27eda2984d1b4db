/**
 * The reader pages (`web/reader/`), built into `web/reader/dist/` and served at `/m/`.
 * `npx vite --config vite.config.ts` runs them with hot reload against a server on :3000.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('./web/reader/', import.meta.url));

export default defineConfig({
  root,
  base: '/m/',
  // React's automatic runtime through Vite's own esbuild: no plugin needed.
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    manifest: true,
    // WeChat's browser on phones a few years old.
    target: ['es2020', 'chrome87', 'safari14'],
    // Small assets become data: URLs, which the pages' CSP allows for images and fonts.
    assetsInlineLimit: 4096,
    reportCompressedSize: false,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:3000' },
  },
});

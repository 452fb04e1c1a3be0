import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

// Preact through the bundler's own JSX transform: no Babel preset needed.
export default defineConfig({
  root,
  base: '/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: '../web-dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 600,
  },
  server: {
    // `vite --config web/vite.config.mts` during development: forward the API to a running cloud.
    proxy: { '/api': process.env.LECTERN_API_URL ?? 'http://localhost:3000' },
  },
});

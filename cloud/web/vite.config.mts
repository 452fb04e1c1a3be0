import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

// Preact JSX comes from tsconfig.json (jsx: react-jsx, jsxImportSource: preact), which both esbuild
// (Vite 7) and oxc (Vite 8) read: no Babel preset needed.
export default defineConfig({
  root,
  base: '/',
  build: {
    outDir: '../web-dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 600,
  },
  server: {
    // `vite --config web/vite.config.mts` during development: forward the API to a running cloud.
    proxy: { '/api': process.env.LECTERN_API_URL ?? 'http://127.0.0.1:8080' },
  },
});

import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

// Unit tests of the dashboard's pure logic (routing, formatting, emotion helpers); the pages
// themselves are exercised in real Chromium by the e2e suite.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // CI sums every test-results/vitest.json under a workspace into its closing line.
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});

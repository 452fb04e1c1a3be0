// One test configuration for every workspace package.
// SWC compiles the tests because NestJS dependency injection needs emitDecoratorMetadata,
// which esbuild (vitest's default transformer) does not emit.
import swc from 'unplugin-swc';
import { join } from 'node:path';

/** @param {string} dir the package directory */
export function lecternTestConfig(dir, overrides = {}) {
  return {
    plugins: [
      swc.vite({
        jsc: {
          target: 'es2023',
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
        },
      }),
    ],
    resolve: { conditions: ['source'] },
    ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
    test: {
      root: dir,
      include: ['test/**/*.test.ts'],
      environment: 'node',
      testTimeout: 60_000,
      hookTimeout: 120_000,
      pool: 'forks',
      fileParallelism: false,
      reporters: ['default', ['json', { outputFile: join(dir, 'test-results', 'vitest.json') }]],
      ...overrides,
    },
  };
}

import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

// Package boundaries (arrows point one way): protocol <- vision <- device / cloud; models and lab are dev-time
// tools that nothing at runtime imports. Relative imports may not climb out of a package either.
const PACKAGES = ['protocol', 'vision', 'device', 'cloud', 'models', 'lab', 'provisioning', 'tests'];
const CLIMB_OUT = {
  regex: '^(\\.\\./)+(shared|vision|device|cloud|models|lab|provisioning|tests)/',
  message: 'import another package by its name (@lectern/...), not by a relative path',
};
function boundary(files, allowed, why) {
  const forbidden = PACKAGES.filter((p) => !allowed.includes(p)).map((p) => `@lectern/${p}`);
  return {
    files,
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: forbidden, message: why }, CLIMB_OUT] }],
    },
  };
}
const boundaries = [
  boundary(['shared/protocol/src/**/*.ts'], [], 'the MQTT contract depends on nothing of ours'),
  boundary(
    ['vision/src/**/*.ts'],
    ['protocol'],
    'vision sits below device and cloud: it may only use @lectern/protocol',
  ),
  boundary(
    ['device/src/**/*.ts'],
    ['protocol', 'vision'],
    'the edge agent runs on @lectern/vision and @lectern/protocol only',
  ),
  boundary(
    ['cloud/src/**/*.ts', 'cloud/web/src/**/*.ts', 'cloud/web/src/**/*.tsx'],
    ['protocol', 'vision'],
    'the cloud runs on @lectern/vision and @lectern/protocol; lab tools and the device agent are not runtime code',
  ),
  boundary(
    ['models/src/**/*.ts'],
    ['protocol', 'vision'],
    "models (dev-time) writes vision's model files and may use vision, never the agent or cloud",
  ),
  boundary(['provisioning/src/**/*.ts'], ['protocol'], 'provisioning talks to the cloud over HTTP'),
  boundary(
    ['vision/test/**/*.ts', 'device/test/**/*.ts', 'cloud/test/**/*.ts', 'models/test/**/*.ts'],
    ['protocol', 'vision', 'device', 'cloud', 'models'],
    'tests of runtime packages do not use lab tools',
  ),
];

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/.turbo/**',
      '**/test-results/**',
      '**/web-dist/**',
      '**/*.mjs',
      '**/*.cjs',
      '**/*.mts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { attributes: false, arguments: false } },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  ...boundaries,
  prettier,
);

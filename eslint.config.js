// Type-aware lint for the whole package; Prettier owns formatting.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      'data',
      'coverage',
      '.scratch',
      '.tmp-*',
      'eslint.config.js',
      'bin/*.js',
      'web/reader/dist',
      'web/reader/dist.*',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read configuration through server/platform/config.ts only.',
        },
      ],
    },
  },
  {
    files: ['server/platform/config.ts', '**/*.test.ts', 'test/**', 'bench/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // Plain JavaScript (worker threads that must load without a TypeScript loader).
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.test.ts', 'test/**'],
    // Test doubles implement async interfaces without awaiting anything, and Vitest's
    // asymmetric matchers (expect.any, expect.stringMatching) are typed `any`.
    rules: {
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  {
    // The benchmark's peer is an untyped CommonJS package.
    files: ['bench/wechat-gateway/peer-server.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  {
    files: ['server/wechat/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/modules/**'], message: 'wechat/ is the protocol alone.' }] },
      ],
    },
  },
  {
    files: ['server/ils/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/modules/**', '**/wechat/**'],
              message: 'ils/ is the ILS seam and its connectors: it imports no module.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['server/platform/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/modules/**', '**/wechat/**'], message: 'platform/ imports no module.' },
          ],
        },
      ],
    },
  },
);

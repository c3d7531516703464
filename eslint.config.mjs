import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import domainPurity from './tools/eslint/domain-purity.cjs';
import fences from './tools/eslint/fences.cjs';

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'coverage/**',
      'data/**',
      'bench/results/**',
      'jest.config.js',
      '.dependency-cruiser.cjs',
      'tools/**/*.cjs',
      'test/**/*.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  ...fences,
  domainPurity,
);

import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Node's I/O and process modules: the domain must not touch them (ARCHITECTURE principle 3). */
const nodeIo = ['fs', 'path', 'http', 'https', 'net', 'dgram', 'child_process', 'worker_threads', 'cluster', 'os', 'process', 'crypto', 'stream', 'dns', 'tls', 'readline', 'perf_hooks', 'timers', 'v8', 'vm'];

export const domainPurity = {
  files: ['libs/domain/**/*.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths: nodeIo.flatMap((name) => [
          { name, message: 'libs/domain is pure: no I/O. Pass what you need in through the context.' },
          { name: `node:${name}`, message: 'libs/domain is pure: no I/O. Pass what you need in through the context.' },
        ]),
        patterns: [
          { group: ['@nestjs/*', 'node:*', 'better-sqlite3', 'kafkajs', '@eventstore/*', 'class-validator', 'class-transformer'], message: 'libs/domain imports nothing but itself and luxon.' },
          { group: ['**/apps/**', '**/libs/*/src/**', '!**/libs/domain/**'], message: 'libs/domain imports nothing but itself and luxon.' },
        ],
      },
    ],
    'no-restricted-syntax': [
      'error',
      { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'No clock reads in the domain: time comes from the DecisionContext.' },
      { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'No clock reads in the domain: time comes from the DecisionContext.' },
      { selector: "CallExpression[callee.object.name='DateTime'][callee.property.name=/^(now|local)$/]", message: 'No clock reads in the domain: time comes from the DecisionContext.' },
      { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'No randomness in the domain: ids come from the DecisionContext.' },
    ],
    'no-restricted-globals': ['error', { name: 'process', message: 'libs/domain reads no environment.' }, { name: 'require', message: 'Use imports.' }],
  },
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'coverage/**', 'data/**', 'bench/results/**', 'jest.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  { ...domainPurity, files: ['libs/domain/src/**/*.ts'] },
);

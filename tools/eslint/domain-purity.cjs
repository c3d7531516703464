// The rule that keeps libs/domain pure (docs/architecture.md, principle 3): no Nest, no I/O, no clock
// reads, no randomness, no environment. Shared by eslint.config.mjs and the test that proves it fires.
const nodeIo = [
  'fs',
  'path',
  'http',
  'https',
  'net',
  'dgram',
  'child_process',
  'worker_threads',
  'cluster',
  'os',
  'process',
  'crypto',
  'stream',
  'dns',
  'tls',
  'readline',
  'perf_hooks',
  'timers',
  'v8',
  'vm',
];
const noIo = 'libs/domain is pure: no I/O. Pass what you need in through the context.';
const onlyLuxon = 'libs/domain imports nothing but itself and luxon.';
const noClock = 'No clock reads in the domain: time comes from the DecisionContext.';

module.exports = {
  files: ['libs/domain/src/**/*.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths: nodeIo.flatMap((name) => [
          { name, message: noIo },
          { name: `node:${name}`, message: noIo },
        ]),
        patterns: [
          {
            group: ['@nestjs/*', 'node:*', 'better-sqlite3', 'kafkajs', '@eventstore/*', 'class-validator', 'class-transformer'],
            message: onlyLuxon,
          },
          { group: ['**/apps/**', '**/libs/*/src/**', '!**/libs/domain/**'], message: onlyLuxon },
        ],
      },
    ],
    'no-restricted-syntax': [
      'error',
      { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: noClock },
      { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: noClock },
      { selector: "CallExpression[callee.object.name='DateTime'][callee.property.name=/^(now|local)$/]", message: noClock },
      {
        selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
        message: 'No randomness in the domain: ids come from the DecisionContext.',
      },
    ],
    'no-restricted-globals': [
      'error',
      { name: 'process', message: 'libs/domain reads no environment.' },
      { name: 'require', message: 'Use imports.' },
    ],
  },
};

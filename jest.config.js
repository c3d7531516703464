/** Test levels by file suffix: *.unit.spec.ts, *.int.spec.ts, *.e2e.spec.ts. */
const { availableParallelism, loadavg } = require('node:os');

/**
 * Every time limit in the tests is multiplied by TEST_TIMEOUT_SCALE (test/support/timeouts.ts),
 * which is, unless given, the machine's load per core when the run starts (at least 1): on a
 * shared machine at load 10 on 2 cores a limit is five times as long. Workers inherit it. A
 * test's own limit starts at 60 s (Jest's 5 s default failed tests on a loaded machine).
 */
process.env.TEST_TIMEOUT_SCALE ||= String(Math.max(1, Math.round((loadavg()[0] / availableParallelism()) * 10) / 10));
const testTimeout = 60_000 * Number(process.env.TEST_TIMEOUT_SCALE);
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
  },
];
// content-disposition 3 (via @fastify/static, Swagger UI) ships ESM only: Node loads it natively, Jest needs it compiled.
const esmOnly = ['content-disposition', 'jose', '@seriousme/openapi-schema-validator'];
const swcJs = ['@swc/jest', { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } }];
const common = {
  transform: { '^.+\\.ts$': swc, [`node_modules/(${esmOnly.join('|')})/.+\\.js$`]: swcJs },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  moduleNameMapper: {
    '^@complaint-ledger/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
  },
  testEnvironment: 'node',
};
module.exports = {
  testTimeout,
  globalSetup: '<rootDir>/test/support/test-run.cjs',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,test}/**/*.unit.spec.ts'] },
    { ...common, displayName: 'int', testMatch: ['<rootDir>/{apps,libs,test}/**/*.int.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/{apps,libs,test}/**/*.e2e.spec.ts'] },
  ],
};

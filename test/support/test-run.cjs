// Jest's global setup: names this test run, so the tests that start the service as a process build
// dist/ once per run (test/support/processes.ts, ensureBuilt) and never from a previous run's files.
const { randomUUID } = require('node:crypto');

module.exports = async () => {
  process.env.TEST_RUN_ID = randomUUID();
};

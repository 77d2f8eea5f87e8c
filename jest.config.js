/**
 * Jest runs TypeScript through SWC (already a dependency of @temporalio/worker):
 * no type checking here, `npm run typecheck` does that.
 *
 * Three projects, one per Temporal server (see test/helpers/temporal-env.ts):
 * - embedded: every suite, on the project's embedded server (time skipping);
 * - dev-server: the workflow and end-to-end suites again, on Temporal's own
 *   dev server (one per run, real time);
 * - test-server: the workflow suites again, on Temporal's own time-skipping
 *   test server (one per test file).
 * The real servers come from `npm run temporal:install`; without them those
 * projects fail and say so. `npx jest --selectProjects embedded` runs one.
 */
const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest'] },
};

/** Suites that drive the workflow through createTestEnv(): timers in `t.minute`s, so they run skipped or in real time. */
const WORKFLOW_SUITES = ['<rootDir>/test/workflows/**/*.test.ts'];
/** The assembled application in real time (needs visibility, which Temporal's test server lacks). */
const E2E_SUITES = ['<rootDir>/test/e2e/conversation.test.ts', '<rootDir>/test/e2e/redis.test.ts', '<rootDir>/test/crash/**/*.test.ts'];
/**
 * The embedded server's conformance suite, run against Temporal's own servers
 * too (embedded-temporal/test/support/servers.ts picks the server). Not here:
 * cli.test.ts (it tests the embedded server's own command line) and unit/
 * (the embedded server's modules, no server at all). Tests inside these files
 * that do not apply to a server say so in a conditional describe.
 */
const conformance = (names) => names.map((name) => `<rootDir>/embedded-temporal/test/${name}.test.ts`);
const CONFORMANCE_SUITES = conformance(['startup', 'workflow-tasks', 'inline-task', 'activities', 'timers', 'history', 'interaction', 'updates', 'visibility', 'test-env']);
/** Time skipping through the TestService: the dev server has none (UNIMPLEMENTED), so only the test server runs it. */
const TIME_SKIPPING_SUITES = conformance(['time-skipping']);

module.exports = {
  // 2-core machines: two test files at a time; workflow tests start a worker each.
  maxWorkers: 2,
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [
    {
      ...common,
      displayName: 'embedded',
      testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/embedded-temporal/test/**/*.test.ts'],
      // Killing Temporal itself: only a server that keeps its state (the dev server's SQLite file) can come back.
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/crash/temporal-kill.test.ts'],
    },
    {
      ...common,
      displayName: 'dev-server',
      testMatch: [...WORKFLOW_SUITES, ...E2E_SUITES, ...CONFORMANCE_SUITES],
      setupFiles: ['<rootDir>/test/support/server-dev.ts'],
      globalSetup: '<rootDir>/test/support/dev-server-setup.ts',
      globalTeardown: '<rootDir>/test/support/dev-server-teardown.ts',
    },
    {
      ...common,
      displayName: 'test-server',
      testMatch: [...WORKFLOW_SUITES, ...CONFORMANCE_SUITES, ...TIME_SKIPPING_SUITES],
      setupFiles: ['<rootDir>/test/support/server-time-skipping.ts'],
    },
  ],
};

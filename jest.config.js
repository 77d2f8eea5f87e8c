/** Jest runs TypeScript through SWC (already a dependency of @temporalio/worker): no type checking here, `npm run typecheck` does that. */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/embedded-temporal/test/**/*.test.ts'],
  // 2-core machines: two test files at a time; workflow tests start a worker each.
  maxWorkers: 2,
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};

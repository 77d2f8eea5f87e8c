/**
 * Prints one plain closing line, `jest: N passed, N failed, N skipped`, after
 * Jest's own summary, so CI and people reading logs get the counts in a form
 * that does not depend on Jest's layout.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests, numFailedTests, numPendingTests, numTodoTests, numRuntimeErrorTestSuites } = results;
    if (numRuntimeErrorTestSuites > 0) {
      process.stdout.write(`jest: ${numRuntimeErrorTestSuites} test files could not run\n`);
    }
    process.stdout.write(`jest: ${numPassedTests} passed, ${numFailedTests} failed, ${numPendingTests + numTodoTests} skipped\n`);
  }
}
module.exports = SummaryReporter;

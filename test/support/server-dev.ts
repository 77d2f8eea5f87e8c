/** Setup file of jest's `dev-server` project: createTestEnv() uses the run's Temporal dev server. */
process.env.TEST_TEMPORAL_SERVER = 'dev';

/** Setup file of jest's `test-server` project: createTestEnv() starts Temporal's time-skipping test server. */
process.env.TEST_TEMPORAL_SERVER = 'time-skipping';

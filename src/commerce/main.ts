/**
 * `npm run commerce`: the sample commerce backend on its own, on
 * COMMERCE_PORT (default 4100). Faults can be switched on at runtime:
 *   curl -X POST localhost:4100/__faults -H 'content-type: application/json' -d '{"errorRate":0.5}'
 */
import { loadConfigOrExit } from '../config';
import { createLogger } from '../logger';
import { startCommerceServer } from './server';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'commerce' });
  const server = await startCommerceServer({ port: config.COMMERCE_PORT, host: config.HOST });
  logger.info({ url: server.url }, 'sample commerce backend listening');
  const stop = () => {
    logger.info('shutting down');
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'close failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

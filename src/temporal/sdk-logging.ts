/**
 * Routes the Temporal SDK's own log lines (worker state, bundling, core) into
 * our pino logger, at warn level unless LOG_LEVEL asks for more, so the
 * start-up log stays readable. Must run before any worker or native
 * connection is created: the SDK runtime is installed once per process.
 */
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../logger';

const TO_SDK: Record<string, LogLevel> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'WARN',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'ERROR',
  silent: 'ERROR',
};

export function installSdkLogger(logger: Logger, level: string): void {
  const sdk = logger.child({ component: 'temporal-sdk' });
  Runtime.install({
    logger: new DefaultLogger(TO_SDK[level] ?? 'WARN', (entry) => {
      const meta = { ...(entry.meta ?? {}) };
      switch (entry.level) {
        case 'TRACE':
          sdk.trace(meta, entry.message);
          break;
        case 'DEBUG':
          sdk.debug(meta, entry.message);
          break;
        case 'INFO':
          sdk.info(meta, entry.message);
          break;
        case 'WARN':
          sdk.warn(meta, entry.message);
          break;
        default:
          sdk.error(meta, entry.message);
      }
    }),
  });
}

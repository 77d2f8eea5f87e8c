/**
 * One logger path for every entry point (`npm start`, `npm run worker`,
 * `npm run gateway`): {@link createProcessLogger} builds the pino logger
 * (redaction and masking, src/logger.ts) and installs the Temporal SDK
 * runtime with that logger, so the SDK's records (worker state, activity and
 * workflow-task failures, workflow `log` calls) and core's records are
 * single-line, masked entries of the same stream instead of multi-line plain
 * text on the console.
 *
 * The SDK runtime is installed once per process and must be installed before
 * any worker or native connection is created; the entry points call this
 * first thing.
 */
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Config } from '../config';
import { createLogger, type Logger } from '../logger';

const TO_SDK: Record<string, LogLevel> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  // The SDK's INFO lines (worker state changes) would drown a start-up log.
  info: 'WARN',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'ERROR',
  silent: 'ERROR',
};

/** The process logger, with the Temporal SDK and core routed through it. */
export function createProcessLogger(config: Pick<Config, 'LOG_LEVEL' | 'LOG_FORMAT'>, name?: string): Logger {
  const logger = createLogger({ level: config.LOG_LEVEL, format: config.LOG_FORMAT, ...(name ? { name } : {}) });
  installSdkLogger(logger, config.LOG_LEVEL);
  return logger;
}

/** Routes the SDK's records (and, by forwarding, core's) into `logger`. */
export function installSdkLogger(logger: Logger, level: string): void {
  const sdk = logger.child({ component: 'temporal-sdk' });
  const sdkLevel = TO_SDK[level] ?? 'WARN';
  Runtime.install({
    logger: new DefaultLogger(sdkLevel, (entry) => {
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
    // Without `forward`, core (Rust) writes its own lines to the console.
    telemetryOptions: { logging: { filter: { core: sdkLevel, other: sdkLevel }, forward: {} } },
  });
}

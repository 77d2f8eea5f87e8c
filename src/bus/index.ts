/**
 * The event bus that carries outbound conversation events from the worker's
 * `publishEvent` activity to the gateway holding the customer's socket.
 *
 * - in-process (default): gateway and worker share one process (`npm start`);
 * - Redis pub/sub when `REDIS_URL` is set: split deployments, several gateways.
 */
import type { Config } from '../config';
import type { Logger } from '../logger';
import { InProcessBus } from './in-process';
import { RedisBus } from './redis';
import type { EventBus } from './types';

export type { EventBus, EventHandler } from './types';
export { InProcessBus } from './in-process';
export { RedisBus } from './redis';

export function createBus(config: Pick<Config, 'REDIS_URL'>, logger?: Logger): EventBus {
  if (config.REDIS_URL) {
    logger?.info({ bus: 'redis' }, 'event bus: Redis pub/sub');
    return new RedisBus({ url: config.REDIS_URL, logger });
  }
  logger?.info({ bus: 'in-process' }, 'event bus: in-process (set REDIS_URL to share events between processes)');
  return new InProcessBus();
}

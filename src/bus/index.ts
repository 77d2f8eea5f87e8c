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
import type { BusDropReason } from './signing';
import type { EventBus } from './types';

export type { EventBus, EventHandler } from './types';
export { InProcessBus } from './in-process';
export { RedisBus } from './redis';
export { BUS_DROP_REASONS, BusSigner, type BusDropReason } from './signing';

export function createBus(
  config: Pick<Config, 'REDIS_URL' | 'BUS_SECRET'> & Partial<Pick<Config, 'BUS_SECRET_PREVIOUS'>>,
  logger?: Logger,
  onDrop?: (reason: BusDropReason) => void,
): EventBus {
  if (config.REDIS_URL) {
    // Config validation requires BUS_SECRET with REDIS_URL; this guards callers that build a config by hand.
    if (!config.BUS_SECRET) throw new Error('BUS_SECRET is required with REDIS_URL: bus messages are signed');
    logger?.info({ bus: 'redis' }, 'event bus: Redis pub/sub, signed messages');
    return new RedisBus({ url: config.REDIS_URL, secrets: [config.BUS_SECRET, ...(config.BUS_SECRET_PREVIOUS ?? [])], logger, onDrop });
  }
  logger?.info({ bus: 'in-process' }, 'event bus: in-process (set REDIS_URL to share events between processes)');
  return new InProcessBus();
}

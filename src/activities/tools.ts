/**
 * Business tool activities: one per tool, each a thin call through the
 * ToolClient. Side-effecting tools send the activity's idempotency key so a
 * retry after a lost response does not refund twice.
 */
import { Context } from '@temporalio/activity';
import type { Logger } from '../logger';
import type { ToolCallOptions, ToolClient } from '../tools/client';
import { ToolError } from '../tools/errors';
import type { ToolName } from '../workflows/contract';
import { activityLogger, currentIdempotencyKey, throwIfCancelled } from './context';
import { toFailure } from './failures';

export interface ToolActivityDeps {
  tools: ToolClient;
  logger: Logger;
}

type ToolMethod<K extends ToolName> = ToolClient[K];

export function createToolActivities({ tools, logger }: ToolActivityDeps) {
  function wrap<K extends ToolName>(name: K, sideEffect: boolean) {
    const method = tools[name].bind(tools) as (req: Parameters<ToolMethod<K>>[0], opts: ToolCallOptions) => ReturnType<ToolMethod<K>>;
    return async (input: Parameters<ToolMethod<K>>[0]): Promise<Awaited<ReturnType<ToolMethod<K>>>> => {
      const ctx = Context.current();
      const log = activityLogger(logger);
      const orderNumber = (input as { orderNumber?: string }).orderNumber;
      const started = Date.now();
      try {
        const result = await method(input, {
          idempotencyKey: sideEffect ? currentIdempotencyKey() : undefined,
          signal: ctx.cancellationSignal,
        });
        log.info({ tool: name, orderNumber, durationMs: Date.now() - started }, 'tool call succeeded');
        return result;
      } catch (err) {
        throwIfCancelled(err);
        if (err instanceof ToolError) {
          log.warn(
            { tool: name, orderNumber, status: err.status, code: err.code, retryable: err.retryable, durationMs: Date.now() - started },
            'tool call failed',
          );
        }
        throw toFailure(err);
      }
    };
  }

  return {
    getOrder: wrap('getOrder', false),
    trackShipment: wrap('trackShipment', false),
    submitRefund: wrap('submitRefund', true),
    createReturn: wrap('createReturn', true),
    createRepair: wrap('createRepair', true),
    changeAddress: wrap('changeAddress', true),
    cancelOrder: wrap('cancelOrder', true),
    createTicket: wrap('createTicket', true),
    // Read-only: a yes/no check, retried freely.
    verifyOrderContact: wrap('verifyOrderContact', false),
  };
}

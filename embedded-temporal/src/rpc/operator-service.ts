/** `temporal.api.operatorservice.v1.OperatorService`: search attribute registration (the rest is UNIMPLEMENTED). */
import type { Engine } from '../engine';
import { invalidArgument } from '../errors';
import type { UnaryFn } from './wrap';

export const MUTATING_OPERATOR_METHODS: ReadonlySet<string> = new Set(['AddSearchAttributes', 'RemoveSearchAttributes']);

export function operatorServiceHandlers(engine: Engine): Record<string, UnaryFn> {
  const handlers = {
    AddSearchAttributes: (req: { namespace?: string; searchAttributes?: Record<string, string> }) => {
      const attrs = req.searchAttributes ?? {};
      if (Object.keys(attrs).length === 0) throw invalidArgument('SearchAttributes are not set on request.');
      engine.namespace(req.namespace || 'default').registry.addAll(attrs);
      return {};
    },
    RemoveSearchAttributes: (req: { namespace?: string; searchAttributes?: string[] }) => {
      const registry = engine.namespace(req.namespace || 'default').registry;
      const names = req.searchAttributes ?? [];
      // Check every name before removing any, so a bad request changes nothing.
      for (const name of names) {
        if (registry.isSystem(name) || registry.typeOf(name) === undefined) throw invalidArgument(`search attribute ${name} cannot be removed`);
      }
      for (const name of names) registry.remove(name);
      return {};
    },
    ListSearchAttributes: (req: { namespace?: string }) => {
      const { customAttributes, systemAttributes } = engine.namespace(req.namespace || 'default').registry.list();
      return { customAttributes, systemAttributes, storageSchema: {} };
    },
  };
  return handlers as unknown as Record<string, UnaryFn>;
}

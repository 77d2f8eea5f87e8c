/** The server's state: its clock, its configuration and its namespaces. */
import type { ServerClock } from './clock-types';
import { alreadyExists, invalidArgument, namespaceNotFound } from './errors';
import type { ServerConfig } from './host';
import { Namespace } from './namespace';

export class Engine {
  private readonly namespaces = new Map<string, Namespace>();

  constructor(
    readonly clock: ServerClock,
    readonly config: ServerConfig,
    readonly log: (line: string) => void,
  ) {}

  namespace(name: string | undefined): Namespace {
    const ns = this.namespaces.get(name || '');
    if (!ns) throw namespaceNotFound(name ?? '');
    return ns;
  }

  namespaceById(id: string): Namespace | undefined {
    for (const ns of this.namespaces.values()) if (ns.id === id) return ns;
    return undefined;
  }

  list(): Namespace[] {
    return [...this.namespaces.values()];
  }

  register(name: string, retentionDays = 1): Namespace {
    if (!name || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/.test(name)) throw invalidArgument(`invalid namespace name: ${JSON.stringify(name)}`);
    if (this.namespaces.has(name)) throw alreadyExists(`Namespace ${name} already exists.`);
    const ns = new Namespace(name, this, retentionDays);
    this.namespaces.set(name, ns);
    return ns;
  }

  /** Answers every parked poll empty, so workers and clients are not left hanging at shutdown. */
  releaseAllPolls(): void {
    for (const ns of this.namespaces.values()) ns.matching.releaseAll();
  }
}

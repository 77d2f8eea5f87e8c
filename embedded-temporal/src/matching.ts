/**
 * Task queues with long polls. A queued task is a closure that tries to start
 * itself for a given poller and returns the poll response, or undefined when
 * it went stale meanwhile (its workflow task was superseded, its activity
 * cancelled, its run closed); stale tasks are dropped at hand-out.
 *
 * A poll parks until a task arrives or its timeout passes, then answers with
 * an empty response. Polls whose call the client cancelled are removed and
 * never handed a task. Timeouts here are wall-clock: long-poll expiry is a
 * transport concern, not workflow time.
 */

export interface PollInfo {
  identity: string;
  requestId?: string;
}

export interface QueuedTask<R> {
  tryStart(poll: PollInfo): R | undefined;
}

export interface PollCall {
  /** True once the client has gone away. */
  isCancelled(): boolean;
  onCancelled(listener: () => void): void;
}

interface Waiter<R> {
  poll: PollInfo;
  call: PollCall;
  settle(response: R | undefined): void;
  settled: boolean;
}

/** FIFO with amortised O(1) shift, so thousands of queued tasks stay cheap. */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;
  get size(): number {
    return this.items.length - this.head;
  }
  push(item: T): void {
    this.items.push(item);
  }
  unshift(item: T): void {
    if (this.head > 0) this.items[--this.head] = item;
    else this.items.unshift(item);
  }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined as T;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
  remove(pred: (item: T) => boolean): void {
    this.items = this.items.slice(this.head).filter((i) => !pred(i));
    this.head = 0;
  }
  drain(): T[] {
    const rest = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return rest;
  }
}

export class PollQueue<R> {
  private readonly tasks = new Fifo<QueuedTask<R>>();
  private readonly waiters = new Fifo<Waiter<R>>();

  get backlog(): number {
    return this.tasks.size;
  }

  offer(task: QueuedTask<R>): void {
    for (;;) {
      const waiter = this.waiters.shift();
      if (!waiter) break;
      if (waiter.settled || waiter.call.isCancelled()) continue;
      const response = task.tryStart(waiter.poll);
      if (response === undefined) {
        this.waiters.unshift(waiter);
        return;
      }
      waiter.settle(response);
      return;
    }
    this.tasks.push(task);
  }

  /** Resolves with a started task's response, or undefined when the poll expired or was cancelled. */
  poll(poll: PollInfo, call: PollCall, timeoutMs: number): Promise<R | undefined> {
    for (;;) {
      const task = this.tasks.shift();
      if (!task) break;
      const response = task.tryStart(poll);
      if (response !== undefined) return Promise.resolve(response);
    }
    return new Promise((resolve) => {
      const waiter: Waiter<R> = {
        poll,
        call,
        settled: false,
        settle: (response) => {
          if (waiter.settled) return;
          waiter.settled = true;
          clearTimeout(timer);
          resolve(response);
        },
      };
      const timer = setTimeout(() => {
        waiter.settle(undefined);
        this.waiters.remove((w) => w === waiter);
      }, Math.max(0, timeoutMs));
      call.onCancelled(() => {
        waiter.settle(undefined);
        this.waiters.remove((w) => w === waiter);
      });
      this.waiters.push(waiter);
    });
  }

  /** Answers every parked poll with an empty response (worker shutdown, server stop). */
  releaseWaiters(): void {
    for (const waiter of this.waiters.drain()) waiter.settle(undefined);
  }
}

/**
 * The per-namespace set of task queues. Workflow and activity tasks live in
 * separate queues of the same name, as on a real server. Sticky queues never
 * receive tasks here (every workflow task goes to the normal queue with full
 * history), so sticky polls are parked until they expire or their worker
 * shuts down.
 */
export class Matching<WR, AR> {
  private readonly workflowQueues = new Map<string, PollQueue<WR>>();
  private readonly activityQueues = new Map<string, PollQueue<AR>>();
  private readonly stickyQueues = new Map<string, PollQueue<WR>>();

  workflowQueue(name: string): PollQueue<WR> {
    return getOrCreate(this.workflowQueues, name);
  }

  activityQueue(name: string): PollQueue<AR> {
    return getOrCreate(this.activityQueues, name);
  }

  stickyQueue(name: string): PollQueue<WR> {
    return getOrCreate(this.stickyQueues, name);
  }

  /** Drops a worker's sticky queue: its parked polls answer empty at once. */
  releaseSticky(name: string): void {
    const queue = this.stickyQueues.get(name);
    if (!queue) return;
    queue.releaseWaiters();
    this.stickyQueues.delete(name);
  }

  knownWorkflowQueues(): string[] {
    return [...this.workflowQueues.keys()];
  }

  backlog(name: string): { workflow: number; activity: number } {
    return { workflow: this.workflowQueues.get(name)?.backlog ?? 0, activity: this.activityQueues.get(name)?.backlog ?? 0 };
  }

  releaseAll(): void {
    for (const q of [...this.workflowQueues.values(), ...this.stickyQueues.values()]) q.releaseWaiters();
    for (const q of this.activityQueues.values()) q.releaseWaiters();
  }
}

function getOrCreate<T>(map: Map<string, PollQueue<T>>, name: string): PollQueue<T> {
  let queue = map.get(name);
  if (!queue) {
    queue = new PollQueue<T>();
    map.set(name, queue);
  }
  return queue;
}

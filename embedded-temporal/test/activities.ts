/** Activities used by the conformance workflows. */
import { Context } from '@temporalio/activity';

export async function greet(name: string): Promise<string> {
  return `hello ${name}`;
}

/** Blocks until cancelled; heartbeats so the cancellation can reach it. */
export async function waitForRelease(_label: string): Promise<string> {
  for (;;) {
    Context.current().heartbeat();
    await Context.current().sleep(50);
  }
}

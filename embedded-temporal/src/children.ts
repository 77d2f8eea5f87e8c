/** Child workflows as seen from the parent run: what was initiated, and what the parent must hear back. */
import type { ParentClosePolicy } from './wire';

export interface ChildState {
  initiatedEventId: number;
  namespace: string;
  workflowId: string;
  workflowType: string;
  parentClosePolicy: ParentClosePolicy;
  /** Set once ChildWorkflowExecutionStarted is written. */
  runId?: string;
  startedEventId?: number;
}

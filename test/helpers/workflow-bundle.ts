/**
 * The conversation and routing workflows bundled as the workers run them:
 * with the failure converter that seals failure messages
 * (src/temporal/codec.ts FAILURE_CONVERTER_PATH). Every suite that builds a
 * bundle itself (workflow, e2e, crash soak, replay) takes it from here, so
 * none can drift from production.
 */
import { bundleWorkflowCode, DefaultLogger, type Logger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../../src/temporal/codec';
import { WORKFLOWS_PATH } from '../../worker';

export function bundleSwitchboardWorkflows(logger: Logger = new DefaultLogger('ERROR')): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, failureConverterPath: FAILURE_CONVERTER_PATH, logger });
}

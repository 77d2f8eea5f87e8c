/**
 * Workflow entry point for the worker bundle (`workflowsPath`). Only workflow
 * functions are exported from here.
 */
export { conversationWorkflow } from './conversation';

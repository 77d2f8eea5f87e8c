/**
 * Workflow entry point for the worker bundle (`workflowsPath`). Only workflow
 * functions are exported from here: the conversation, and the two routing
 * entities (an agent's presence and capacity; a skill queue's router).
 */
export { conversationWorkflow } from './conversation';
export { agentWorkflow } from './agent';
export { routerWorkflow } from './router';

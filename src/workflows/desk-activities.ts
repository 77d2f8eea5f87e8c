/**
 * Activities every phase may use: publishing events to the gateway, the FAQ
 * suggestions for a waiting customer, and creating a ticket (a message or
 * callback request). Nothing here understands or answers the customer.
 */
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { FAQ_OPTIONS, PUBLISH_OPTIONS, TOOL_ACTIVITY_OPTIONS } from './activity-options';

export const { publishEvents } = proxyActivities<Pick<Activities, 'publishEvents'>>(PUBLISH_OPTIONS);

/** Publishing as runs started before NO_LOCAL_ACTIVITIES (workflows/runtime.ts) did it, kept so their histories replay. */
export const { publishEvent: publishEventLocally } = proxyLocalActivities<Pick<Activities, 'publishEvent'>>(PUBLISH_OPTIONS);

/**
 * Self-service suggestions for a customer who starts waiting (a file lookup
 * in the worker; an ordinary activity, as the conversation runs no local
 * activities since NO_LOCAL_ACTIVITIES, workflows/runtime.ts).
 */
export const { suggestFaq } = proxyActivities<Pick<Activities, 'suggestFaq'>>(FAQ_OPTIONS);

export const { createTicket } = proxyActivities<Pick<Activities, 'createTicket'>>(TOOL_ACTIVITY_OPTIONS);

/**
 * Activities every phase may use: publishing events to the gateway, and
 * creating a ticket (the QUEUED phase's overflow callback). Nothing here
 * understands or answers the customer.
 */
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { PUBLISH_OPTIONS, TOOL_ACTIVITY_OPTIONS } from './activity-options';

export const { publishEvents } = proxyActivities<Pick<Activities, 'publishEvents'>>(PUBLISH_OPTIONS);

/** Publishing as runs started before NO_LOCAL_ACTIVITIES (workflows/runtime.ts) did it, kept so their histories replay. */
export const { publishEvent: publishEventLocally } = proxyLocalActivities<Pick<Activities, 'publishEvent'>>(PUBLISH_OPTIONS);

export const { createTicket } = proxyActivities<Pick<Activities, 'createTicket'>>(TOOL_ACTIVITY_OPTIONS);

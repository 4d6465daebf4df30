/**
 * Every HTTP attempt the CRM request pipeline makes is published here, once per try (retries included), so
 * observers (src/metrics) can count calls, 429s and retries per tenant without the pipeline knowing them.
 * node:diagnostics_channel costs nothing while no one subscribes.
 */
import diagnostics from 'node:diagnostics_channel';

import type { CrmErrorKind } from './crm-errors.ts';

export interface CrmAttempt {
  tenant: string;
  crm: 'hubspot' | 'salesforce';
  /** HTTP status of the answer; undefined when none came (timeout, connection reset). */
  status: number | undefined;
  /** 'ok', or the kind of failure the pipeline understood. */
  outcome: 'ok' | CrmErrorKind;
  /** True when the pipeline sends this request again after this attempt. */
  willRetry: boolean;
  /** What the CRM says is left of the tenant's request budget, when its answer said (HubSpot, Salesforce). */
  budgetRemaining?: number;
}

export const CRM_ATTEMPT_CHANNEL = 'gridsync:crm.attempt';
const channel = diagnostics.channel(CRM_ATTEMPT_CHANNEL);

export function publishCrmAttempt(attempt: CrmAttempt): void {
  if (channel.hasSubscribers) channel.publish(attempt);
}

export function subscribeCrmAttempts(listener: (attempt: CrmAttempt) => void): () => void {
  const onMessage = (message: unknown): void => listener(message as CrmAttempt);
  diagnostics.subscribe(CRM_ATTEMPT_CHANNEL, onMessage);
  return () => diagnostics.unsubscribe(CRM_ATTEMPT_CHANNEL, onMessage);
}

/** The AE task the CRM adapters are asked to create, for adapter tests: Ledgerline's follow-up unless told otherwise. */
import type { NewAeTask } from '../../src/crm/crm-client.ts';

export function aeTask(task: Partial<NewAeTask> & Pick<NewAeTask, 'ownerId' | 'marker'>): NewAeTask {
  return {
    subject: 'Follow up with Ledgerline on payment webhooks',
    body: 'Before: retries by hand. Ideal: signed webhooks.',
    dueAt: new Date('2026-11-20T09:00:00.000Z'),
    priority: 'high',
    links: {},
    ...task,
  };
}

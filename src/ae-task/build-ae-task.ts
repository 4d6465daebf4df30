/**
 * Puts the AE task together: its owner from the chain, its text from the template, its links. Reads the CRM
 * (owners) but writes nothing, so ensureAeTask can call it only once it knows a task must be created.
 */
import type { CrmClient, NewAeTask } from '../crm/crm-client.ts';
import type { TaskTemplate } from '../mapping/mapping-schema.ts';
import type { SourceContext } from '../mapping/source-values.ts';
import { err, ok, type Result } from '../lib/result.ts';
import { renderAeTask } from './render-task.ts';
import { type NoOwner, type OwnerChoice, resolveOwner } from './resolve-owner.ts';

/** What the ledger keeps about a created task, shown on the grid's status. Plain JSON. */
export interface AeTaskDetails {
  marker: string;
  subject: string;
  dueAt: string;
  priority: NewAeTask['priority'];
  owner: OwnerChoice;
  links: NewAeTask['links'];
}

export interface BuiltAeTask {
  task: NewAeTask;
  details: AeTaskDetails;
}

export interface BuildAeTaskInput {
  crm: Pick<CrmClient, 'getDeals' | 'getCompanies' | 'getOwner'>;
  template: TaskTemplate;
  /** The grid (with its completeness) and its account, as the templates read them. */
  context: SourceContext;
  marker: string;
  /** CRM ids of the grid's deal, company and contact: the task is associated with each one known. */
  links: NewAeTask['links'];
  now: Date;
}

export async function buildAeTask(input: BuildAeTaskInput): Promise<Result<BuiltAeTask, NoOwner>> {
  const owner = await resolveOwner({
    crm: input.crm,
    owner: input.template.owner,
    dealId: input.links.deal,
    companyId: input.links.company,
  });
  if (!owner.ok) return err(owner.error);

  const rendered = renderAeTask({
    template: input.template,
    context: input.context,
    marker: input.marker,
    now: input.now,
  });
  const task: NewAeTask = {
    ...rendered,
    ownerId: owner.value.ownerId,
    marker: input.marker,
    links: input.links,
  };
  return ok({
    task,
    details: {
      marker: input.marker,
      subject: rendered.subject,
      dueAt: rendered.dueAt.toISOString(),
      priority: rendered.priority,
      owner: owner.value,
      links: input.links,
    },
  });
}

/**
 * HubSpot writes beyond plain object batches: associations (2026-03) between grid records and their deal,
 * company and contact, and the AE task's request body.
 */
import type { GridLinks, NewAeTask, RecordOutcome } from '../crm-client.ts';
import { CrmError } from '../crm-errors.ts';
import type { TenantMapping } from '../../mapping/mapping-schema.ts';
import { BATCH_REFUSALS, writeInBatches } from './hubspot-batch-write.ts';
import type { HubSpotHttp } from './hubspot-http.ts';
import { hubSpotPaths } from './hubspot-paths.ts';
import {
  HUBSPOT_LIMITS,
  HUBSPOT_OBJECT_TYPES,
  HUBSPOT_OWNER_PROPERTY,
  TASK_ASSOCIATION_TYPE_IDS,
} from './hubspot-limits.ts';

type LinkRole = 'deal' | 'company' | 'contact';
const LINK_ROLES = ['deal', 'company', 'contact'] as const satisfies readonly LinkRole[];

/**
 * Associates grid records with every record named in their links, one batched call per target object type
 * (and per 1,000 pairs): `batch/associate/default` for the unlabelled association, or `batch/create` with the
 * mapping's labelled association type (USER_DEFINED unless the mapping says INTEGRATOR_DEFINED). One outcome
 * per link: ok when all of its associations exist. A refused association names its role as the field, so the
 * grid's status points at the mapping's `grid.associate.<role>` line.
 */
export async function linkRecords(
  http: HubSpotHttp,
  gridType: string,
  associate: TenantMapping['grid']['associate'],
  links: GridLinks[],
): Promise<RecordOutcome[]> {
  const byRole = await Promise.all(
    LINK_ROLES.map(async (role) => {
      const pairs = new Map<string, { from: string; to: string }>();
      for (const link of links) {
        const to = link[role];
        if (to !== undefined) pairs.set(pairKey(link.gridRecordId, to), { from: link.gridRecordId, to });
      }
      if (pairs.size === 0) return new Map<string, RecordOutcome>();
      const toType = HUBSPOT_OBJECT_TYPES[role];
      const typeId = associate[role]?.associationTypeId;
      const category = associate[role]?.associationCategory ?? 'USER_DEFINED';
      const entries = [...pairs].map(([key, pair]) => ({
        key,
        properties: {},
        input:
          typeId === undefined
            ? { from: { id: pair.from }, to: { id: pair.to } }
            : {
                from: { id: pair.from },
                to: { id: pair.to },
                types: [{ associationCategory: category, associationTypeId: typeId }],
              },
      }));
      const action = typeId === undefined ? 'associate/default' : 'create';
      const outcomes = await writeInBatches(entries, {
        size: HUBSPOT_LIMITS.associationBatchSize,
        what: `${gridType}→${toType} associations`,
        send: (inputs) =>
          http({
            method: 'POST',
            path: hubSpotPaths.associationsBatch(gridType, toType, action),
            body: { inputs },
            answerStatuses: BATCH_REFUSALS,
            what: `${gridType}→${toType} associations`,
          }),
        readResult: readAssociationResult,
      });
      return new Map([...outcomes].map(([key, outcome]) => [key, namingRole(outcome, role)]));
    }),
  );
  return links.map((link) => {
    for (const [index, role] of LINK_ROLES.entries()) {
      const to = link[role];
      if (to === undefined) continue;
      const outcome = byRole[index]?.get(pairKey(link.gridRecordId, to));
      if (!outcome) {
        return {
          ok: false,
          error: new CrmError('rejected', `HubSpot gave no outcome for the ${role} association`),
        };
      }
      if (!outcome.ok) return outcome;
    }
    return { ok: true, id: link.gridRecordId };
  });
}

/** A refused association is about the mapping's association for `role`, unless HubSpot named a field. */
function namingRole(outcome: RecordOutcome, role: LinkRole): RecordOutcome {
  if (outcome.ok || outcome.error.field !== undefined) return outcome;
  const { error } = outcome;
  return {
    ok: false,
    error: new CrmError(error.kind, `${error.message} (the ${role} association)`, {
      field: role,
      ...(error.status === undefined ? {} : { status: error.status }),
      ...(error.correlationId === undefined ? {} : { correlationId: error.correlationId }),
      cause: error,
    }),
  };
}

/**
 * associate/default answers `{from: {id}, to: {id}, associationSpec}`; batch/create answers
 * `{fromObjectId, toObjectId, labels}` with numeric ids.
 */
function readAssociationResult(
  result: Record<string, unknown>,
): { key: string; outcome: RecordOutcome } | undefined {
  const from = idOf((result.from as { id?: unknown } | undefined)?.id ?? result.fromObjectId);
  const to = idOf((result.to as { id?: unknown } | undefined)?.id ?? result.toObjectId);
  if (from === undefined || to === undefined) return undefined;
  return { key: pairKey(from, to), outcome: { ok: true, id: from } };
}

function pairKey(from: string, to: string): string {
  return `${from}:${to}`;
}

function idOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  return typeof value === 'number' ? String(value) : undefined;
}

const PRIORITIES = { high: 'HIGH', medium: 'MEDIUM', low: 'LOW' } as const;

/**
 * `POST /crm/objects/2026-03/tasks`: a to-do for the AE, due at `dueAt`, associated with the deal, company and
 * contact through HubSpot-defined association types. The body always carries the marker, so a task created
 * just before a crash can be found by `findTaskByMarker` instead of being created twice.
 */
export function taskRequestBody(task: NewAeTask): {
  properties: Record<string, string>;
  associations: unknown[];
} {
  const body = task.body.includes(task.marker)
    ? task.body
    : `${task.body}\n\ngridsync reference: ${task.marker}`;
  const associations = LINK_ROLES.flatMap((role) => {
    const id = task.links[role];
    if (id === undefined) return [];
    return [
      {
        to: { id },
        types: [
          { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: TASK_ASSOCIATION_TYPE_IDS[role] },
        ],
      },
    ];
  });
  return {
    properties: {
      hs_timestamp: task.dueAt.toISOString(),
      hs_task_subject: task.subject,
      hs_task_body: body,
      hs_task_status: 'NOT_STARTED',
      hs_task_priority: PRIORITIES[task.priority],
      hs_task_type: 'TODO',
      [HUBSPOT_OWNER_PROPERTY]: task.ownerId,
    },
    associations,
  };
}

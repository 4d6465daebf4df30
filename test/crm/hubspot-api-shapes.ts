/**
 * The request bodies HubSpot's API reference describes for the endpoints gridsync calls, written down here
 * as zod schemas (our own description, strict so an unexpected key fails), to check what the adapter sends.
 */
import { z } from 'zod';

const properties = z.record(z.string(), z.string());
const objectRef = z.object({ id: z.string().min(1) }).strict();

/** POST /crm/objects/2026-03/{objectType}/batch/upsert */
export const batchUpsertBody = z
  .object({
    inputs: z
      .array(
        z
          .object({
            id: z.string().min(1),
            idProperty: z.string().min(1),
            objectWriteTraceId: z.string().optional(),
            properties,
          })
          .strict(),
      )
      .min(1)
      .max(100),
  })
  .strict();

/** POST /crm/objects/2026-03/{objectType}/batch/update */
export const batchUpdateBody = z
  .object({
    inputs: z
      .array(
        z
          .object({ id: z.string().regex(/^\d+$/), objectWriteTraceId: z.string().optional(), properties })
          .strict(),
      )
      .min(1)
      .max(100),
  })
  .strict();

/** POST /crm/objects/2026-03/{objectType}/batch/read */
export const batchReadBody = z
  .object({
    inputs: z.array(objectRef).min(1).max(100),
    properties: z.array(z.string()),
    propertiesWithHistory: z.array(z.string()),
    idProperty: z.string().optional(),
  })
  .strict();

/** POST /crm/objects/2026-03/{objectType}/search */
export const searchBody = z
  .object({
    filterGroups: z
      .array(
        z.object({
          filters: z
            .array(
              z.union([
                z
                  .object({
                    propertyName: z.string(),
                    operator: z.literal('IN'),
                    values: z.array(z.string()).min(1).max(100),
                  })
                  .strict(),
                z
                  .object({
                    propertyName: z.string(),
                    operator: z.enum(['EQ', 'CONTAINS_TOKEN']),
                    value: z.string(),
                  })
                  .strict(),
              ]),
            )
            .min(1)
            .max(6),
        }),
      )
      .min(1)
      .max(5),
    properties: z.array(z.string()),
    // The 2026-03 reference (PublicObjectSearchRequest) types sorts as an array of strings.
    sorts: z.array(z.string()).optional(),
    limit: z.number().int().min(1).max(200),
    after: z.string().optional(),
  })
  .strict();

/** POST /crm/associations/2026-03/{from}/{to}/batch/associate/default */
export const associateDefaultBody = z
  .object({
    inputs: z
      .array(z.object({ from: objectRef, to: objectRef }).strict())
      .min(1)
      .max(2000),
  })
  .strict();

const associationType = z
  .object({
    associationCategory: z.enum(['HUBSPOT_DEFINED', 'USER_DEFINED', 'INTEGRATOR_DEFINED']),
    associationTypeId: z.number().int(),
  })
  .strict();

/** POST /crm/associations/2026-03/{from}/{to}/batch/create */
export const associateLabelledBody = z
  .object({
    inputs: z
      .array(z.object({ from: objectRef, to: objectRef, types: z.array(associationType).min(1) }).strict())
      .min(1)
      .max(2000),
  })
  .strict();

/** POST /crm/objects/2026-03/tasks */
export const createTaskBody = z
  .object({
    properties: z
      .object({
        hs_timestamp: z.iso.datetime(),
        hs_task_subject: z.string(),
        hs_task_body: z.string(),
        hs_task_status: z.enum(['NOT_STARTED', 'IN_PROGRESS', 'WAITING', 'COMPLETED', 'DEFERRED']),
        hs_task_priority: z.enum(['HIGH', 'MEDIUM', 'LOW', 'NONE']),
        hs_task_type: z.enum([
          'TODO',
          'CALL',
          'EMAIL',
          'LINKED_IN',
          'MEETING',
          'LINKED_IN_CONNECT',
          'LINKED_IN_MESSAGE',
        ]),
        hubspot_owner_id: z.string().regex(/^\d+$/),
      })
      .strict(),
    associations: z.array(z.object({ to: objectRef, types: z.array(associationType).min(1) }).strict()),
  })
  .strict();

/**
 * POST /crm/objects/2026-03/tasks/batch/create (BatchInputSimplePublicObjectInputForCreate): at most 100
 * inputs, each a task create with its associations and the objectWriteTraceId its result and errors echo.
 */
export const batchCreateTasksBody = z
  .object({
    inputs: z
      .array(createTaskBody.extend({ objectWriteTraceId: z.string().min(1) }).strict())
      .min(1)
      .max(100),
  })
  .strict();

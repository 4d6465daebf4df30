/**
 * Every size limit of the public contract, stated once. The zod schemas (sales-grid.ts, signal.ts, the mapping's
 * tenant id), the intake's router and body parser, and the "Limits" table of docs/errors.md all take their numbers
 * from here (a test compares the table with this object), so an id the schema accepts is always reachable in a URL.
 *
 * Lengths are counted as JavaScript does (UTF-16 code units): a character outside the Basic Multilingual Plane,
 * such as an emoji, counts as 2.
 */
export const CONTRACT_LIMITS = {
  /** A webhook body (a grid, or a batch of signals), in bytes. */
  bodyBytes: 1024 * 1024,
  signalsPerBatch: 1_000,
  tenantIdLength: 63,
  gridIdLength: 200,
  signalIdLength: 200,
  signalTypeLength: 100,
  /** Each of the six grid sections (Positive Outcomes has two layers). */
  sectionLength: 65_536,
  submittedByLength: 320,
  /** Account and contact names, context.event. */
  nameLength: 255,
  /** context.notes and every other context field. */
  notesLength: 10_000,
  /** account.crmId and deal.crmId. */
  crmIdLength: 64,
} as const;

/** The longest value a path parameter (tenant, grid id) can hold: longer ones cannot name anything. */
export const LONGEST_PATH_ID = Math.max(CONTRACT_LIMITS.tenantIdLength, CONTRACT_LIMITS.gridIdLength);

import type { TenantMapping } from './mapping-schema.ts';

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** A mapping file that parsed and validated, with a way back to its lines for errors found later. */
export interface LoadedMapping {
  mapping: TenantMapping;
  file: string;
  /** sha256 of the file's bytes: a reload of identical content is a no-op. */
  contentHash: string;
  /** Where the key at this path (e.g. ['deal', 'fields', 'gridsync_before']) is written, if it is. */
  locate(path: readonly (string | number)[]): SourceLocation | undefined;
}

export function formatLocation(loc: SourceLocation): string {
  return `${loc.file}:${loc.line}:${loc.column}`;
}

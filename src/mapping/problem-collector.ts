/**
 * Problems of one mapping file, each placed at a file:line:column. Drafts (from zod issues) are placed at
 * their key or value, an unknown placeholder at its `{{…}}` inside the text; YAML's own errors at their offset.
 */
import {
  compareMappingErrors,
  formatKeyPath,
  type MappingError,
  type MappingErrorCode,
} from './mapping-errors.ts';
import type { ProblemDraft } from './problem-wording.ts';
import {
  keyPosition,
  pathAtOffset,
  positionAt,
  problemPosition,
  scalarAt,
  type TextPosition,
  type YamlSource,
} from './yaml-positions.ts';

export interface PlacedProblem {
  code: MappingErrorCode;
  path: PropertyKey[];
  message: string;
  expected?: string;
  hint?: string;
}

const YAML_HINTS: Readonly<Record<string, string>> = {
  TAB_AS_INDENT: 'indent with spaces, not tabs',
  BAD_INDENT: 'line this up with the keys it belongs with (spaces only)',
  MISSING_CHAR: 'a quote or bracket is not closed',
  MULTIPLE_DOCS: 'one tenant per file: remove the second "---" document',
};

/** Collects problems with positions; a credential found at a path silences other problems there (no echo). */
export class Problems {
  private readonly list: MappingError[] = [];
  private readonly file: string;
  private readonly source: YamlSource;

  constructor(file: string, source: YamlSource) {
    this.file = file;
    this.source = source;
  }

  add(problem: PlacedProblem, at: TextPosition): void {
    this.list.push({
      file: this.file,
      line: at.line,
      column: at.column,
      ...problem,
      path: formatKeyPath(problem.path),
    });
  }

  addDraft(draft: ProblemDraft): void {
    const path = draft.path.map((s) => (typeof s === 'number' ? s : String(s)));
    const at =
      (draft.placeholder !== undefined ? this.placeholderPosition(path, draft.placeholder) : undefined) ??
      (draft.at === 'key' ? keyPosition(this.source, path) : undefined) ??
      problemPosition(this.source, path);
    const { code, message, expected, hint } = draft;
    this.add(
      {
        code,
        path,
        message,
        ...(expected === undefined ? {} : { expected }),
        ...(hint === undefined ? {} : { hint }),
      },
      at,
    );
  }

  addYamlError(code: string, message: string, offset: number): void {
    const at = positionAt(this.source, offset);
    const path = pathAtOffset(this.source, offset);
    if (code === 'DUPLICATE_KEY') {
      const key = String(path.at(-1) ?? '');
      this.add(
        {
          code: 'duplicate_key',
          path,
          message: `"${key}" is written twice in the same section`,
          hint: 'keep one of them: YAML would silently use the last one, so gridsync refuses to guess',
        },
        at,
      );
      return;
    }
    const hint =
      YAML_HINTS[code] ?? 'YAML syntax: check indentation, the ":" after each key and closing quotes';
    this.add(
      {
        code: 'yaml_syntax',
        path,
        message: message.replace(/\s+/g, ' ').replace(/ at line \d+, column \d+.*$/, ''),
        hint,
      },
      at,
    );
  }

  /** `{{name}}` inside a template: the exact column when the raw text contains it verbatim. */
  private placeholderPosition(path: (string | number)[], name: string): TextPosition | undefined {
    const scalar = scalarAt(this.source, path);
    if (!scalar?.node.range) return undefined;
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const found = new RegExp(`\\{\\{\\s*${escaped}\\s*\\}\\}`).exec(scalar.raw);
    return found ? positionAt(this.source, scalar.node.range[0] + found.index) : undefined;
  }

  has(predicate: (e: MappingError) => boolean): boolean {
    return this.list.some(predicate);
  }

  count(): number {
    return this.list.length;
  }

  sorted(): MappingError[] {
    const secretPaths = new Set(
      this.list.filter((e) => e.code === 'secret_value' || e.code === 'secret_like_value').map((e) => e.path),
    );
    const seen = new Set<string>();
    return this.list
      .filter((e) => {
        if (secretPaths.has(e.path) && e.code !== 'secret_value' && e.code !== 'secret_like_value') {
          return false;
        }
        if (
          e.code === 'secret_like_value' &&
          this.list.some((o) => o.code === 'secret_value' && o.path === e.path)
        ) {
          return false;
        }
        const key = `${e.line}:${e.column}:${e.path}:${e.message}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      })
      .sort(compareMappingErrors);
  }
}

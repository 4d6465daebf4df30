/**
 * A person at a terminal gets readable lines, a pipe (a container's log, a file) gets JSON: the choice follows
 * whether stdout is a TTY. The terminal is a real pseudo-terminal from util-linux `script`.
 */
import { execFileSync, spawnSync } from 'node:child_process';

import { describe, expect, it } from 'vitest';

const LOG_ONE_LINE = `import('./src/lib/logger.ts').then((m) => m.createLogger().info({ tenant: 'acme' }, 'hello'))`;
// The terminal's colour codes (ESC [ n m), stripped before matching.
const COLOUR = new RegExp(`${String.fromCharCode(27)}\\[\\d+m`, 'g');
const hasScript = spawnSync('script', ['--version']).status === 0;

describe('log format', () => {
  it('is one JSON object per line when stdout is a pipe', () => {
    const out = execFileSync(process.execPath, ['-e', LOG_ONE_LINE], { encoding: 'utf8' });
    expect(JSON.parse(out)).toMatchObject({ level: 30, msg: 'hello', tenant: 'acme' });
  });

  it.skipIf(!hasScript)('is a readable line when stdout is a terminal', () => {
    const command = `'${process.execPath}' -e "${LOG_ONE_LINE.replaceAll('"', '\\"')}"`;
    const out = execFileSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8' }).replaceAll(
      COLOUR,
      '',
    );
    expect(out).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: hello \{"tenant":"acme"\}/);
  });
});

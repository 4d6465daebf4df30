import { describe, expect, it } from 'vitest';
import { NODE_FLAGS, unsetNodeFlags } from './node-flags.ts';

describe('unsetNodeFlags', () => {
  it('names every flag when the process was started with none', () => {
    expect(unsetNodeFlags([], undefined)).toEqual([...NODE_FLAGS]);
    expect(unsetNodeFlags(['--env-file=.env'], '--enable-source-maps')).toEqual([...NODE_FLAGS]);
  });

  it('accepts a flag from the command line or NODE_OPTIONS, in any spelling or value the operator chose', () => {
    expect(unsetNodeFlags(['--max-semi-space-size=16', '--max-old-space-size=1024'])).toEqual([]);
    expect(unsetNodeFlags(['--max-old-space-size=4096'], '--trace-gc --max-semi-space-size=8')).toEqual([]);
    expect(unsetNodeFlags(['--max_semi_space_size', '32'])).toEqual(['--max-old-space-size=1024']);
  });

  it('does not take a similar option for it', () => {
    expect(unsetNodeFlags(['--max-heap-size=512', '--semi-space-growth-factor=1'])).toEqual([...NODE_FLAGS]);
  });
});

import { describe, expect, it } from 'vitest';
import { TurnBatcher } from '../../collector/turn-batcher.js';

/** The pipeline's turn batching: same results as calling the step directly, only run later and together. */
describe('turn batcher', () => {
  it('runs the step for every input of one turn after that turn, in arrival order', async () => {
    const calls: string[] = [];
    const batcher = new TurnBatcher(async (input: string) => {
      calls.push(input);
      return input.toUpperCase();
    });
    const results = Promise.all(['a', 'b', 'c'].map((input) => batcher.run(input)));
    calls.push('turn ends');
    expect(await results).toEqual(['A', 'B', 'C']);
    expect(calls).toEqual(['turn ends', 'a', 'b', 'c']);
  });

  it('fails only the request whose step failed, whether it threw or rejected', async () => {
    const batcher = new TurnBatcher((input: string): Promise<string> => {
      if (input === 'throws') throw new Error('thrown');
      if (input === 'rejects') return Promise.reject(new Error('rejected'));
      return Promise.resolve(input);
    });
    const outcomes = await Promise.allSettled(
      ['a', 'throws', 'b', 'rejects', 'c'].map((i) => batcher.run(i)),
    );
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message))).toEqual([
      'a',
      'thrown',
      'b',
      'rejected',
      'c',
    ]);
  });

  it('runs inputs of a later turn in a later batch', async () => {
    const batches: string[][] = [];
    let current: string[] | undefined;
    const batcher = new TurnBatcher(async (input: string) => {
      if (!current) {
        current = [];
        batches.push(current);
        queueMicrotask(() => {
          current = undefined;
        });
      }
      current.push(input);
      return input;
    });
    await Promise.all([batcher.run('a'), batcher.run('b')]);
    await Promise.all([batcher.run('c')]);
    expect(batches).toEqual([['a', 'b'], ['c']]);
  });
});

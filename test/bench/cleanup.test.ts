// The benchmark's cleanup: every step once, newest first, failures reported and not skipping others.
import { describe, expect, it } from 'vitest';
import { Cleanup } from '../../bench/cleanup.js';

describe('Cleanup', () => {
  it('runs the steps newest first, once, however often it is called', async () => {
    const cleanup = new Cleanup();
    const done: string[] = [];
    cleanup.add(() => void done.push('remove dir'));
    cleanup.add(async () => void done.push('stop cluster'));
    await Promise.all([cleanup.run(), cleanup.run()]);
    await cleanup.run();
    expect(done).toEqual(['stop cluster', 'remove dir']);
  });

  it('skips a step taken out, and goes on after a step fails', async () => {
    const cleanup = new Cleanup();
    const done: string[] = [];
    const errors: unknown[] = [];
    cleanup.add(() => void done.push('first'));
    const forget = cleanup.add(() => void done.push('stopped already'));
    cleanup.add(() => {
      throw new Error('boom');
    });
    forget();
    await cleanup.run((error) => errors.push(error));
    expect(done).toEqual(['first']);
    expect(errors.map((e) => (e as Error).message)).toEqual(['boom']);
  });
});

import { describe, expect, it } from 'vitest';
import { botSpecs } from '../../bench/turns.js';

describe('the bots of the turns bench', () => {
  it('starts none on SQLite when only PostgreSQL is measured (BENCH_ONLY=postgres)', () => {
    for (const cacheSetting of [true, false]) {
      const specs = botSpecs(cacheSetting, { sqlite: false, postgres: true });
      expect(specs.length).toBeGreaterThan(0);
      expect(specs.map((spec) => spec.store)).toEqual(specs.map(() => 'postgres'));
    }
  });

  it('starts the SQLite bots first, then the warm ones again on PostgreSQL', () => {
    const specs = botSpecs(true, { sqlite: true, postgres: true });
    expect(specs.map((spec) => [spec.key, spec.store])).toEqual([
      ['zero', 'sqlite'],
      ['slow-cold', 'sqlite'],
      ['slow-warm', 'sqlite'],
      ['zero-postgres', 'postgres'],
      ['slow-warm-postgres', 'postgres'],
    ]);
    expect(botSpecs(true, { sqlite: true, postgres: false }).map((spec) => spec.store)).toEqual([
      'sqlite',
      'sqlite',
      'sqlite',
    ]);
  });
});

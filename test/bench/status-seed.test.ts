import { afterEach, describe, expect, it } from 'vitest';
import { benchPopulation } from '../../bench/status-population.js';
import { seedStatusBench } from '../../bench/status-seed.js';
import { storeBackends, type OpenedStore } from '../support/store-backends.js';

const TENANT = 'c7a0f00d-0000-4000-8000-000000000001';
const REQUESTS = 300;

describe.each(storeBackends())('the status bench seeding on $name', (backend) => {
  let opened: OpenedStore | undefined;
  afterEach(async () => {
    await opened?.cleanup();
    opened = undefined;
  });

  it('tells every story through the repositories, each call accepted, and stores the states it reports', async () => {
    opened = await backend.open();
    // SQLite runs calls made together in order; a pool does not, so each story's calls there wait in turn.
    const report = await seedStatusBench({
      store: opened.store,
      inOrder: backend.name === 'sqlite',
      lanes: 4,
      together: (work) => work(),
      population: benchPopulation(REQUESTS, TENANT),
      requests: REQUESTS,
      batch: 100,
      now: Date.now(),
      progress: () => undefined,
    });

    expect(await opened.countRows('requests')).toBe(REQUESTS);
    expect(Object.values(report.states).reduce((sum, n) => sum + n, 0)).toBe(REQUESTS);
    for (const [state, count] of Object.entries(report.states)) {
      expect(await opened.countRows('requests', `state = '${state}'`), state).toBe(count);
    }
    expect(report.states.completed).toBeGreaterThan(REQUESTS / 2);
  }, 120_000);
});

import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { personalMessage } from '../support/activities.js';
import { useBot } from '../support/use-bot.js';

describe('SIMULATED_DIRECTORY_LATENCY_MS in local mode', () => {
  const ctx = useBot({ env: { SIMULATED_DIRECTORY_LATENCY_MS: '400', DIRECTORY_CACHE_SECONDS: '0' } });

  it('makes the demo directory answer as slowly as asked, and the diagnosis still uses what it read', async () => {
    const started = performance.now();
    const response = await ctx.bot.post(personalMessage("I can't sign in", { serviceUrl: ctx.connector.serviceUrl }));
    const elapsed = performance.now() - started;
    await ctx.bot.service.settle();

    expect(response.status).toBe(200);
    // A description is answered after the person's methods and sign-ins were read, each call taking 400 ms.
    expect(elapsed).toBeGreaterThanOrEqual(400);
    // Within the evidence budget (2 s), so the first question comes with what the directory said:
    // Alex's sign-ins stopped at verification, so it asks about his phone, listing his methods.
    const card = JSON.stringify(ctx.connector.sentCards().at(-1));
    expect(card).toContain('q-mfa-problem');
    expect(card).toContain('iPhone 15');
  });
});

import { z } from 'zod';
import type { SimulatedUserChanges } from '../directory/simulated-directory.js';

const isoDate = z
  .string()
  .datetime()
  .transform((text) => new Date(text));

const changesSchema = z.object({
  removedMethodIds: z.array(z.string()),
  createdPasses: z.array(
    z.object({ id: z.string(), startDateTime: isoDate, lifetimeInMinutes: z.number().int().positive() }),
  ),
  revokedAt: z.array(isoDate),
});

/**
 * A person's stored simulated-directory changes (JSON text in `simulated_directory_changes.changes`), checked as
 * they are read: a row the demo cannot make sense of stops the start with what to do, rather than half-loading.
 */
export function parseSimulatedChanges(userId: string, text: string): SimulatedUserChanges {
  const parsed = changesSchema.safeParse(parseJson(text));
  if (!parsed.success) {
    throw new Error(
      `The simulated directory's saved changes for ${userId} cannot be read. ` +
        'Start the demo again from the demo tenant with `npm run dev -- --reset`.',
    );
  }
  return parsed.data;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

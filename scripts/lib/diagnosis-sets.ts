import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { DiagnosisEngine } from '../../src/domain/diagnosis/engine.js';

/*
 * The held-out sets of first messages (eval/) as the evaluation and the intent model's trainer read them: an item is
 * right when the first card shown is one of its `expect` ids.
 */

/** The card a message nothing is read in gets: the symptoms question. */
export const SYMPTOMS = 'q-symptom';

/** Where a configured link puts another card first: the ids that count as right in place of an expected one. */
const OFFERED_FIRST: Readonly<Record<string, readonly string[]>> = { 'reset-needed': ['identity-verification'] };

const heldOut = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      locale: z.enum(['en', 'ja']),
      text: z.string().min(1),
      situation: z.string(),
      expect: z.array(z.string()).min(1),
    }),
  ),
});

export type HeldOutItem = z.infer<typeof heldOut>['items'][number];

export function readHeldOutSet(path: string): HeldOutItem[] {
  return heldOut.parse(JSON.parse(readFileSync(path, 'utf8'))).items;
}

/** The first cards that count as right for an item. */
export function acceptedCards(item: Pick<HeldOutItem, 'expect'>): string[] {
  return item.expect.flatMap((id) => [id, ...(OFFERED_FIRST[id] ?? [])]);
}

/**
 * The id of the first card a diagnosis shows, begun at `intentId` (the symptoms card without one) for a person the
 * directory says nothing about, who said `said`.
 */
export function firstCard(engine: DiagnosisEngine, intentId: string | undefined, said: readonly string[]): string {
  if (intentId === undefined) return SYMPTOMS;
  const { view } = engine.begin({}, intentId, said);
  return view.kind === 'question' || view.kind === 'outcome' ? view.node.id : view.kind;
}

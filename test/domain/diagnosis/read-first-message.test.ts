import { describe, expect, it } from 'vitest';

import {
  IntentModel,
  VAGUE_CLASS,
  featurize,
  type IntentModelThresholds,
} from '../../../src/domain/diagnosis/intent-model.js';
import type { Knowledge } from '../../../src/domain/diagnosis/knowledge.js';
import { readFirstMessage, withGuess } from '../../../src/domain/diagnosis/read-first-message.js';

/** Phrases for a lost and a new phone, and one signal: texts still arrive. */
const PHRASES: Pick<Knowledge, 'intents' | 'signals'> = {
  intents: [
    { id: 'lost-phone', entry: 'x', phrases: { en: ['lost + phone'], ja: [] } },
    { id: 'new-phone', entry: 'x', phrases: { en: ['new + phone'], ja: [] } },
  ],
  signals: [{ id: 'sms-works', phrases: { en: ['sms|texts + arrive|work'], ja: [] } }],
};

/**
 * A model sure to the degree `weight` sets that "stolen" (lost-phone) and "upgraded" (new-phone) say what they say,
 * and that "bricked" is about an intent the knowledge lacks.
 */
function withModel(
  thresholds: IntentModelThresholds,
  weight = 20,
): Pick<Knowledge, 'intents' | 'signals' | 'intentModel'> {
  const model = new IntentModel(
    {
      classes: ['lost-phone', 'new-phone', 'broken-phone', VAGUE_CLASS],
      bias: [0, 0, 0, 1],
      features: { 'w:stolen': [0, weight], 'w:upgraded': [1, weight], 'w:bricked': [2, weight] },
    },
    thresholds,
  );
  return { ...PHRASES, intentModel: model };
}

const CAUTIOUS = { fallback: 0.5, override: 0.98 };

describe('readFirstMessage with an intent model', () => {
  it('reads as the matcher alone when the knowledge has no model', () => {
    expect(readFirstMessage('my phone was stolen', PHRASES)).toEqual({ intent: undefined, said: [] });
    expect(readFirstMessage('I lost my phone', PHRASES).intent?.id).toBe('lost-phone');
  });

  it("takes the model's guess, with the signals the text says, where the matcher finds nothing", () => {
    const read = readFirstMessage('my phone was stolen, texts still arrive', withModel(CAUTIOUS));
    expect(read.intent).toEqual({ id: 'lost-phone', score: expect.any(Number) });
    expect(read.intent!.score).toBeGreaterThanOrEqual(0.5);
    expect(read.said).toEqual(['sms-works']);
  });

  it('leaves the message unread where the guess is below the fallback threshold, and reads it at it', () => {
    const text = 'my phone was stolen';
    // "stolen" scores 1.5 over the other intents' 0 and the vague class's 1: the most probable, at about 0.49.
    const unsure = withModel(CAUTIOUS, 1.5 * Math.sqrt(featurize(text).length));
    const guess = unsure.intentModel!.predict(text);
    expect(guess.intentId).toBe('lost-phone');
    expect(guess.probability).toBeLessThan(0.5);
    expect(readFirstMessage(text, unsure)).toEqual({ intent: undefined, said: [] });
    expect(
      readFirstMessage(
        text,
        withModel({ fallback: guess.probability, override: 0.98 }, 1.5 * Math.sqrt(featurize(text).length)),
      ).intent?.id,
    ).toBe('lost-phone');
  });

  it("replaces the matcher's intent only at or above the override threshold, keeping the matcher's signals", () => {
    const text = 'lost my old phone, upgraded to a new one, texts still arrive';
    const model = withModel(CAUTIOUS).intentModel!;
    const guess = model.predict(text);
    expect(guess.intentId).toBe('new-phone');
    const matched = readFirstMessage(text, PHRASES);
    expect(matched.intent?.id).toBe('lost-phone');
    const at = readFirstMessage(text, withModel({ fallback: 0.5, override: guess.probability }));
    expect(at).toEqual({ intent: { id: 'new-phone', score: guess.probability }, said: matched.said });
    expect(at.said).toEqual(['sms-works']);
    const above = readFirstMessage(text, withModel({ fallback: 0.5, override: guess.probability + 1e-9 }));
    expect(above).toEqual(matched);
  });

  it('never undoes a match by guessing that no complaint is named', () => {
    const vague = withModel({ fallback: 0, override: 0 });
    expect(vague.intentModel!.predict('I lost my phone').intentId).toBeUndefined();
    expect(readFirstMessage('I lost my phone', vague).intent?.id).toBe('lost-phone');
    const read = { intent: { id: 'lost-phone', score: 1 }, said: [] };
    expect(withGuess(read, { intentId: undefined, probability: 1 }, { fallback: 0, override: 0 }, () => [])).toBe(read);
  });

  it('ignores a guess of an intent the knowledge does not have', () => {
    expect(readFirstMessage('my phone is bricked', withModel({ fallback: 0, override: 0 }))).toEqual({
      intent: undefined,
      said: [],
    });
  });

  it('reads nothing in empty text', () => {
    expect(readFirstMessage('   ', withModel({ fallback: 0, override: 0 }))).toEqual({ intent: undefined, said: [] });
  });
});

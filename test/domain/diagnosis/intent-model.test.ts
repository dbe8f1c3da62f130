import { describe, expect, it } from 'vitest';

import {
  IntentModel,
  VAGUE_CLASS,
  featurize,
  normaliseForModel,
  type IntentModelWeights,
} from '../../../src/domain/diagnosis/intent-model.js';

/** Two intents and the vague class; "stolen" says lost-phone, 機種変 says new-phone. */
const TOY: IntentModelWeights = {
  classes: ['lost-phone', 'new-phone', VAGUE_CLASS],
  bias: [0, 0, 0.5],
  features: {
    'w:stolen': [0, 8],
    'c:機種変': [1, 8, 2, -1],
    'w:phone': [0, 1, 1, 1],
  },
};
const model = new IntentModel(TOY, { fallback: 0.5, override: 0.9 });

describe('the intent model featurizer', () => {
  it('normalises as the matcher does: NFKC, lower case, apostrophes dropped, punctuation one space', () => {
    expect(normaliseForModel('  Can’t  SIGN-IN!! ＡＢＣ　１２３ ')).toBe('cant sign in abc 123');
    expect(normaliseForModel('ｽﾏﾎを、なくした。')).toBe('スマホを なくした');
  });

  it('gives the same features in the same order for the same text, each once', () => {
    const text = 'lost my phone, lost it again';
    const features = featurize(text);
    expect(featurize(text)).toEqual(features);
    expect(new Set(features).size).toBe(features.length);
    expect(featurize('LOST my phone,   lost it again!')).toEqual(features);
  });

  it('cuts Latin text into character grams of 2 to 4 framed by spaces, and words and word pairs', () => {
    const features = featurize('Lost phone');
    expect(features).toEqual(
      expect.arrayContaining(['c:lo', 'c: lo', 'c:lost', 'c:t p', 'c:ne ', 'w:lost', 'w:phone', 'w:lost phone']),
    );
    // No gram longer than four characters, none of a lone letter between spaces.
    expect(features.filter((f) => f.startsWith('c:')).every((f) => f.length <= 6)).toBe(true);
    expect(features).not.toContain('c:lost ');
    expect(features).not.toContain('c: l');
  });

  it('cuts Japanese into character grams across the whole run, with no word features', () => {
    const features = featurize('スマホを機種変した');
    expect(features).toEqual(expect.arrayContaining(['c:機種', 'c:機種変', 'c:種変し', 'c: スマ', 'c:した ']));
    expect(features.some((f) => f.startsWith('w:'))).toBe(false);
    // A mixed message has both.
    expect(featurize('スマホ lost')).toEqual(expect.arrayContaining(['c:スマホ', 'w:lost']));
  });

  it('has no features for text of punctuation and spaces', () => {
    expect(featurize(' ?!、。 ')).toEqual([]);
  });
});

describe('IntentModel.predict', () => {
  it('guesses the class its weights favour, with the softmax probability', () => {
    const guess = model.predict('my phone was stolen');
    expect(guess.intentId).toBe('lost-phone');
    // Scores: lost-phone (8 + 1)/√n, new-phone 1/√n, vague 0.5, n the number of features.
    const scale = 1 / Math.sqrt(featurize('my phone was stolen').length);
    const scores = [9 * scale, scale, 0.5].map(Math.exp);
    expect(guess.probability).toBeCloseTo(scores[0]! / (scores[0]! + scores[1]! + scores[2]!), 10);
  });

  it('reads Japanese through its character grams', () => {
    expect(model.predict('機種変しました').intentId).toBe('new-phone');
  });

  it('answers undefined, not the vague class id, when the vague class wins', () => {
    expect(model.predict('good morning')).toEqual({ intentId: undefined, probability: expect.any(Number) });
    expect(model.predict('!!!')).toEqual({ intentId: undefined, probability: 1 });
  });

  it('lists the intents it may guess, without the vague class', () => {
    expect(model.intentIds).toEqual(['lost-phone', 'new-phone']);
  });
});

/**
 * A learned reading of first messages, beside the phrase matcher: multinomial logistic regression over character
 * n-grams (2 to 4, Japanese included) and Latin word unigrams and bigrams. It is trained by
 * `npm run train:diagnosis` on the spent held-out sets and read here from its sparse weights; the matcher stays the
 * first reader (readFirstMessage says when the model's guess is taken). Pure: no file is read here.
 */

/** The class of messages that name no complaint ("hi cant sign in"): the bot asks for the symptom. */
export const VAGUE_CLASS = 'none';

/** How text is cut into features; stored with a model so that a model trained otherwise is refused. */
export const FEATURE_SETTINGS = { charGrams: [2, 4], wordGrams: [1, 2], normalise: 'NFKC, lower case' } as const;

/** A model as stored: classes (intent ids and VAGUE_CLASS), their biases, and per feature its non-zero weights. */
export interface IntentModelWeights {
  classes: readonly string[];
  bias: readonly number[];
  /** Per feature, pairs flattened: class index, weight, class index, weight… */
  features: Readonly<Record<string, readonly number[]>>;
}

/**
 * When a guess is taken (chosen by cross-validation over the training sets): `fallback`, the least probability for
 * a message the matcher reads nothing in; `override`, the least for a guess to replace the matcher's own intent.
 */
export interface IntentModelThresholds {
  fallback: number;
  override: number;
}

/** The model's guess: an intent id, or undefined for the vague class, and the probability it gives it. */
export interface IntentGuess {
  intentId: string | undefined;
  probability: number;
}

const LATIN_WORD = /[\p{Script=Latin}0-9]+/gu;

/** NFKC, lower case, apostrophes dropped, every run of anything but letters and digits one space. */
export function normaliseForModel(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/['’‘`ʼ]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * The features of a text, each once, in a fixed order: `c:` character n-grams of the normalised text framed by
 * spaces (Japanese has no spaces, so its n-grams carry its words), `w:` Latin words and word pairs.
 */
export function featurize(text: string): string[] {
  const normalised = normaliseForModel(text);
  if (normalised === '') return [];
  const features = new Set<string>();
  const chars = Array.from(` ${normalised} `);
  const [shortest, longest] = FEATURE_SETTINGS.charGrams;
  for (let size = shortest; size <= longest; size += 1) {
    for (let start = 0; start + size <= chars.length; start += 1) {
      const gram = chars.slice(start, start + size).join('');
      // A gram of spaces and one letter says no more than the letter's words do.
      if (gram.trim().length > 1) features.add(`c:${gram}`);
    }
  }
  const words = normalised.match(LATIN_WORD) ?? [];
  words.forEach((word, at) => {
    features.add(`w:${word}`);
    if (at > 0) features.add(`w:${words[at - 1]} ${word}`);
  });
  return [...features];
}

/** Softmax in place over scores; returns the index of the largest. */
export function softmax(scores: Float64Array): number {
  let best = 0;
  for (let i = 1; i < scores.length; i += 1) if (scores[i]! > scores[best]!) best = i;
  const max = scores[best]!;
  let sum = 0;
  for (let i = 0; i < scores.length; i += 1) {
    scores[i] = Math.exp(scores[i]! - max);
    sum += scores[i]!;
  }
  for (let i = 0; i < scores.length; i += 1) scores[i] = scores[i]! / sum;
  return best;
}

/**
 * A trained model, ready to guess. Every feature present counts 1/√n (n: the text's features), so a long message
 * weighs no more than a short one; the trainer uses the same featurize and the same scaling.
 */
export class IntentModel {
  private readonly classes: readonly string[];
  private readonly bias: readonly number[];
  private readonly weights: ReadonlyMap<string, readonly number[]>;

  constructor(
    weights: IntentModelWeights,
    readonly thresholds: IntentModelThresholds,
  ) {
    this.classes = weights.classes;
    this.bias = weights.bias;
    this.weights = new Map(Object.entries(weights.features));
  }

  /** The intent ids the model may guess (the vague class aside). */
  get intentIds(): readonly string[] {
    return this.classes.filter((id) => id !== VAGUE_CLASS);
  }

  /** The most probable class for `text`, with its probability; the vague class for text with no features. */
  predict(text: string): IntentGuess {
    const features = featurize(text);
    if (features.length === 0) return { intentId: undefined, probability: 1 };
    const scale = 1 / Math.sqrt(features.length);
    const scores = Float64Array.from(this.bias);
    for (const feature of features) {
      const pairs = this.weights.get(feature);
      if (pairs === undefined) continue;
      for (let i = 0; i + 1 < pairs.length; i += 2) scores[pairs[i]!] = scores[pairs[i]!]! + pairs[i + 1]! * scale;
    }
    const best = softmax(scores);
    const id = this.classes[best];
    return { intentId: id === VAGUE_CLASS ? undefined : id, probability: scores[best]! };
  }
}

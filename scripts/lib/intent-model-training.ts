import type { DiagnosisEngine } from '../../src/domain/diagnosis/engine.js';
import { VAGUE_CLASS, featurize, softmax, type IntentModelWeights } from '../../src/domain/diagnosis/intent-model.js';
import type { Knowledge } from '../../src/domain/diagnosis/knowledge.js';
import { readFirstMessage } from '../../src/domain/diagnosis/read-first-message.js';
import { SYMPTOMS, acceptedCards, firstCard, type HeldOutItem } from './diagnosis-sets.js';
import { seededRandom } from './seeded-random.js';

/**
 * The sets the model learns from, in eval/: the ten spent ones. diagnosis-held-out-11.json is the one honest test
 * left and is never read here, for training or for choosing thresholds.
 */
export const TRAINING_SETS = [
  'diagnosis-held-out.json',
  'diagnosis-held-out-2.json',
  'diagnosis-held-out-3.json',
  'diagnosis-held-out-4.json',
  'diagnosis-held-out-5.json',
  'diagnosis-held-out-6.json',
  'diagnosis-held-out-7.json',
  'diagnosis-held-out-8.json',
  'diagnosis-held-out-9.json',
  'diagnosis-held-out-10.json',
] as const;

/** A training example: the text and its class (an intent id or VAGUE_CLASS). */
export interface LabelledText {
  text: string;
  label: string;
}

/**
 * The class an item teaches: the intent whose diagnosis shows its expected first card first (the matcher's own
 * choice for the text when it is among several, else the first in the knowledge's order); the vague class when
 * only the symptoms card is expected and no intent leads there; undefined (the item is skipped) when no intent
 * leads to the card expected. `knowledge` must be without a model: the matcher alone says what it would choose.
 */
export function labelOf(
  item: Pick<HeldOutItem, 'text' | 'expect'>,
  knowledge: Pick<Knowledge, 'intents' | 'signals'>,
  engine: DiagnosisEngine,
): string | undefined {
  const accepted = acceptedCards(item);
  const leading = knowledge.intents
    .map((intent) => intent.id)
    .filter((id) => accepted.includes(firstCard(engine, id, [])));
  const chosen = readFirstMessage(item.text, { intents: knowledge.intents, signals: knowledge.signals }).intent?.id;
  if (chosen !== undefined && leading.includes(chosen)) return chosen;
  if (leading.length > 0) return leading[0];
  return accepted.includes(SYMPTOMS) ? VAGUE_CLASS : undefined;
}

/** The classes the labels name, in the knowledge's order, the vague class last. */
export function classesOf(labels: readonly string[], knowledge: Pick<Knowledge, 'intents'>): string[] {
  const named = new Set(labels);
  const classes = knowledge.intents.map((intent) => intent.id).filter((id) => named.has(id));
  return named.has(VAGUE_CLASS) ? [...classes, VAGUE_CLASS] : classes;
}

/** How the model is trained; fixed, so that the same examples always give the same file. */
export interface TrainingSettings {
  epochs: number;
  learningRate: number;
  /** L2 penalty, applied to the weights of the features an example has when it is read. */
  l2: number;
  seed: number;
  /** The most JSON the features may take, roughly: weights are kept, largest first, until it is reached. */
  maxFeatureBytes: number;
  /** Weights are rounded to this many decimals; those that round to 0 are left out. */
  decimals: number;
}

export const TRAINING_SETTINGS: TrainingSettings = {
  epochs: 30,
  learningRate: 0.5,
  l2: 1e-4,
  seed: 13,
  maxFeatureBytes: 1_400_000,
  decimals: 3,
};

/**
 * Multinomial logistic regression by AdaGrad with an L2 penalty, in a fixed order of examples (seeded), so that the
 * same examples and settings give the same weights. Each example's features count 1/√n, as IntentModel reads them.
 * Returns the weights pruned to `settings.maxFeatureBytes` and rounded to `settings.decimals`.
 */
export function trainIntentWeights(
  examples: readonly LabelledText[],
  classes: readonly string[],
  settings: TrainingSettings = TRAINING_SETTINGS,
): IntentModelWeights {
  const classCount = classes.length;
  const classIndex = new Map(classes.map((id, at) => [id, at]));
  const vocabulary = new Map<string, number>();
  const rows = examples.map(({ text, label }) => {
    const target = classIndex.get(label);
    if (target === undefined) throw new Error(`label ${label} is not among the classes`);
    const features = featurize(text).map((feature) => {
      let id = vocabulary.get(feature);
      if (id === undefined) {
        id = vocabulary.size;
        vocabulary.set(feature, id);
      }
      return id;
    });
    return { features, scale: features.length === 0 ? 0 : 1 / Math.sqrt(features.length), target };
  });
  const weights = new Float64Array(vocabulary.size * classCount);
  const squares = new Float64Array(vocabulary.size * classCount);
  const bias = new Float64Array(classCount);
  const biasSquares = new Float64Array(classCount);
  const scores = new Float64Array(classCount);
  const random = seededRandom(settings.seed);
  const order = rows.map((_, at) => at);
  const { learningRate, l2 } = settings;
  for (let epoch = 0; epoch < settings.epochs; epoch += 1) {
    for (let i = order.length - 1; i > 0; i -= 1) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const at of order) {
      const { features, scale, target } = rows[at]!;
      scores.set(bias);
      for (const feature of features) {
        const base = feature * classCount;
        for (let c = 0; c < classCount; c += 1) scores[c] = scores[c]! + weights[base + c]! * scale;
      }
      softmax(scores);
      for (let c = 0; c < classCount; c += 1) {
        const error = scores[c]! - (c === target ? 1 : 0);
        biasSquares[c] = biasSquares[c]! + error * error;
        bias[c] = bias[c]! - (learningRate * error) / Math.sqrt(biasSquares[c]! + 1e-8);
        for (const feature of features) {
          const slot = feature * classCount + c;
          const gradient = error * scale + l2 * weights[slot]!;
          squares[slot] = squares[slot]! + gradient * gradient;
          weights[slot] = weights[slot]! - (learningRate * gradient) / Math.sqrt(squares[slot]! + 1e-8);
        }
      }
    }
  }
  return prune(vocabulary, weights, bias, classes, settings);
}

function prune(
  vocabulary: ReadonlyMap<string, number>,
  weights: Float64Array,
  bias: Float64Array,
  classes: readonly string[],
  settings: TrainingSettings,
): IntentModelWeights {
  const classCount = classes.length;
  const factor = 10 ** settings.decimals;
  const round = (value: number) => Math.round(value * factor) / factor || 0;
  const names = [...vocabulary.keys()];
  // Every weight that rounds to something, largest first; ties in feature then class order (the sort is stable).
  const slots: number[] = [];
  for (let slot = 0; slot < weights.length; slot += 1) if (round(weights[slot]!) !== 0) slots.push(slot);
  slots.sort((a, b) => Math.abs(weights[b]!) - Math.abs(weights[a]!));
  const kept = new Map<number, number[]>();
  let bytes = 0;
  for (const slot of slots) {
    const feature = Math.floor(slot / classCount);
    const weight = round(weights[slot]!);
    const pairs = kept.get(feature);
    // A class index, a weight and their commas; a feature's first weight brings its name and brackets.
    bytes +=
      `${slot % classCount},${weight},`.length + (pairs ? 0 : Buffer.byteLength(JSON.stringify(names[feature])) + 3);
    if (bytes > settings.maxFeatureBytes) break;
    if (pairs) pairs.push(slot % classCount, weight);
    else kept.set(feature, [slot % classCount, weight]);
  }
  const features: Record<string, number[]> = {};
  for (const feature of [...kept.keys()].sort((a, b) => a - b)) {
    features[names[feature]!] = sortedPairs(kept.get(feature)!);
  }
  return { classes, bias: Array.from(bias, round), features };
}

/** Pairs of class index and weight, by class index. */
function sortedPairs(pairs: readonly number[]): number[] {
  const byClass: [number, number][] = [];
  for (let i = 0; i + 1 < pairs.length; i += 2) byClass.push([pairs[i]!, pairs[i + 1]!]);
  return byClass.sort((a, b) => a[0] - b[0]).flat();
}

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { TRAINING_SETS, classesOf, labelOf, trainIntentWeights } from '../../scripts/lib/intent-model-training.js';
import { readHeldOutSet } from '../../scripts/lib/diagnosis-sets.js';
import { intentModelPathFor, loadIntentModel, withIntentModel } from '../../src/content/diagnosis/load-intent-model.js';
import { DEFAULT_KNOWLEDGE_PATH, loadKnowledge } from '../../src/content/diagnosis/load-knowledge.js';
import { DiagnosisEngine } from '../../src/domain/diagnosis/engine.js';
import { VAGUE_CLASS } from '../../src/domain/diagnosis/intent-model.js';
import { KnowledgeError } from '../../src/errors.js';
import { projectPath } from '../../src/project-root.js';
import { EVERY_LINK, shippedKnowledge } from '../support/knowledge-walk.js';
import { tempFolder } from '../support/temp-folders.js';

const MODEL_PATH = intentModelPathFor(DEFAULT_KNOWLEDGE_PATH);
const shipped = JSON.parse(readFileSync(MODEL_PATH, 'utf8')) as {
  classes: string[];
  bias: number[];
  features: Record<string, number[]>;
  trainedOn: { sets: string[] };
  thresholds: { fallback: number; override: number };
};

/** The problems loadIntentModel reports for the shipped model changed by `change`. */
function problemsWith(change: (model: Record<string, unknown>) => void): readonly string[] {
  const model = structuredClone(shipped) as unknown as Record<string, unknown>;
  change(model);
  const path = join(tempFolder('intent-model-'), 'broken.intent-model.json');
  writeFileSync(path, JSON.stringify(model));
  try {
    loadIntentModel(path, shippedKnowledge);
  } catch (error) {
    if (error instanceof KnowledgeError) return error.problems;
    throw error;
  }
  throw new Error('loadIntentModel accepted a broken model');
}

describe('the shipped intent model', () => {
  it('lies beside the knowledge and loads with it', () => {
    expect(MODEL_PATH).toBe(projectPath('content', 'diagnosis.intent-model.json'));
    expect(shippedKnowledge.intentModel).toBeDefined();
  });

  it('knows only intents the knowledge has', () => {
    const intents = new Set(shippedKnowledge.intents.map((intent) => intent.id));
    expect(shipped.classes.filter((id) => id !== VAGUE_CLASS && !intents.has(id))).toEqual([]);
    expect(shippedKnowledge.intentModel!.intentIds.every((id) => intents.has(id))).toBe(true);
  });

  it('stays small enough to start quickly', () => {
    expect(readFileSync(MODEL_PATH).length).toBeLessThan(1.5 * 1024 * 1024);
  });

  it('takes a guess only when it is probable, and overrides the phrases only when it is nearly certain', () => {
    expect(shipped.thresholds.fallback).toBeGreaterThanOrEqual(0.3);
    expect(shipped.thresholds.override).toBeGreaterThanOrEqual(0.9);
  });

  it('was trained on the ten spent sets, never on the sealed eleventh', () => {
    expect(TRAINING_SETS).toHaveLength(10);
    expect(TRAINING_SETS).toContain('diagnosis-held-out-10.json');
    expect(TRAINING_SETS.some((set) => set.includes('-11'))).toBe(false);
    expect(shipped.trainedOn.sets).toEqual([...TRAINING_SETS]);
  });

  it('is what `npm run train:diagnosis` writes from those sets', () => {
    const knowledge = loadKnowledge(EVERY_LINK);
    const engine = new DiagnosisEngine(knowledge, EVERY_LINK);
    const labelled = TRAINING_SETS.flatMap((set) => readHeldOutSet(projectPath('eval', set))).flatMap((item) => {
      const label = labelOf(item, knowledge, engine);
      return label === undefined ? [] : [{ text: item.text, label }];
    });
    const classes = classesOf(
      labelled.map(({ label }) => label),
      knowledge,
    );
    const weights = trainIntentWeights(labelled, classes);
    expect(weights.classes).toEqual(shipped.classes);
    expect(weights.bias).toEqual(shipped.bias);
    expect(Object.keys(weights.features)).toEqual(Object.keys(shipped.features));
    expect(weights.features).toEqual(shipped.features);
  });
});

describe('loading an intent model', () => {
  it('leaves the knowledge to its phrases when no model lies beside it', () => {
    const path = join(tempFolder('intent-model-'), 'custom.json');
    writeFileSync(path, readFileSync(DEFAULT_KNOWLEDGE_PATH));
    const knowledge = loadKnowledge(EVERY_LINK, path);
    expect(withIntentModel(knowledge, path)).toBe(knowledge);
    expect(withIntentModel(knowledge, path).intentModel).toBeUndefined();
  });

  it('refuses a file that is not JSON', () => {
    const path = join(tempFolder('intent-model-'), 'x.intent-model.json');
    writeFileSync(path, '{"classes": [');
    expect(() => loadIntentModel(path, shippedKnowledge)).toThrow(KnowledgeError);
  });

  it('refuses a model that guesses an intent the knowledge does not have', () => {
    expect(
      problemsWith((model) => {
        (model.classes as string[])[0] = 'teleported-phone';
      }),
    ).toContain('classes: the knowledge has no intent teleported-phone');
  });

  it('refuses weights that are not pairs of a class index and a number', () => {
    const [first] = Object.keys(shipped.features);
    for (const broken of [[0], [shipped.classes.length, 1], ['1', 0.5], [0.5, 1], 'weights']) {
      expect(
        problemsWith((model) => {
          (model.features as Record<string, unknown>)[first!] = broken;
        }),
      ).toContain(`features.${first}: class index and weight pairs are needed`);
    }
  });

  it('refuses a model whose biases or thresholds are malformed', () => {
    expect(problemsWith((model) => (model.bias as number[]).pop())).toContain('bias: one per class is needed');
    expect(problemsWith((model) => (model.thresholds = { fallback: 2, override: 0.9 }))).toEqual([
      expect.stringContaining('thresholds.fallback'),
    ]);
    expect(problemsWith((model) => delete model.features)).toEqual([expect.stringContaining('features')]);
  });

  it('refuses a model that cuts text otherwise than this code', () => {
    expect(
      problemsWith((model) => {
        model.featureSettings = { charGrams: [1, 5], wordGrams: [1, 2], normalise: 'NFKC, lower case' };
      }),
    ).toContain('featureSettings: the model cuts text otherwise than this code does');
  });
});

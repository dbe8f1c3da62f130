import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  FEATURE_SETTINGS,
  IntentModel,
  VAGUE_CLASS,
  type IntentModelWeights,
} from '../../domain/diagnosis/intent-model.js';
import type { Knowledge } from '../../domain/diagnosis/knowledge.js';
import { KnowledgeError } from '../../errors.js';

const probability = z.number().min(0).max(1);

/**
 * The model file `npm run train:diagnosis` writes. The features' weights are checked by modelProblems in one plain
 * loop: zod over a hundred thousand numbers would cost the start several times the parse.
 */
const modelSchema = z
  .object({
    $comment: z.string().optional(),
    trainedOn: z.object({
      sets: z.array(z.string()).nonempty(),
      items: z.object({ en: z.number().int(), ja: z.number().int() }),
      skipped: z.number().int(),
    }),
    featureSettings: z.object({
      charGrams: z.tuple([z.number(), z.number()]),
      wordGrams: z.tuple([z.number(), z.number()]),
      normalise: z.string(),
    }),
    thresholds: z.object({ fallback: probability, override: probability }).strict(),
    crossValidation: z.unknown().optional(),
    classes: z.array(z.string().min(1)).nonempty(),
    bias: z.array(z.number()),
    features: z.custom<Record<string, unknown>>(
      (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
      'an object of features is needed',
    ),
  })
  .strict();

/** Where the intent model of a knowledge file lies: beside it (content/diagnosis.json: content/diagnosis.intent-model.json). */
export function intentModelPathFor(knowledgePath: string): string {
  return knowledgePath.replace(/(\.json)?$/, '.intent-model.json');
}

/**
 * The knowledge with the intent model that lies beside its file, or as it was when there is none (the phrases alone
 * then read first messages). A model file that is there must be sound and trained for this knowledge: a model that
 * guesses an intent the knowledge lacks, or cuts text otherwise than this code, was trained for other knowledge or
 * code and is refused with a KnowledgeError (retrain it, or delete it), as the knowledge itself would be.
 */
export function withIntentModel(knowledge: Knowledge, knowledgePath: string): Knowledge {
  const path = intentModelPathFor(knowledgePath);
  if (!existsSync(path)) return knowledge;
  return { ...knowledge, intentModel: loadIntentModel(path, knowledge) };
}

/** Reads and checks one intent model file against the knowledge it is for. */
export function loadIntentModel(path: string, knowledge: Pick<Knowledge, 'intents'>): IntentModel {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new KnowledgeError(path, [error instanceof Error ? error.message : String(error)]);
  }
  const parsed = modelSchema.safeParse(raw);
  if (!parsed.success) {
    throw new KnowledgeError(
      path,
      parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    );
  }
  const model = parsed.data;
  const problems = modelProblems(model, new Set(knowledge.intents.map((intent) => intent.id)));
  if (problems.length > 0) throw new KnowledgeError(path, [...problems, 'retrain it with `npm run train:diagnosis`']);
  return new IntentModel(model as typeof model & IntentModelWeights, model.thresholds);
}

function modelProblems(model: z.infer<typeof modelSchema>, intents: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const unknown = model.classes.filter((id) => id !== VAGUE_CLASS && !intents.has(id));
  if (unknown.length > 0) problems.push(`classes: the knowledge has no intent ${unknown.join(', ')}`);
  if (new Set(model.classes).size !== model.classes.length) problems.push('classes: an intent is listed twice');
  if (model.bias.length !== model.classes.length) problems.push('bias: one per class is needed');
  const { charGrams, wordGrams, normalise } = FEATURE_SETTINGS;
  const settings = model.featureSettings;
  if (
    settings.normalise !== normalise ||
    settings.charGrams.join() !== charGrams.join() ||
    settings.wordGrams.join() !== wordGrams.join()
  ) {
    problems.push('featureSettings: the model cuts text otherwise than this code does');
  }
  for (const [feature, pairs] of Object.entries(model.features)) {
    const sound =
      Array.isArray(pairs) &&
      pairs.length % 2 === 0 &&
      pairs.every((value: unknown, at) =>
        at % 2 === 0
          ? Number.isInteger(value) && (value as number) >= 0 && (value as number) < model.classes.length
          : Number.isFinite(value),
      );
    if (!sound) {
      problems.push(`features.${feature}: class index and weight pairs are needed`);
      break;
    }
  }
  return problems;
}

import { loadKnowledge } from '../../src/content/diagnosis/load-knowledge.js';
import { DiagnosisEngine, type DiagnosisStep, type Facts } from '../../src/domain/diagnosis/engine.js';
import { LINK_IDS, type Knowledge, type LinkId } from '../../src/domain/diagnosis/knowledge.js';
import { readFirstMessage } from '../../src/domain/diagnosis/read-first-message.js';

/** The links every organisation has (they have defaults); the others are optional. */
export const DEFAULT_LINKS: ReadonlySet<LinkId> = new Set([
  'securityInfo',
  'passwordReset',
  'authenticatorApp',
  'deviceCompliance',
]);

/** Every link configured, as in the held-out evaluation. */
export const EVERY_LINK: ReadonlySet<LinkId> = new Set(LINK_IDS);

/** The shipped knowledge, loaded as an organisation with only the default links loads it. */
export const shippedKnowledge: Knowledge = loadKnowledge(DEFAULT_LINKS);

/** What a step shows: a question or outcome id, or `apply` / `unresolved`. */
export const shown = (step: DiagnosisStep): string =>
  step.view.kind === 'question' || step.view.kind === 'outcome' ? step.view.node.id : step.view.kind;

/**
 * The first card a person sees after typing `text`, as the bot matches it, in an organisation with `links`, for
 * someone the directory says nothing about unless `facts` say otherwise; the symptoms question (q-symptom) when
 * nothing matches.
 */
export function firstCard(
  text: string,
  links: ReadonlySet<LinkId> = EVERY_LINK,
  facts: Facts = {},
  knowledge: Knowledge = shippedKnowledge,
): string {
  const { intent, said } = readFirstMessage(text, knowledge);
  if (!intent) return 'q-symptom';
  return shown(new DiagnosisEngine(knowledge, links).begin(facts, intent.id, said));
}

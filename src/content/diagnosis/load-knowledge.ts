import { readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  FACT_NAMES,
  LINK_IDS,
  RESETTABLE_METHOD_KINDS,
  type Knowledge,
  type LinkId,
} from '../../domain/diagnosis/knowledge.js';
import { findKnowledgeProblems } from '../../domain/diagnosis/validate-knowledge.js';
import { RESET_REASONS } from '../../domain/requests/request.js';
import { KnowledgeError } from '../../errors.js';
import { projectPath } from '../../project-root.js';

const text = z.object({ en: z.string(), ja: z.string() }).strict();
const id = z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be kebab-case');
const fact = z.enum(FACT_NAMES);
const phrases = z.object({ en: z.array(z.string()), ja: z.array(z.string()) }).strict();
const link = z.enum(LINK_IDS);
/** `all`, or the kinds of method an answer says are lost. */
const lost = z.union([z.literal('all'), z.array(z.enum(RESETTABLE_METHOD_KINDS)).nonempty()]);
/** Entra sign-in error codes as written after AADSTS: positive whole numbers. */
const errorCodes = z.array(z.number().int('must be a whole number').positive('must be positive'));
/** What happened, as one of the reasons the reset application offers. */
const reason = z.enum(RESET_REASONS);

const node = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('question'),
      id,
      prompt: text,
      choices: z.array(
        z
          .object({
            id,
            label: text,
            next: z.string(),
            impliedBy: fact.optional(),
            said: z.string().optional(),
            lost: lost.optional(),
            reason: reason.optional(),
          })
          .strict(),
      ),
    })
    .strict(),
  z
    .object({
      kind: z.literal('check'),
      id,
      branches: z.array(
        z
          .object({
            when: z.union([
              z.object({ fact }).strict(),
              z.object({ linkConfigured: link }).strict(),
              z.object({ methodsLeft: z.literal(true) }).strict(),
            ]),
            next: z.string(),
          })
          .strict(),
      ),
      otherwise: z.string(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('outcome'),
      id,
      category: z.enum(['selfService', 'notMfa', 'resetNeeded', 'securityRisk', 'helpdesk']),
      title: text,
      summary: text,
      steps: z.array(text),
      links: z.array(z.object({ link, label: text }).strict()),
      ifNotFixed: z.string().optional(),
    })
    .strict(),
]);

const knowledgeSchema = z
  .object({
    $comment: z.string().optional(),
    start: z.string(),
    nodes: z.array(node),
    intents: z.array(
      z
        .object({
          id,
          entry: z.string(),
          lost: lost.optional(),
          reason: reason.optional(),
          codes: errorCodes.optional(),
          generalCodes: errorCodes.optional(),
          phrases,
        })
        .strict(),
    ),
    signals: z.array(z.object({ id, phrases, reason: reason.optional() }).strict()).optional(),
  })
  .strict();

/** The diagnosis knowledge shipped with the bot. */
export const DEFAULT_KNOWLEDGE_PATH = projectPath('content', 'diagnosis.json');

/**
 * Reads a diagnosis knowledge file and checks it completely (shape, graph, languages, links
 * against the configured URLs). Throws a KnowledgeError listing every problem.
 */
export function loadKnowledge(configuredLinks: ReadonlySet<LinkId>, path: string = DEFAULT_KNOWLEDGE_PATH): Knowledge {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new KnowledgeError(path, [error instanceof Error ? error.message : String(error)]);
  }
  const parsed = knowledgeSchema.safeParse(raw);
  if (!parsed.success) {
    throw new KnowledgeError(
      path,
      parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    );
  }
  const knowledge: Knowledge = parsed.data;
  const problems = findKnowledgeProblems(knowledge, configuredLinks);
  if (problems.length > 0) throw new KnowledgeError(path, problems);
  return knowledge;
}

import { z } from 'zod';
import { Verbs, type Verb } from './verbs.js';

/** A stored request's id, as cards carry it (the store's own bound). */
const requestId = z.string().min(1).max(100);
/** The version of the request the card was drawn from. */
const version = z.number().int().nonnegative();
/** A diagnosis's id, or none (''). */
const diagnosisId = z.string().max(100);
/** An id or a pick among a card's options; what it names is checked against stored state later. */
const pick = z.string().max(200);
/** What a person typed: its length and content are the domain's to judge, so the card can say what to fix. */
const typed = z.string().optional();

/** Every button's data may repeat its verb (the Action.Submit fallback routes on it). */
const plain = z.object({ verb: z.string().optional() });
const aboutRequest = plain.extend({ requestId });
const onReviewCard = aboutRequest.extend({ version });
const diagnosisStep = plain.extend({ diagnosisId: diagnosisId.min(1), node: pick.min(1) });

/**
 * What each button's data may hold, verb by verb: the fields its card puts there and the inputs
 * people fill in, each of its type. Unknown fields are dropped, so a handler only ever reads these.
 */
export const verbDataSchemas: Readonly<Record<Verb, z.ZodType<Record<string, unknown>>>> = {
  [Verbs.diagnoseStart]: plain.extend({ intent: pick.optional() }),
  [Verbs.requestsMine]: plain,
  [Verbs.helpShow]: plain,
  [Verbs.diagnosisAnswer]: diagnosisStep.extend({ choice: pick.optional() }),
  [Verbs.diagnosisFixed]: diagnosisStep,
  [Verbs.diagnosisNotFixed]: diagnosisStep,
  [Verbs.applicationOpen]: plain,
  [Verbs.applicationStart]: plain.extend({
    subjectId: pick.optional(),
    diagnosisId: diagnosisId.optional(),
    reason: pick.optional(),
    lost: pick.optional(),
  }),
  [Verbs.applicationSubmit]: plain.extend({
    subjectId: pick,
    diagnosisId: diagnosisId.optional(),
    reason: typed,
    lostMethods: typed,
    verification: typed,
    contact: typed,
    note: typed,
  }),
  [Verbs.requestCancel]: aboutRequest,
  [Verbs.reviewClaim]: onReviewCard,
  [Verbs.reviewRelease]: onReviewCard,
  [Verbs.reviewHandOver]: onReviewCard.extend({ handOverTo: typed }),
  [Verbs.reviewAskInfo]: onReviewCard.extend({ question: typed }),
  [Verbs.reviewApprove]: onReviewCard.extend({ verification: typed, verificationNote: typed }),
  [Verbs.reviewReject]: onReviewCard.extend({ rejectReason: typed }),
  [Verbs.reviewRetry]: onReviewCard,
  [Verbs.managerConfirm]: aboutRequest.extend({ managerNote: typed }),
  [Verbs.managerDecline]: aboutRequest.extend({ managerNote: typed }),
  [Verbs.infoAnswer]: aboutRequest.extend({ question: z.number().int().positive(), answer: typed }),
  [Verbs.statusShow]: aboutRequest,
  [Verbs.teamShow]: plain,
  [Verbs.queueShow]: plain,
  [Verbs.statsShow]: plain,
  [Verbs.statsPeriod]: plain.extend({ days: z.union([z.number(), z.string().max(20)]) }),
  [Verbs.passIssue]: aboutRequest,
  [Verbs.requestDispute]: aboutRequest,
};

const VERBS: ReadonlySet<string> = new Set(Object.values(Verbs));

/** Whether a button's verb is one of the bot's. */
export function isVerb(value: unknown): value is Verb {
  return typeof value === 'string' && VERBS.has(value);
}

/** A button's data, checked: what the handlers may read, or what did not fit (field paths, never values). */
export type VerbDataCheck = { ok: true; data: Record<string, unknown> } | { ok: false; problems: string[] };

/** Checks a button's data against its verb's schema. */
export function checkVerbData(verb: Verb, data: unknown): VerbDataCheck {
  const parsed = verbDataSchemas[verb].safeParse(data);
  if (parsed.success) return { ok: true, data: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(data)'}: ${issue.code}`),
  };
}

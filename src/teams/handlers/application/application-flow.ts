import type { TurnContext } from 'botbuilder';
import { renderApplicationCard, renderApplicationSubjectCard, type LosableMethod } from '../../../cards/application.js';
import { renderNoticeCard } from '../../../cards/notice.js';
import type { AdaptiveCard } from '../../../cards/render-card.js';
import { format, stringsFor } from '../../../content/strings/index.js';
import { RESETTABLE_METHOD_KINDS, saidLost, type LostMethods } from '../../../domain/diagnosis/knowledge.js';
import { maskMethod } from '../../../domain/diagnosis/mask.js';
import { withDeadline } from '../../../domain/with-deadline.js';
import type { EligibleSubject, Filer, SubmitResult } from '../../../domain/requests/request-service.js';
import { RESET_REASONS } from '../../../domain/requests/request.js';
import type { TeamsDeps } from '../../deps.js';
import { turnLocale, turnLogger } from '../../turn-context.js';

/** Methods that a reset clears; the password and a pass are not among them. */
const LOSABLE_KINDS: ReadonlySet<string> = new Set(RESETTABLE_METHOD_KINDS);

/**
 * What a diagnosis learned, to prefill the form with: the likely reason and the methods the person
 * said are lost (only those are ticked).
 */
export interface ApplicationPrefill {
  reason?: string;
  lost?: LostMethods;
}

/** How long the form waits for the directory's list of methods before showing the form without it. */
const METHODS_BUDGET_MS = 2_000;

/**
 * The first card of an application: for a line manager, whose account it is for (the prefill
 * travels on to the form); for anyone else, the form for their own account, prefilled with
 * what the diagnosis learned.
 */
export async function firstApplicationCard(
  context: TurnContext,
  deps: TeamsDeps,
  filer: Filer,
  diagnosisId: string | undefined,
  prefill: ApplicationPrefill = {},
): Promise<AdaptiveCard> {
  const strings = stringsFor(turnLocale(context, deps.config.defaultLocale));
  const subjects = await deps.requests.eligibleSubjects(filer);
  if (subjects.length > 1) return renderApplicationSubjectCard(strings, subjects, diagnosisId, prefill);
  return formFor(context, deps, subjects[0]!, diagnosisId, prefill);
}

/** The form for `subjectId`, or a refusal when this filer may not apply for that account. */
export async function applicationForm(
  context: TurnContext,
  deps: TeamsDeps,
  filer: Filer,
  subjectId: string,
  diagnosisId: string | undefined,
  prefill: ApplicationPrefill = {},
): Promise<AdaptiveCard> {
  const subject = (await deps.requests.eligibleSubjects(filer)).find((candidate) => candidate.id === subjectId);
  return subject ? formFor(context, deps, subject, diagnosisId, prefill) : notEligible(context, deps);
}

/**
 * The form for an eligible subject, their methods listed. Only the methods the diagnosis established
 * as lost are ticked, and only on the filer's own account (the diagnosis was about that one): a method
 * ticked by default would be deleted on approval, working or not.
 */
async function formFor(
  context: TurnContext,
  deps: TeamsDeps,
  subject: EligibleSubject,
  diagnosisId: string | undefined,
  prefill: ApplicationPrefill,
): Promise<AdaptiveCard> {
  const strings = stringsFor(turnLocale(context, deps.config.defaultLocale));
  const methods = await losableMethods(context, deps, subject.id);
  const lost = subject.isSelf ? prefill.lost : undefined;
  const lostMethods = methods
    .filter((m) => saidLost(lost, m.method.kind))
    .map((m) => m.id)
    .join(',');
  const values = { reason: prefill.reason ?? '', lostMethods };
  return renderApplicationCard(strings, { subject, methods, values, diagnosisId });
}

/** Validates and stores the application; the card to show for what happened. */
export async function submitApplication(
  context: TurnContext,
  deps: TeamsDeps,
  filer: Filer,
  data: Record<string, unknown>,
): Promise<{ card: AdaptiveCard; created: boolean }> {
  const strings = stringsFor(turnLocale(context, deps.config.defaultLocale));
  const a = strings.application;
  const { subjectId, diagnosisId } = applicationTarget(data);
  const methods = await losableMethods(context, deps, subjectId);
  const result: SubmitResult = await deps.requests.submit(
    filer,
    subjectId,
    data,
    new Set(methods.map((m) => m.id)),
    diagnosisId,
  );
  switch (result.kind) {
    case 'created':
      turnLogger(context, deps.logger).info(
        { requestId: result.request.id, reference: result.request.reference },
        'reset application stored',
      );
      await Promise.all([deps.review.route(result.request), diagnosisApplied(context, deps, filer, diagnosisId)]);
      return {
        created: true,
        card: renderNoticeCard({
          title: format(a.confirmationTitle, { reference: result.request.reference }),
          body: result.subject.isSelf
            ? a.confirmationBody
            : format(a.confirmationBodyFor, { name: result.subject.displayName }),
          tone: 'default',
        }),
      };
    case 'invalid':
      return {
        created: false,
        card: renderApplicationCard(strings, {
          subject: result.subject,
          methods,
          values: result.values,
          problems: result.problems,
          diagnosisId,
        }),
      };
    case 'notEligible':
      return { created: false, card: notEligible(context, deps) };
    case 'subjectHasOpenRequest':
      return {
        created: false,
        card: renderNoticeCard({
          title: a.openRequestTitle,
          body: format(a.openRequestBody, { reference: result.reference }),
          tone: 'warning',
        }),
      };
    case 'filerCapReached':
      return {
        created: false,
        card: renderNoticeCard({
          title: a.capReachedTitle,
          body: format(a.capReachedBody, { cap: String(result.cap) }),
          tone: 'warning',
        }),
      };
  }
}

/** The diagnosis the application came from now records it as sent; a failure there only costs the statistic. */
async function diagnosisApplied(
  context: TurnContext,
  deps: TeamsDeps,
  filer: Filer,
  diagnosisId: string | undefined,
): Promise<void> {
  if (diagnosisId === undefined) return;
  try {
    await deps.diagnosis.applicationSent(filer, diagnosisId);
  } catch (error) {
    turnLogger(context, deps.logger).warn(
      { err: error, diagnosisId },
      'could not record the application on its diagnosis',
    );
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whose account and which diagnosis an application card is about, from its untrusted data: the
 * subject is checked against the directory later; a diagnosis id that is not an id is dropped.
 * `prefill` is what the subject picker carried on from the diagnosis (the reason, the methods said
 * to be lost), as far as it makes sense: it only ever decides what the form shows first.
 */
export function applicationTarget(data: Record<string, unknown>): {
  subjectId: string;
  diagnosisId: string | undefined;
  prefill: ApplicationPrefill;
} {
  const reason = typeof data.reason === 'string' ? data.reason : '';
  const prefill: ApplicationPrefill = {};
  if ((RESET_REASONS as readonly string[]).includes(reason)) prefill.reason = reason;
  const lost = lostFrom(data.lost);
  if (lost) prefill.lost = lost;
  return {
    subjectId: typeof data.subjectId === 'string' ? data.subjectId : '',
    diagnosisId: typeof data.diagnosisId === 'string' && UUID.test(data.diagnosisId) ? data.diagnosisId : undefined,
    prefill,
  };
}

/** The lost methods as the subject picker carries them (`all`, or kinds separated by commas); unknown kinds are dropped. */
function lostFrom(value: unknown): LostMethods | undefined {
  if (typeof value !== 'string') return undefined;
  if (value === 'all') return 'all';
  const named = value.split(',');
  const kinds = RESETTABLE_METHOD_KINDS.filter((kind) => named.includes(kind));
  return kinds.length > 0 ? kinds : undefined;
}

function notEligible(context: TurnContext, deps: TeamsDeps): AdaptiveCard {
  const a = stringsFor(turnLocale(context, deps.config.defaultLocale)).application;
  return renderNoticeCard({ title: a.notEligibleTitle, body: a.notEligibleBody, tone: 'warning' });
}

async function losableMethods(context: TurnContext, deps: TeamsDeps, subjectId: string): Promise<LosableMethod[]> {
  if (!deps.directory || subjectId === '') return [];
  try {
    const methods = await withDeadline(deps.directory.getAuthenticationMethods(subjectId), METHODS_BUDGET_MS);
    return methods
      .filter((method) => LOSABLE_KINDS.has(method.kind))
      .map((method) => ({ id: method.id, method: maskMethod(method) }));
  } catch (error) {
    turnLogger(context, deps.logger).warn(
      { err: error },
      'could not list methods for the application; asking without them',
    );
    return [];
  }
}

import type { TurnContext } from 'botbuilder';
import { renderDiagnosisOutcomeCard, renderDiagnosisQuestionCard } from '../../../cards/diagnosis.js';
import { renderNoticeCard } from '../../../cards/notice.js';
import type { AdaptiveCard } from '../../../cards/render-card.js';
import { format, stringsFor } from '../../../content/strings/index.js';
import type { ActiveDiagnosis, DiagnosisSubject, DiagnosisTurn } from '../../../domain/diagnosis/diagnosis-service.js';
import { diagnosisReference } from '../../../domain/diagnosis/diagnosis-reference.js';
import type { TeamsDeps } from '../../deps.js';
import { turnIdentity, turnLocale } from '../../turn-context.js';
import { firstApplicationCard } from '../application/application-flow.js';

/** The person a diagnosis in this turn is for; undefined without an identity (refused earlier). */
export function subjectOf(context: TurnContext, deps: TeamsDeps): DiagnosisSubject | undefined {
  const identity = turnIdentity(context);
  return identity && { ...identity, locale: turnLocale(context, deps.config.defaultLocale) };
}

/**
 * The card for what a diagnosis step produced. Reaching the application opens it right here,
 * prefilled with what the diagnosis learned: the likely reason and only the methods the person said
 * are lost.
 */
export async function cardForTurn(
  context: TurnContext,
  deps: TeamsDeps,
  subject: DiagnosisSubject,
  turn: DiagnosisTurn,
  diagnosis: ActiveDiagnosis,
): Promise<AdaptiveCard> {
  const diagnosisId = diagnosis.id;
  const locale = turnLocale(context, deps.config.defaultLocale);
  const strings = stringsFor(locale);
  const d = strings.diagnosis;
  const view = turn.view;
  switch (view.kind) {
    case 'question':
      return renderDiagnosisQuestionCard(strings, locale, turn.diagnosis ?? diagnosis, view.node);
    case 'outcome':
      return renderDiagnosisOutcomeCard(strings, locale, diagnosisId, view.node, deps.links);
    case 'resolved':
      return renderNoticeCard({ title: d.resolvedTitle, body: d.resolvedBody, tone: 'default' });
    case 'unresolved':
      return renderNoticeCard({
        title: d.unresolvedTitle,
        body: format(d.unresolvedBody, { reference: diagnosisReference(diagnosisId) }),
        tone: 'warning',
      });
    case 'apply':
      return firstApplicationCard(context, deps, subject, diagnosisId, { reason: view.reason, lost: view.lost });
  }
}

import type { TurnContext } from 'botbuilder';
import { renderDiagnosisOutcomeCard, renderDiagnosisQuestionCard } from '../../../cards/diagnosis.js';
import { renderNoticeCard } from '../../../cards/notice.js';
import type { AdaptiveCard } from '../../../cards/render-card.js';
import { format, stringsFor } from '../../../content/strings/index.js';
import type { ActiveDiagnosis, DiagnosisSubject, DiagnosisTurn } from '../../../domain/diagnosis/diagnosis-service.js';
import type { TeamsDeps } from '../../deps.js';
import { turnLocale } from '../../turn-context.js';

/** The person a diagnosis in this turn is for; undefined without an identity (refused earlier). */
export function subjectOf(context: TurnContext, deps: TeamsDeps): DiagnosisSubject | undefined {
  const userId = context.activity.from.aadObjectId;
  const tenantId =
    context.activity.conversation.tenantId ?? (context.activity.channelData?.tenant?.id as string | undefined);
  if (!userId || !tenantId) return undefined;
  return { userId, tenantId, locale: turnLocale(context, deps.config.defaultLocale) };
}

/** The card for what a diagnosis step produced. */
export function cardForTurn(
  context: TurnContext,
  deps: TeamsDeps,
  turn: DiagnosisTurn,
  diagnosisId: string,
): AdaptiveCard {
  const locale = turnLocale(context, deps.config.defaultLocale);
  const strings = stringsFor(locale);
  const d = strings.diagnosis;
  const view = turn.view;
  switch (view.kind) {
    case 'question':
      return renderDiagnosisQuestionCard(strings, locale, turn.diagnosis as ActiveDiagnosis, view.node);
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
      return renderNoticeCard({
        title: d.applyTitle,
        body: format(d.applyBody, { reference: diagnosisReference(diagnosisId) }),
        tone: 'warning',
      });
  }
}

/** A short, readable reference for a diagnosis that the helpdesk can look up. */
export function diagnosisReference(diagnosisId: string): string {
  return `DX-${diagnosisId.replace(/-/g, '').slice(0, 8).toUpperCase()}`;
}

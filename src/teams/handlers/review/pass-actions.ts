import type { TurnContext } from 'botbuilder';
import type { Application } from '@microsoft/teams-ai';
import { formatForReader } from '../../../cards/format-time.js';
import { renderNoticeCard } from '../../../cards/notice.js';
import { renderPassCard, renderPassClosedCard, renderPassOfferCard } from '../../../cards/pass.js';
import type { AdaptiveCard } from '../../../cards/render-card.js';
import { Verbs } from '../../../cards/verbs.js';
import { format, stringsFor } from '../../../content/strings/index.js';
import type { IssueResult } from '../../../domain/requests/execution-service.js';
import type { TeamsDeps } from '../../deps.js';
import { passCardContext, readerOf } from '../../review/pass-courier.js';
import { cardMessage, turnIdentity, turnLocale, turnLogger } from '../../turn-context.js';
import type { AppTurnState } from '../../turn-state.js';

type Data = Record<string, unknown>;

/**
 * The buttons of the pass and of the reset's notice. "Issue the pass now", pressed in the 1:1 chat of the person who checked who the subject is. The
 * pass is made then and comes back only as the answer to that press, on that card, for that
 * person: never as a new message (which Teams could show in a notification). There is no
 * Action.Submit fallback for the same reason.
 */
export function registerPassActions(app: Application<AppTurnState>, deps: TeamsDeps): void {
  app.adaptiveCards.actionExecute(Verbs.passIssue, async (context, _state, data: Data) => {
    const actor = turnIdentity(context);
    if (!actor) return '';
    const strings = stringsFor(turnLocale(context, deps.config.defaultLocale));
    const execution = deps.execution;
    if (!execution || context.activity.conversation.conversationType !== 'personal') {
      return renderNoticeCard({
        title: strings.approval.refusedTitle,
        body: strings.pass.refused.unknownRequest,
        tone: 'warning',
      });
    }
    const result = await execution.issueOnCall(actor, data.requestId);
    log(context, deps, result);
    return answer(context, deps, result);
  });

  // "This was not me", under the notice of a reset in the subject's own chat.
  const dispute = async (context: TurnContext, data: Data): Promise<AdaptiveCard | undefined> => {
    const actor = turnIdentity(context);
    if (!actor) return undefined;
    const strings = stringsFor(turnLocale(context, deps.config.defaultLocale));
    const c = strings.approval.completion;
    const result = await deps.disputes.report(actor, data.requestId);
    const logger = turnLogger(context, deps.logger);
    const reference = result.request?.reference ?? '';
    if (result.kind === 'refused') {
      logger.warn({ requestId: result.request?.id, refusal: result.refusal }, 'reset report refused');
      const body = result.refusal === 'notSubject' ? c.notYours : strings.pass.refused.unknownRequest;
      return renderNoticeCard({ title: strings.approval.refusedTitle, body, tone: 'warning' });
    }
    logger.warn(
      { requestId: result.request.id, outcome: result.kind },
      'the subject reported a reset as not asked for',
    );
    const body = format(result.kind === 'reported' ? c.disputed : c.alreadyDisputed, { reference });
    return renderNoticeCard({ title: c.disputedTitle, body, tone: 'warning' });
  };
  app.adaptiveCards.actionExecute(
    Verbs.requestDispute,
    async (context, _state, data: Data) => (await dispute(context, data)) ?? '',
  );
  app.adaptiveCards.actionSubmit(Verbs.requestDispute, async (context, _state, data: Data) => {
    const card = await dispute(context, data);
    if (card) await context.sendActivity(cardMessage(card));
  });
}

async function answer(context: TurnContext, deps: TeamsDeps, result: IssueResult): Promise<AdaptiveCard> {
  const locale = turnLocale(context, deps.config.defaultLocale);
  const strings = stringsFor(locale);
  const lifetime = deps.config.execution.passLifetimeMinutes;
  if (!result.request) {
    return renderNoticeCard({
      title: strings.approval.refusedTitle,
      body: strings.pass.refused.unknownRequest,
      tone: 'warning',
    });
  }
  const cardContext = await passCardContext(result.request, deps.directory, lifetime, deps.links.securityInfo);
  switch (result.kind) {
    case 'issued': {
      const { pass } = result;
      const validUntil = new Date(pass.startDateTime.getTime() + pass.lifetimeInMinutes * 60_000);
      return renderPassCard(
        strings,
        readerOf(result.handover),
        { ...cardContext, lifetimeInMinutes: pass.lifetimeInMinutes },
        {
          isUsableOnce: pass.isUsableOnce,
          // In the reader's own zone, drawn by their Teams: the same on every device they open it on.
          validUntil: formatForReader(validUntil),
          replacesEarlier: false,
        },
        pass.value,
      );
    }
    case 'failed':
      return renderPassOfferCard(
        strings,
        readerOf(result.handover),
        cardContext,
        format(strings.pass.refused.failed, { code: result.code }),
      );
    case 'refused': {
      const text = format(strings.pass.refused[result.refusal === 'tamperedCard' ? 'unknownRequest' : result.refusal], {
        subject: cardContext.subjectName,
        state: strings.requests.states[result.request.state],
      });
      return renderPassClosedCard(strings, { kind: 'issuer' }, cardContext, { refused: text });
    }
  }
}

function log(context: TurnContext, deps: TeamsDeps, result: IssueResult): void {
  const logger = turnLogger(context, deps.logger);
  const requestId = result.request?.id;
  if (result.kind === 'issued')
    logger.info({ requestId, to: result.handover.kind }, 'pass issued on the verified contact');
  else if (result.kind === 'failed') logger.warn({ requestId, code: result.code }, 'the pass could not be made');
  else logger.warn({ requestId, refusal: result.refusal }, 'pass issue refused');
}

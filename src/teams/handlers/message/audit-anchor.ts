import type { Application } from '@microsoft/teams-ai';
import type { TurnContext } from 'botbuilder';
import { renderNoticeCard } from '../../../cards/notice.js';
import { stringsFor } from '../../../content/strings/index.js';
import type { TeamsDeps } from '../../deps.js';
import { cardMessage, turnIdentity, turnLocale, turnLogger } from '../../turn-context.js';
import type { AppTurnState } from '../../turn-state.js';

/** `audit anchor`, in English or Japanese, typed after mentioning the bot in the approval channel. */
export const auditAnchorPattern =
  /^\s*(audit\s+anchor|anchor\s+(the\s+)?audit\s+trail|監査(証跡の?)?アンカー(を発行)?)\s*[.!?。！？]*\s*$/i;

/**
 * Publishes the audit trail's head in the approval channel now, when a helpdesk agent or lead (checked
 * against the directory) asks there; anywhere else the person is told where to ask.
 */
export function registerAuditAnchor(app: Application<AppTurnState>, deps: TeamsDeps): void {
  app.message(auditAnchorPattern, async (context) => {
    await publishAnchor(context, deps);
  });
}

async function publishAnchor(context: TurnContext, deps: TeamsDeps): Promise<void> {
  const locale = turnLocale(context, deps.config.defaultLocale);
  const s = stringsFor(locale).audit;
  const reply = (title: string, body: string, tone: 'default' | 'warning') =>
    context.sendActivity(cardMessage(renderNoticeCard({ title, body, tone })));
  const actor = turnIdentity(context);
  if (!actor) return;
  const approval = await deps.publisher.channelFor(actor.tenantId);
  const channelId = context.activity.channelData?.channel?.id as string | undefined;
  if (!approval || context.activity.conversation.conversationType !== 'channel' || channelId !== approval.channelId) {
    await reply(s.notHereTitle, s.notHereBody, 'default');
    return;
  }
  const roles = await deps.status.roles(actor.userId);
  if (roles === 'unknown' || (!roles.agent && !roles.lead)) {
    turnLogger(context, deps.logger).warn({ roles }, 'refused to publish an audit anchor');
    await reply(s.notAllowedTitle, roles === 'unknown' ? s.unknownBody : s.notAllowedBody, 'warning');
    return;
  }
  const card = await deps.auditAnchors.anchorNow(actor.tenantId, actor.userId, locale);
  if (!card) {
    await reply(s.anchorTitle, s.emptyBody, 'default');
    return;
  }
  await context.sendActivity(cardMessage(card));
}

import type { Application } from '@microsoft/teams-ai';
import { renderNoticeCard } from '../../../cards/notice.js';
import { stringsFor } from '../../../content/strings/index.js';
import type { TeamsDeps } from '../../deps.js';
import { welcomeReply } from '../../replies.js';
import { cardMessage, turnLocale, turnTenant } from '../../turn-context.js';
import type { AppTurnState } from '../../turn-state.js';

/**
 * Greets when the bot itself is installed: the welcome card in a 1:1 chat, a short
 * introduction in a team or group chat. Other people joining a team are not greeted.
 */
export function registerMembersAdded(app: Application<AppTurnState>, deps: TeamsDeps): void {
  app.conversationUpdate('membersAdded', async (context, state) => {
    const botId = context.activity.recipient.id;
    const botWasAdded = (context.activity.membersAdded ?? []).some((member) => member.id === botId);
    if (!botWasAdded) return;
    if (context.activity.conversation.conversationType === 'personal') {
      await context.sendActivity(cardMessage(await welcomeReply(context, state, deps)));
      return;
    }
    const teamId = context.activity.channelData?.team?.id as string | undefined;
    const tenantId = turnTenant(context);
    if (teamId && tenantId) deps.publisher.teamJoined(tenantId, teamId);
    const { team } = stringsFor(turnLocale(context, deps.config.defaultLocale));
    await context.sendActivity(cardMessage(renderNoticeCard({ title: team.title, body: team.body, tone: 'default' })));
  });
}

import { Application } from '@microsoft/teams-ai';
import type { StateStore } from '../domain/ports.js';
import { renderNoticeCard } from '../cards/notice.js';
import { format, stringsFor } from '../content/strings/index.js';
import type { BotAdapter } from './bot-adapter.js';
import { addressOf } from './capture-address.js';
import { ChangeTracker } from './change-tracker.js';
import type { TeamsDeps } from './deps.js';
import { registerHandlers } from './handlers/register.js';
import { cardMessage, replyToInvokeWithCard, turnLocale, turnLogger, turnRequestId } from './turn-context.js';
import { AppTurnState } from './turn-state.js';

/** Builds the teams-ai Application with its routes, turn bookkeeping and error handler. */
export function createTeamsApp(
  deps: TeamsDeps,
  adapter: BotAdapter,
  storage: StateStore,
  botAppId: string,
): Application<AppTurnState> {
  const app = new Application<AppTurnState>({
    adapter,
    botAppId,
    storage,
    removeRecipientMention: true,
    startTypingTimer: false,
    longRunningMessages: false,
    turnStateFactory: () => new AppTurnState(),
  });

  // Addresses rarely change between turns; writing them once per change keeps a turn to its state writes.
  const savedAddresses = new ChangeTracker(10_000);
  app.turn('beforeTurn', async (context, state) => {
    const now = deps.clock.now();
    state.temp.returning = state.user.firstSeenAt !== undefined;
    // Teams sends installationUpdate just before the conversationUpdate that greets; counting
    // it as contact would make the very first greeting say "welcome back".
    if (context.activity.type !== 'installationUpdate') state.user.firstSeenAt ??= now.toISOString();
    const address = addressOf(context, now);
    if (address && savedAddresses.changed(address.key, { ...address, updatedAt: undefined })) {
      await deps.addresses.save(address);
    }
    return true;
  });

  registerHandlers(app, deps);

  app.error(async (context, error) => {
    const reference = turnRequestId(context);
    turnLogger(context, deps.logger).error({ err: error }, 'turn failed');
    const strings = stringsFor(turnLocale(context, deps.config.defaultLocale));
    const card = renderNoticeCard({
      title: strings.errors.title,
      body: format(strings.errors.generic, { reference }),
      tone: 'warning',
    });
    try {
      if (context.activity.type === 'invoke') await replyToInvokeWithCard(context, card);
      else if (context.activity.type === 'message') await context.sendActivity(cardMessage(card));
    } catch (sendError) {
      turnLogger(context, deps.logger).error({ err: sendError }, 'could not tell the user about the failed turn');
    }
  });

  return app;
}

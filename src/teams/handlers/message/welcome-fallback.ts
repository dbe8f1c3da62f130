import type { Application } from '@microsoft/teams-ai';
import type { TeamsDeps } from '../../deps.js';
import { welcomeReply } from '../../replies.js';
import { cardMessage } from '../../turn-context.js';
import type { AppTurnState } from '../../turn-state.js';

/** Registered last: any other message gets the welcome card, so nobody meets a dead end. */
export function registerWelcomeFallback(app: Application<AppTurnState>, deps: TeamsDeps): void {
  app.activity('message', async (context, state) => {
    await context.sendActivity(cardMessage(await welcomeReply(context, state, deps)));
  });
}

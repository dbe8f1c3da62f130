import type { Application } from '@microsoft/teams-ai';
import type { TeamsDeps } from '../../deps.js';
import { myRequestsReply, welcomeReply } from '../../replies.js';
import { startDiagnosis } from '../diagnosis/start-diagnosis.js';
import { cardMessage } from '../../turn-context.js';
import type { AppTurnState } from '../../turn-state.js';

/** Whole-message commands, in English and Japanese; surrounding spaces and case do not matter. */
export const commandPatterns = {
  help: /^\s*(help|\?|ヘルプ|使い方)\s*[.!?。！？]*\s*$/i,
  diagnose: /^\s*(diagnose|診断)\s*[.!?。！？]*\s*$/i,
  myRequests: /^\s*(my\s+requests?|requests?|自分の申請|申請状況)\s*[.!?。！？]*\s*$/i,
} as const;

/** Registers the typed commands: `help`, `diagnose`, `my requests`. */
export function registerCommands(app: Application<AppTurnState>, deps: TeamsDeps): void {
  app.message(commandPatterns.help, async (context, state) => {
    await context.sendActivity(cardMessage(await welcomeReply(context, state, deps, true)));
  });
  app.message(commandPatterns.diagnose, async (context, state) => {
    await startDiagnosis(context, state, deps, 'command');
  });
  app.message(commandPatterns.myRequests, async (context) => {
    await context.sendActivity(cardMessage(myRequestsReply(context, deps)));
  });
}

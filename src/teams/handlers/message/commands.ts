import type { Application } from '@microsoft/teams-ai';
import type { TeamsDeps } from '../../deps.js';
import { myRequestsReply, welcomeReply } from '../../replies.js';
import { firstApplicationCard } from '../application/application-flow.js';
import { startDiagnosis } from '../diagnosis/start-diagnosis.js';
import { cardMessage, turnIdentity } from '../../turn-context.js';
import type { AppTurnState } from '../../turn-state.js';

/** Whole-message commands, in English and Japanese; surrounding spaces and case do not matter. */
export const commandPatterns = {
  help: /^\s*(help|\?|ヘルプ|使い方)\s*[.!?。！？]*\s*$/i,
  diagnose: /^\s*(diagnose|診断)\s*[.!?。！？]*\s*$/i,
  myRequests: /^\s*(my\s+requests?|requests?|自分の申請|申請状況)\s*[.!?。！？]*\s*$/i,
  reset: /^\s*(reset|apply|apply\s+for\s+(a\s+)?reset|リセット|リセット申請)\s*[.!?。！？]*\s*$/i,
} as const;

/** Registers the typed commands: `help`, `diagnose`, `reset`, `my requests`. */
export function registerCommands(app: Application<AppTurnState>, deps: TeamsDeps): void {
  app.message(commandPatterns.help, async (context, state) => {
    await context.sendActivity(cardMessage(await welcomeReply(context, state, deps, true)));
  });
  app.message(commandPatterns.diagnose, async (context, state) => {
    await startDiagnosis(context, state, deps, 'command');
  });
  app.message(commandPatterns.reset, async (context) => {
    const filer = turnIdentity(context);
    if (filer) await context.sendActivity(cardMessage(await firstApplicationCard(context, deps, filer, undefined)));
  });
  app.message(commandPatterns.myRequests, async (context) => {
    await context.sendActivity(cardMessage(await myRequestsReply(context, deps)));
  });
}

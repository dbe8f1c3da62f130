import type { TurnContext } from 'botbuilder';
import type { TeamsDeps } from '../../deps.js';
import { cardMessage } from '../../turn-context.js';
import type { AppTurnState } from '../../turn-state.js';
import { cardForTurn, subjectOf } from './diagnosis-replies.js';

/**
 * Starts a diagnosis for the sender (looking at the directory first) and posts its first
 * card. `entry` records how it was started; `intentId` picks where the knowledge starts.
 */
export async function startDiagnosis(
  context: TurnContext,
  state: AppTurnState,
  deps: TeamsDeps,
  entry: string,
  intentId?: string,
): Promise<void> {
  const subject = subjectOf(context, deps);
  if (!subject) return;
  const previous = state.conversation.diagnosis;
  const known = intentId !== undefined && deps.knowledge.intents.some((intent) => intent.id === intentId);
  // The one left unfinished is recorded as abandoned while the new one starts: their records share a commit.
  const [, turn] = await Promise.all([
    previous && deps.diagnosis.abandon(subject, previous),
    deps.diagnosis.start(subject, entry, known ? intentId : undefined),
  ]);
  state.conversation.diagnosis = turn.diagnosis;
  await context.sendActivity(cardMessage(await cardForTurn(context, deps, subject, turn, turn.diagnosis)));
}

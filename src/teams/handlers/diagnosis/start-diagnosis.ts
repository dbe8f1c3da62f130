import type { TurnContext } from 'botbuilder';
import type { DrawCard } from '../../after-answer.js';
import type { TeamsDeps } from '../../deps.js';
import { cardMessage } from '../../turn-context.js';
import type { AppTurnState } from '../../turn-state.js';
import { cardForTurn, subjectOf } from './diagnosis-replies.js';

/**
 * Starts a diagnosis for the sender (looking at the directory first) and posts its first
 * card. `entry` records how it was started; `intentId` picks where the knowledge starts, and
 * `said` are the signals of the message it was read from.
 */
export async function startDiagnosis(
  context: TurnContext,
  state: AppTurnState,
  deps: TeamsDeps,
  entry: string,
  intentId?: string,
  said: readonly string[] = [],
): Promise<void> {
  const draw = await beginDiagnosis(context, state, deps, entry, intentId, said);
  if (draw) await context.sendActivity(cardMessage(await draw(context)));
}

/**
 * Starts a diagnosis as startDiagnosis does, keeping it in the conversation's state, and returns
 * how to draw its first card (undefined without an identity) for the caller to post: a button's
 * invoke is answered before that card is sent. The directory is read here, within the turn,
 * because what it found is part of the state the turn saves.
 */
export async function beginDiagnosis(
  context: TurnContext,
  state: AppTurnState,
  deps: TeamsDeps,
  entry: string,
  intentId?: string,
  said: readonly string[] = [],
): Promise<DrawCard | undefined> {
  const subject = subjectOf(context, deps);
  if (!subject) return undefined;
  const previous = state.conversation.diagnosis;
  const known = intentId !== undefined && deps.knowledge.intents.some((intent) => intent.id === intentId);
  // The one left unfinished is recorded as abandoned while the new one starts: their records share a commit.
  const [, turn] = await Promise.all([
    previous && deps.diagnosis.abandon(subject, previous),
    deps.diagnosis.start(subject, entry, known ? intentId : undefined, said),
  ]);
  // One that ends as it starts (the helpdesk outcome) leaves nothing to answer.
  if (turn.ended) delete state.conversation.diagnosis;
  else state.conversation.diagnosis = turn.diagnosis;
  return (copy) => cardForTurn(copy, deps, subject, turn, turn.diagnosis);
}

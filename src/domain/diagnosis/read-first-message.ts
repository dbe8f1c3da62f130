import type { IntentGuess, IntentModelThresholds } from './intent-model.js';
import type { Knowledge } from './knowledge.js';
import { readMessage, readSignals, type IntentMatch } from './match-intent.js';

/** What a first message tells: the complaint it matches, if any, and what else it says (signal ids). */
export interface FirstMessage {
  intent: IntentMatch | undefined;
  said: string[];
}

/**
 * Reads a person's first message as the diagnosis needs it: the intent where it starts, and the signals that may answer
 * its questions later ("lost my phone but SMS still works" starts at the lost phone and answers "another method?").
 * Signals are only read when an intent was found: without one, the symptoms card asks from the beginning.
 *
 * The phrase matcher reads first. The knowledge's intent model, where it has one, then has its say: its guess starts
 * the diagnosis when the matcher found nothing and the guess is probable enough (`fallback`), and replaces the
 * matcher's intent only when it is nearly certain (`override`), since the matcher is right far more often than not.
 * Its guess of "no complaint named" never undoes a match. The intent's score is then the model's probability.
 */
export function readFirstMessage(
  text: string,
  knowledge: Pick<Knowledge, 'intents' | 'signals' | 'intentModel'>,
): FirstMessage {
  const read = knowledge.signals
    ? readMessage(text, knowledge.intents, knowledge.signals)
    : readMessage(text, knowledge.intents);
  const model = knowledge.intentModel;
  if (model === undefined || typeof text !== 'string' || text.trim() === '') return read;
  const signals = knowledge.signals;
  const guess = model.predict(text);
  // The loader refuses a model that names an intent the knowledge lacks; a knowledge pared down in code is not checked.
  if (!knowledge.intents.some((intent) => intent.id === guess.intentId)) return read;
  return withGuess(read, guess, model.thresholds, () => (signals ? readSignals(text, knowledge.intents, signals) : []));
}

/**
 * The reading of a first message once the model's guess is weighed against the matcher's: readFirstMessage's rule, on
 * its own so that the trainer's cross-validation chooses the thresholds by the very rule the bot follows. `signals`
 * reads what the text says, for a guess taken where the matcher found nothing (and so read no signals).
 */
export function withGuess(
  read: FirstMessage,
  guess: IntentGuess,
  thresholds: IntentModelThresholds,
  signals: () => string[],
): FirstMessage {
  if (guess.intentId === undefined || guess.intentId === read.intent?.id) return read;
  const intent = { id: guess.intentId, score: guess.probability };
  if (read.intent === undefined) return guess.probability >= thresholds.fallback ? { intent, said: signals() } : read;
  return guess.probability >= thresholds.override ? { intent, said: read.said } : read;
}

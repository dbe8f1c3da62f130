import type { Knowledge } from './knowledge.js';
import { readMessage, type IntentMatch } from './match-intent.js';

/** What a first message tells: the complaint it matches, if any, and what else it says (signal ids). */
export interface FirstMessage {
  intent: IntentMatch | undefined;
  said: string[];
}

/**
 * Reads a person's first message as the diagnosis needs it: the intent where it starts, and the signals that may answer
 * its questions later ("lost my phone but SMS still works" starts at the lost phone and answers "another method?").
 * Signals are only read when an intent matched: without one, the symptoms card asks from the beginning.
 */
export function readFirstMessage(text: string, knowledge: Pick<Knowledge, 'intents' | 'signals'>): FirstMessage {
  return knowledge.signals
    ? readMessage(text, knowledge.intents, knowledge.signals)
    : readMessage(text, knowledge.intents);
}

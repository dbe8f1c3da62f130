import type { ActiveDiagnosis } from '../domain/diagnosis/diagnosis-service.js';
import {
  TurnState,
  type DefaultConversationState,
  type DefaultTempState,
  type DefaultUserState,
} from '@microsoft/teams-ai';

/** What the bot remembers about one conversation. */
export interface ConversationState extends DefaultConversationState {
  /** The diagnosis in progress in this conversation, if any. */
  diagnosis?: ActiveDiagnosis;
  /**
   * The application forms sent from this conversation (the ids of their messages, newest last, a
   * few): pressing "Send" on one again answers with where its request stands, and files nothing.
   */
  sentForms?: Array<{ messageId: string; subjectId: string }>;
}

/** What the bot remembers about one person, across conversations. */
export interface UserState extends DefaultUserState {
  /** When the bot first heard from this person (ISO time). */
  firstSeenAt?: string;
}

/** Values computed once per turn and never stored. */
export interface TempState extends DefaultTempState {
  /** The bot had met this person before this turn. */
  returning?: boolean;
}

export class AppTurnState extends TurnState<ConversationState, UserState, TempState> {}

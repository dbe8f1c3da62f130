import type { Locale } from '../locale.js';
import type { IntentDefinition } from './match-intent.js';

/** Text in every language the bot speaks. */
export type LocalizedText = Readonly<Record<Locale, string>>;

/**
 * What the directory can tell about a person before asking them anything. Each fact is
 * true, false, or unknown (the evidence was missing, failed or came too late).
 */
export const FACT_NAMES = [
  'accountDisabled',
  'accountLocked',
  'passwordExpired',
  'wrongPassword',
  'blockedByConditionalAccess',
  'deviceNotCompliant',
  'mfaNotCompleted',
  'hasNoMfaMethod',
  'hasOneMfaMethod',
  'hasSeveralMfaMethods',
  'temporaryAccessPassActive',
  'invitationPending',
  'invitationExpired',
  'notInTenant',
] as const;

export type FactName = (typeof FACT_NAMES)[number];

/** Where outcome links point; URLs come from configuration, never from the knowledge file. */
export const LINK_IDS = [
  'securityInfo',
  'passwordReset',
  'authenticatorApp',
  'deviceCompliance',
  'onboardingPortal',
  'identityVerification',
  'helpdesk',
] as const;

export type LinkId = (typeof LINK_IDS)[number];

/** A condition a check node can branch on: a directory fact, or whether a link is configured. */
export type Condition = { fact: FactName } | { linkConfigured: LinkId };

/** Asks the person one thing. */
export interface QuestionNode {
  kind: 'question';
  id: string;
  prompt: LocalizedText;
  choices: ReadonlyArray<{
    id: string;
    label: LocalizedText;
    next: string;
    /** When this fact is true, this choice is taken without asking. */
    impliedBy?: FactName;
  }>;
}

/** Routes on evidence without asking: the first branch whose condition holds, else `otherwise`. */
export interface CheckNode {
  kind: 'check';
  id: string;
  branches: ReadonlyArray<{ when: Condition; next: string }>;
  otherwise: string;
}

/** The three kinds of answer the bot gives. */
export type OutcomeCategory = 'selfService' | 'notMfa' | 'resetNeeded';

/** What to do: numbered steps, links, and where to go if it did not help. */
export interface OutcomeNode {
  kind: 'outcome';
  id: string;
  category: OutcomeCategory;
  title: LocalizedText;
  summary: LocalizedText;
  steps: readonly LocalizedText[];
  links: ReadonlyArray<{ link: LinkId; label: LocalizedText }>;
  /**
   * Where "it did not fix it" leads: the next likely outcome (or a check choosing one), `apply`
   * for the MFA reset application, or nowhere (the helpdesk is the last resort).
   */
  ifNotFixed?: string;
}

export type KnowledgeNode = QuestionNode | CheckNode | OutcomeNode;

/** A diagnosis knowledge base: the decision graph, where it starts, and what people type. */
export interface Knowledge {
  /** The node every diagnosis starts from unless an intent names another entry. */
  start: string;
  nodes: readonly KnowledgeNode[];
  intents: ReadonlyArray<IntentDefinition & { entry: string }>;
}

/** `ifNotFixed` target that leads to the MFA reset application instead of another outcome. */
export const APPLY = 'apply';

/** The most questions any one diagnosis may ask. */
export const MAX_QUESTIONS = 4;

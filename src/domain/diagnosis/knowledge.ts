import type { Locale } from '../locale.js';
import type { ResetReason } from '../requests/request.js';
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

/**
 * Kinds of registered method a reset clears and the directory counts as multi-factor methods (a
 * password, an email address or a pass are not among them).
 */
export const RESETTABLE_METHOD_KINDS = [
  'microsoftAuthenticator',
  'phone',
  'softwareOath',
  'fido2',
  'windowsHelloForBusiness',
] as const;

export type ResettableMethodKind = (typeof RESETTABLE_METHOD_KINDS)[number];

/** Which registered methods an answer establishes as lost: every one, or those of some kinds. */
export type LostMethods = 'all' | readonly ResettableMethodKind[];

/** Whether a registered method of `kind` is among the lost ones; none is, unless the person said so. */
export function saidLost(lost: LostMethods | undefined, kind: string): boolean {
  const kinds: readonly string[] = lost === 'all' ? RESETTABLE_METHOD_KINDS : (lost ?? []);
  return kinds.includes(kind);
}

/**
 * A condition a check node can branch on: a directory fact, whether a link is configured, or
 * `methodsLeft`: the directory may still show a method the person has not said is lost (it holds
 * unless they said every method is lost or the directory shows none).
 */
export type Condition = { fact: FactName } | { linkConfigured: LinkId } | { methodsLeft: true };

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
    /**
     * When the person's first message said this (a signal's id), this choice is taken without asking; what they said
     * outranks the directory's `impliedBy`, which knows what is registered, not what still works.
     */
    said?: string;
    /** The methods this answer says are lost; only these are ticked on the reset application. */
    lost?: LostMethods;
    /** What happened, as the reset application asks it, when this answer says so. */
    reason?: ResetReason;
  }>;
}

/** Routes on evidence without asking: the first branch whose condition holds, else `otherwise`. */
export interface CheckNode {
  kind: 'check';
  id: string;
  branches: ReadonlyArray<{ when: Condition; next: string }>;
  otherwise: string;
}

/**
 * The kinds of answer the bot gives. `helpdesk` is where the bot stops: the card says how to reach
 * the helpdesk and gives the diagnosis reference, and asks nothing more. `securityRisk` is for signs that someone
 * else is at the account: what to do at once, and the reset application the helpdesk sees flagged.
 */
export type OutcomeCategory = 'selfService' | 'notMfa' | 'resetNeeded' | 'securityRisk' | 'helpdesk';

/**
 * The outcomes whose card offers the reset application rather than asking "Did this fix it?": the methods are out of
 * reach (resetNeeded), or someone else may be at the account (securityRisk: act now, and the helpdesk is told).
 */
export const APPLYING_CATEGORIES: ReadonlySet<OutcomeCategory> = new Set(['resetNeeded', 'securityRisk']);

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
   * Where "it did not fix it" leads: the next likely outcome (or a check or question choosing
   * one), `apply` for the MFA reset application, or nowhere (the helpdesk is the last resort).
   * A `helpdesk` outcome has none: nothing is asked after it.
   */
  ifNotFixed?: string;
}

export type KnowledgeNode = QuestionNode | CheckNode | OutcomeNode;

/**
 * Something a first message can say besides its main complaint ("the old phone still works", "SMS still arrives",
 * "I have nothing else"), in the intents' phrase notation. Signals answer questions later on the path (`said` on a
 * choice), whichever intent the message matched, so that a complaint and what is said about it combine freely.
 */
export interface SignalDefinition {
  id: string;
  phrases: { en: readonly string[]; ja: readonly string[] };
  /**
   * What happened, as the reset application asks it, when the words say so and neither the intent nor an answer
   * did: "I lost my phone and have nothing else" starts where having nothing left leads, and still lost a phone.
   */
  reason?: ResetReason;
}

/** A diagnosis knowledge base: the decision graph, where it starts, and what people type. */
export interface Knowledge {
  /** The node every diagnosis starts from unless an intent names another entry. */
  start: string;
  nodes: readonly KnowledgeNode[];
  /**
   * `lost`: the methods the words themselves say are lost ("I have no other method" says all are); `reason`: what
   * happened, as the reset application asks it, when the words say so.
   */
  intents: ReadonlyArray<IntentDefinition & { entry: string; lost?: LostMethods; reason?: ResetReason }>;
  /** What a first message may say besides its complaint; each id is named by the `said` of some choice. */
  signals?: readonly SignalDefinition[];
}

/** `ifNotFixed` target that leads to the MFA reset application instead of another outcome. */
export const APPLY = 'apply';

/** The most questions any one diagnosis may ask. */
export const MAX_QUESTIONS = 4;

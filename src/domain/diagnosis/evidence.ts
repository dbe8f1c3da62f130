import type { AuthMethod, Directory, DirectoryUser, SignInRecord } from '../ports.js';
import { withDeadline } from '../with-deadline.js';
import { RESETTABLE_METHOD_KINDS, type FactName } from './knowledge.js';
import type { Facts } from './engine.js';

/** What the directory said about a person; a part is undefined when it failed or came too late. */
export interface Evidence {
  user: DirectoryUser | undefined;
  methods: AuthMethod[] | undefined;
  signIns: SignInRecord[] | undefined;
}

/** Why a part of the evidence is missing, for the log. */
export interface EvidenceGap {
  part: 'user' | 'methods' | 'signIns';
  reason: string;
}

/** Sign-in error codes (Microsoft Entra) and the fact each one shows. */
export const SIGN_IN_ERROR_FACTS: ReadonlyMap<number, FactName> = new Map<number, FactName>([
  [50057, 'accountDisabled'],
  [50053, 'accountLocked'],
  [50055, 'passwordExpired'],
  [50126, 'wrongPassword'],
  [53003, 'blockedByConditionalAccess'],
  [53000, 'deviceNotCompliant'],
  [53001, 'deviceNotCompliant'],
  [50097, 'deviceNotCompliant'],
  [50074, 'mfaNotCompleted'],
  [50076, 'mfaNotCompleted'],
  [500121, 'mfaNotCompleted'],
  // 16000 is not here: it is mostly the account picker shown mid-sign-in, which says nothing about the tenant.
  [50020, 'notInTenant'],
  [90072, 'notInTenant'],
]);

/** Each fact the sign-in log can show, once. */
const SIGN_IN_FACTS: readonly FactName[] = [...new Set(SIGN_IN_ERROR_FACTS.values())];

/** An onboarding invitation not accepted within this many days has expired. */
export const INVITATION_VALID_DAYS = 30;

/** Failures older than this say nothing about today's problem. */
const RECENT_FAILURE_DAYS = 7;

/** Methods that can satisfy multi-factor authentication (a pass or email cannot). */
const MFA_KINDS: ReadonlySet<AuthMethod['kind']> = new Set(RESETTABLE_METHOD_KINDS);

/**
 * Asks the directory for everything a diagnosis can use, in parallel, within one time budget.
 * A part that fails, is throttled or is late is left undefined, so the conversation asks
 * instead of waiting.
 */
export async function gatherEvidence(
  directory: Directory,
  userId: string,
  budgetMs: number,
): Promise<{ evidence: Evidence; gaps: EvidenceGap[] }> {
  const gaps: EvidenceGap[] = [];
  const attempt = async <T>(part: EvidenceGap['part'], work: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await withDeadline(work(), budgetMs);
    } catch (error) {
      gaps.push({ part, reason: error instanceof Error ? error.message : String(error) });
      return undefined;
    }
  };
  const [user, methods, signIns] = await Promise.all([
    attempt('user', () => directory.getUser(userId)),
    attempt('methods', () => directory.getAuthenticationMethods(userId)),
    attempt('signIns', () => directory.getRecentSignIns(userId, 20)),
  ]);
  return { evidence: { user, methods, signIns }, gaps };
}

/** The facts the evidence establishes; a fact the evidence cannot decide is left out. */
export function factsFrom(evidence: Evidence, now: Date): Facts {
  const facts: Facts = {};
  const { user, methods, signIns } = evidence;

  if (user) {
    facts.accountDisabled = !user.accountEnabled;
    const pending = user.externalUserState === 'PendingAcceptance';
    const since = user.externalUserStateChangedAt;
    const expired = pending && since !== undefined && daysBetween(since, now) >= INVITATION_VALID_DAYS;
    facts.invitationPending = pending && !expired;
    facts.invitationExpired = expired;
  }

  if (methods) {
    const mfa = methods.filter((method) => MFA_KINDS.has(method.kind));
    facts.hasNoMfaMethod = mfa.length === 0;
    facts.hasOneMfaMethod = mfa.length === 1;
    facts.hasSeveralMfaMethods = mfa.length > 1;
    facts.temporaryAccessPassActive = methods.some(
      (method) => method.kind === 'temporaryAccessPass' && method.isUsable === true,
    );
  }

  if (signIns) {
    // Only failures since the last success, and only recent ones, describe the problem now.
    const newestFirst = [...signIns].sort((a, b) => b.at.getTime() - a.at.getTime());
    const lastSuccess = newestFirst.findIndex((record) => record.errorCode === 0);
    const current = (lastSuccess === -1 ? newestFirst : newestFirst.slice(0, lastSuccess)).filter(
      (record) => daysBetween(record.at, now) <= RECENT_FAILURE_DAYS,
    );
    for (const fact of SIGN_IN_FACTS) {
      if (fact === 'accountDisabled' && facts.accountDisabled) continue;
      facts[fact] = current.some((record) => SIGN_IN_ERROR_FACTS.get(record.errorCode) === fact);
    }
  }
  return facts;
}

function daysBetween(earlier: Date, later: Date): number {
  return (later.getTime() - earlier.getTime()) / 86_400_000;
}

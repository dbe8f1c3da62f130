import type { AuthMethod, SignInRecord } from '../ports.js';

/** Why an agent should look twice at a request; shown on the channel card. */
export type RiskSignal =
  | { kind: 'privilegedRole'; roles: string[] }
  /** Failed sign-ins in the last 24 hours. */
  | { kind: 'failedSignIns'; count: number }
  /** Sign-ins Identity Protection rated medium or high in the last 7 days. */
  | { kind: 'riskySignIns'; count: number }
  /** A method was registered within `days` days. */
  | { kind: 'methodsChangedRecently'; days: number }
  /** Completed resets in the last 90 days. */
  | { kind: 'recentResets'; count: number }
  | { kind: 'filedOnBehalf' }
  /** The directory could not be read, so other signals may be missing. */
  | { kind: 'directoryUnavailable' };

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** How far back a method registration counts as a recent change. */
export const RECENT_METHOD_DAYS = 7;
/** How far back earlier resets count. */
export const RECENT_RESET_DAYS = 90;

/** What the risk signals are computed from; undefined where the directory could not answer. */
export interface RiskEvidence {
  now: Date;
  roles: readonly string[] | undefined;
  signIns: readonly SignInRecord[] | undefined;
  methods: readonly AuthMethod[] | undefined;
  recentResets: number;
  filedOnBehalf: boolean;
}

/** The signals in the order the card lists them: the gravest first. */
export function riskSignals(evidence: RiskEvidence): RiskSignal[] {
  const { now, roles, signIns, methods } = evidence;
  const signals: RiskSignal[] = [];
  if (roles && roles.length > 0) signals.push({ kind: 'privilegedRole', roles: [...roles] });
  if (signIns) {
    const since = (ms: number) => signIns.filter((signIn) => now.getTime() - signIn.at.getTime() <= ms);
    const failed = since(DAY_MS).filter((signIn) => signIn.errorCode !== 0).length;
    if (failed > 0) signals.push({ kind: 'failedSignIns', count: failed });
    const risky = since(7 * DAY_MS).filter((s) => s.riskLevel === 'medium' || s.riskLevel === 'high').length;
    if (risky > 0) signals.push({ kind: 'riskySignIns', count: risky });
  }
  const recentMethod = methods?.some(
    (method) => method.createdAt && now.getTime() - method.createdAt.getTime() <= RECENT_METHOD_DAYS * DAY_MS,
  );
  if (recentMethod) signals.push({ kind: 'methodsChangedRecently', days: RECENT_METHOD_DAYS });
  if (evidence.recentResets > 0) signals.push({ kind: 'recentResets', count: evidence.recentResets });
  if (evidence.filedOnBehalf) signals.push({ kind: 'filedOnBehalf' });
  if (roles === undefined || signIns === undefined || methods === undefined) {
    signals.push({ kind: 'directoryUnavailable' });
  }
  return signals;
}

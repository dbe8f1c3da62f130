import type { DiagnosisRecord } from '../ports.js';

/**
 * The id of the outcome for signs that someone else is at the account: sign-in prompts the person
 * did not start (prompt bombing, MFA fatigue) or a phone number taken over (SIM swap, porting).
 * The knowledge may leave it out; a reset applied for from it is flagged to the helpdesk.
 */
export const POSSIBLE_COMPROMISE_OUTCOME = 'possible-compromise';

/** Whether a diagnosis showed the possible-compromise outcome, last or on the way to another. */
export function reachedPossibleCompromise(record: Pick<DiagnosisRecord, 'outcome' | 'path'>): boolean {
  return (
    record.outcome === POSSIBLE_COMPROMISE_OUTCOME ||
    record.path.some((step) => step.node === POSSIBLE_COMPROMISE_OUTCOME)
  );
}

import { z } from 'zod';
import {
  MAX_TEXT_LENGTH,
  RESET_REASONS,
  VERIFICATION_METHODS,
  type ResetApplication,
  type ResetReason,
  type VerificationMethod,
} from './request.js';

/** The fields of the application card, each validated on its own. */
export type ApplicationField = 'reason' | 'lostMethods' | 'verification' | 'contact' | 'note';

/** What is wrong with a field, for the message shown under it; `notContact`: neither a phone number nor an email. */
export type FieldProblem = 'required' | 'tooLong' | 'invalid' | 'notContact';

/** Most characters of the contact field. */
export const MAX_CONTACT_LENGTH = 200;

/** The card's inputs as they arrive: untrusted, any type. */
export interface ApplicationInput {
  reason?: unknown;
  lostMethods?: unknown;
  verification?: unknown;
  contact?: unknown;
  note?: unknown;
}

/** The inputs as text, to show again on the card so nothing typed is lost on a correction. */
export interface ApplicationValues {
  reason: string;
  lostMethods: string;
  verification: string;
  contact: string;
  note: string;
}

export type ValidationResult =
  | { ok: true; application: Omit<ResetApplication, 'subjectId' | 'diagnosisId'> }
  | { ok: false; problems: Partial<Record<ApplicationField, FieldProblem>>; values: ApplicationValues };

/**
 * Checks an application's inputs: required choices made from the offered options, method ids
 * among the subject's registered methods, text within its limits. Text is kept exactly as
 * typed (it is only ever shown as plain text).
 */
export function validateApplication(input: ApplicationInput, knownMethodIds: ReadonlySet<string>): ValidationResult {
  const values: ApplicationValues = {
    reason: text(input.reason),
    lostMethods: text(input.lostMethods),
    verification: text(input.verification),
    contact: text(input.contact),
    note: text(input.note),
  };
  const problems: Partial<Record<ApplicationField, FieldProblem>> = {};

  const reason = values.reason.trim();
  if (reason === '') problems.reason = 'required';
  else if (!(RESET_REASONS as readonly string[]).includes(reason)) problems.reason = 'invalid';

  // Teams sends a multi-select as one comma-separated string.
  const lostMethodIds = [
    ...new Set(
      values.lostMethods
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean),
    ),
  ];
  if (knownMethodIds.size > 0 && lostMethodIds.length === 0) problems.lostMethods = 'required';
  else if (lostMethodIds.some((id) => !knownMethodIds.has(id))) problems.lostMethods = 'invalid';

  const verification = values.verification.trim();
  if (verification === '') problems.verification = 'required';
  else if (!(VERIFICATION_METHODS as readonly string[]).includes(verification)) problems.verification = 'invalid';

  const contact = values.contact.trim();
  if (contact === '') problems.contact = 'required';
  else if (contact.length > MAX_CONTACT_LENGTH) problems.contact = 'tooLong';
  else if (contactKind(contact) === undefined) problems.contact = 'notContact';

  const note = values.note.trim();
  if (note.length > MAX_TEXT_LENGTH) problems.note = 'tooLong';

  if (Object.keys(problems).length > 0) return { ok: false, problems, values };
  return {
    ok: true,
    application: {
      reason: reason as ResetReason,
      lostMethodIds,
      verification: verification as VerificationMethod,
      contact,
      note,
    },
  };
}

/** Dashes people type between the groups of a phone number, the Japanese long vowel mark (ー) among them. */
const PHONE_SEPARATORS = /[\s.\-\u2010-\u2015\u2212\u30fc/]/g;
/** An extension after the number: `ext. 23`, `x23`, `内線 23`. */
const PHONE_EXTENSION = /(?:ext\.?|extension|x|内線)\s*\d{1,6}$/i;
/** A national or international number: an optional leading +, digits, one optional group in parentheses. */
const PHONE_NUMBER = /^\+?\d*(?:\(\d{1,5}\))?\d*$/;
/** zod's email check: the address forms people use, without hand-writing the grammar. */
const EMAIL_ADDRESS = z.string().email();

/**
 * What kind of contact a person typed: a phone number in national or international format
 * (`+65 9123 4567`, `+81-90-1234-5678`, `090-1234-5678`, `(415) 555-0100`, with an optional
 * extension) or an email address; undefined for anything else ("call me"). Full-width
 * characters typed with a Japanese keyboard count as their ASCII forms.
 */
export function contactKind(contact: string): 'phone' | 'email' | undefined {
  const normalized = contact.normalize('NFKC').trim();
  if (EMAIL_ADDRESS.safeParse(normalized).success) return 'email';
  const number = normalized.replace(PHONE_EXTENSION, '').replace(PHONE_SEPARATORS, '');
  const digits = number.replace(/\D/g, '').length;
  // E.164 allows at most 15 digits; fewer than 7 is no reachable number anywhere.
  return PHONE_NUMBER.test(number) && digits >= 7 && digits <= 15 ? 'phone' : undefined;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

import { format, type Strings } from '../content/strings/index.js';
import type { PassCardClosing } from '../domain/requests/ports.js';
import type { VerificationMethod } from '../domain/requests/request.js';
import { renderCard, type AdaptiveCard } from './render-card.js';
import { Verbs } from './verbs.js';

/** Data of `cards/pass.json`: a pass offered, shown or withdrawn, on one person's card. */
export interface PassCardData {
  title: string;
  reference: string;
  status: { text: string; style: 'good' | 'attention' | 'warning' | 'emphasis' } | null;
  paragraphs: string[];
  pass: string | null;
  validity: string | null;
  steps: Array<{ number: string; text: string }>;
  warning: string | null;
  issue: { title: string; verb: string; requestId: string } | null;
  link: { title: string; url: string } | null;
}

/**
 * Who reads the card and how they checked who the subject is: the subject themselves, the agent
 * who verified them (by video call, call back, in person, or through the manager's confirmation),
 * or the manager who confirmed them.
 */
export type PassReader =
  { kind: 'subject' } | { kind: 'agent'; verification: VerificationMethod } | { kind: 'manager' };

/** What every pass card says about the request. */
export interface PassCardContext {
  requestId: string;
  reference: string;
  subjectName: string;
  /** The subject's line manager, for the wording when they confirmed who the subject is. */
  managerName: string;
  lifetimeInMinutes: number;
  securityInfoUrl: string | undefined;
}

/** A pass shown to its reader. */
export interface ShownPass {
  isUsableOnce: boolean;
  /** When it stops working, as the reader should read it. */
  validUntil: string;
  /** A pass sent earlier for this request no longer works; this one replaces it. */
  replacesEarlier: boolean;
}

/**
 * Stands for the pass in the card's data: expanded cards are cached, and the pass must not be.
 * Only the copy that is sent carries the value.
 */
const PASS_SLOT = '00000000-0000-4000-8000-0000000a55e5';

/** The wording key for a reader who gives the pass to the subject. */
function issuerKey(reader: Exclude<PassReader, { kind: 'subject' }>): keyof Strings['pass']['shown'] {
  return reader.kind === 'manager' ? 'manager' : reader.verification;
}

function valuesOf(context: PassCardContext, until = ''): Record<string, string> {
  return {
    reference: context.reference,
    subject: context.subjectName,
    manager: context.managerName,
    minutes: String(context.lifetimeInMinutes),
    until,
  };
}

function base(
  strings: Strings,
  reader: PassReader | { kind: 'issuer' },
  context: PassCardContext,
  title?: string,
): PassCardData {
  const values = valuesOf(context);
  return {
    title: title ?? (reader.kind === 'subject' ? strings.pass.title : format(strings.pass.titleFor, values)),
    reference: format(strings.pass.reference, values),
    status: null,
    paragraphs: [],
    pass: null,
    validity: null,
    steps: [],
    warning: null,
    issue: null,
    link: null,
  };
}

/** The card that carries the pass, for its one reader; the pass is its only secret. */
export function renderPassCard(
  strings: Strings,
  reader: PassReader,
  context: PassCardContext,
  shown: ShownPass,
  pass: string,
): AdaptiveCard {
  const p = strings.pass;
  const values = valuesOf(context, shown.validUntil);
  const forSubject = reader.kind === 'subject';
  const numbered = (texts: readonly string[]) =>
    texts.map((text, index) => ({ number: `${index + 1}.`, text: format(text, values) }));
  const data: PassCardData = {
    ...base(strings, reader, context),
    paragraphs: [
      forSubject ? p.intro : format(p.shown[issuerKey(reader)], values),
      ...(shown.replacesEarlier ? [p.replaces] : []),
    ],
    pass: PASS_SLOT,
    validity: format(shown.isUsableOnce ? p.validityOnce : p.validity, values),
    steps: numbered(forSubject ? p.steps : p.stepsForIssuer),
    warning: forSubject ? p.warning : p.warningForIssuer,
    link: forSubject && context.securityInfoUrl ? { title: p.openSecurityInfo, url: context.securityInfoUrl } : null,
  };
  return renderCard('pass', data, { [PASS_SLOT]: pass });
}

/**
 * The card that offers the person who checked who the subject is to make the pass when they are
 * with them; it carries no pass. `problem` says why an earlier press did nothing.
 */
export function renderPassOfferCard(
  strings: Strings,
  reader: Exclude<PassReader, { kind: 'subject' }>,
  context: PassCardContext,
  problem?: string,
): AdaptiveCard {
  const p = strings.pass;
  const values = valuesOf(context);
  const data: PassCardData = {
    ...base(strings, reader, context, format(p.offerTitle, values)),
    status: problem ? { text: problem, style: 'attention' } : null,
    paragraphs: [format(p.offer.done, values), format(p.offer.when[issuerKey(reader)], values)],
    warning: p.offer.privacy,
    issue: { title: p.offer.button, verb: Verbs.passIssue, requestId: context.requestId },
  };
  return renderCard('pass', data);
}

/** A card that showed or offered a pass, once it no longer does, or a press that was refused. */
export function renderPassClosedCard(
  strings: Strings,
  reader: PassReader | { kind: 'issuer' },
  context: PassCardContext,
  why: PassCardClosing | { refused: string },
): AdaptiveCard {
  const values = valuesOf(context);
  const text = typeof why === 'string' ? format(strings.pass.closed[why], values) : why.refused;
  const style = typeof why === 'string' ? (why === 'recovered' || why === 'used' ? 'good' : 'emphasis') : 'warning';
  const data: PassCardData = { ...base(strings, reader, context), status: { text, style } };
  return renderCard('pass', data);
}

/** The notification and chat-list text of a message that carries a pass or offers one: never the pass. */
export function passSummary(strings: Strings, reference: string): string {
  return format(strings.pass.summary, { reference });
}

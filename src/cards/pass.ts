import { format, type Strings } from '../content/strings/index.js';
import { renderCard, type AdaptiveCard } from './render-card.js';

/** Data of `cards/pass.json`. */
export interface PassCardData {
  title: string;
  reference: string;
  intro: string;
  pass: string;
  validity: string;
  steps: Array<{ number: string; text: string }>;
  warning: string;
  link: { title: string; url: string } | null;
}

/** What the pass card says besides the pass: for whom, until when, and where to register new methods. */
export interface PassCardView {
  /** `subject`: the person signs in with it; `agent`: the agent reads it out on the verified call. */
  audience: 'subject' | 'agent';
  reference: string;
  subjectName: string;
  lifetimeInMinutes: number;
  isUsableOnce: boolean;
  /** When the pass stops working, as UTC text. */
  validUntil: string;
  securityInfoUrl: string | undefined;
  /** A pass sent earlier for this request no longer works; this one replaces it. */
  replacesEarlier?: boolean;
}

/**
 * Stands for the pass in the card's data: expanded cards are cached, and the pass must not be.
 * Only the copy that is sent carries the value.
 */
const PASS_SLOT = '00000000-0000-4000-8000-0000000a55e5';

/** The one message that carries a Temporary Access Pass, to one person, in their 1:1 chat. */
export function renderPassCard(strings: Strings, view: PassCardView, pass: string): AdaptiveCard {
  const p = strings.pass;
  const values = {
    reference: view.reference,
    subject: view.subjectName,
    minutes: String(view.lifetimeInMinutes),
    until: view.validUntil,
  };
  const forSubject = view.audience === 'subject';
  const data: PassCardData = {
    title: forSubject ? p.title : format(p.titleForAgent, values),
    reference: format(p.reference, values),
    intro: [forSubject ? p.intro : format(p.introForAgent, values), ...(view.replacesEarlier ? [p.replaces] : [])].join(
      ' ',
    ),
    pass: PASS_SLOT,
    validity: format(view.isUsableOnce ? p.validityOnce : p.validity, values),
    steps: (forSubject ? p.steps : p.stepsForAgent).map((text, index) => ({
      number: `${index + 1}.`,
      text: format(text, values),
    })),
    warning: forSubject ? p.warning : p.warningForAgent,
    link: forSubject && view.securityInfoUrl ? { title: p.openSecurityInfo, url: view.securityInfoUrl } : null,
  };
  return renderCard('pass', data, { [PASS_SLOT]: pass });
}

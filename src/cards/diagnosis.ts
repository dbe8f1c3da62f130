import type { Strings } from '../content/strings/index.js';
import { format } from '../content/strings/index.js';
import { diagnosisReference } from '../domain/diagnosis/diagnosis-reference.js';
import type { ActiveDiagnosis, MaskedMethod } from '../domain/diagnosis/diagnosis-service.js';
import {
  APPLYING_CATEGORIES,
  type LinkId,
  type OutcomeNode,
  type QuestionNode,
} from '../domain/diagnosis/knowledge.js';
import type { Locale } from '../domain/locale.js';
import { renderCard, type AdaptiveCard } from './render-card.js';
import { Verbs } from './verbs.js';

/** Data of `cards/diagnosis-question.json`. */
export interface DiagnosisQuestionCardData {
  title: string;
  evidence: { heading: string; lines: string[] } | null;
  progress: string;
  prompt: string;
  answered: string | null;
  required: string;
  next: string;
  verb: string;
  diagnosisId: string;
  node: string;
  choices: Array<{ title: string; choice: string }>;
}

/** Data of `cards/diagnosis-outcome.json`. */
export interface DiagnosisOutcomeCardData {
  category: string;
  tone: 'default' | 'warning';
  title: string;
  summary: string;
  steps: string[];
  links: Array<{ title: string; url: string }>;
  question: string | null;
  /** For the helpdesk outcome: how to reach the helpdesk, with the diagnosis reference. */
  closing: string | null;
  answered: string | null;
  answers: Array<{ title: string; verb: string; style: 'positive' | 'default'; diagnosisId: string; node: string }>;
}

/** Data of `cards/symptoms.json`. */
export interface SymptomsCardData {
  title: string;
  intro: string;
  required: string;
  continue: string;
  verb: string;
  symptoms: Array<{ title: string; intent: string }>;
}

/** The symptoms offered when free text matches nothing, and the intent each starts. */
export const SYMPTOM_INTENTS: ReadonlyArray<{ key: keyof Strings['diagnosis']['symptoms']; intent: string }> = [
  { key: 'lostPhone', intent: 'lost-phone' },
  { key: 'newPhone', intent: 'new-phone' },
  { key: 'authenticatorDeleted', intent: 'authenticator-deleted' },
  { key: 'numberMismatch', intent: 'number-mismatch' },
  { key: 'password', intent: 'forgot-password' },
  { key: 'lockedOrBlocked', intent: 'account-locked' },
  { key: 'setup', intent: 'first-time-setup' },
  { key: 'somethingElse', intent: 'cant-sign-in' },
];

/** A question of the diagnosis; with `answered`, the same card after the person chose (no buttons). */
export function renderDiagnosisQuestionCard(
  strings: Strings,
  locale: Locale,
  diagnosis: ActiveDiagnosis,
  node: QuestionNode,
  answered?: string,
): AdaptiveCard {
  const d = strings.diagnosis;
  const data: DiagnosisQuestionCardData = {
    title: d.title,
    evidence: answered === undefined ? evidenceSection(strings, diagnosis) : null,
    // `diagnosis` is the state in which this question was asked, answered or not.
    progress: format(d.progress, { number: String(diagnosis.state.questionsAsked + 1) }),
    prompt: node.prompt[locale],
    answered: answered === undefined ? null : format(d.answered, { answer: answered }),
    required: d.pickOne,
    next: d.next,
    verb: Verbs.diagnosisAnswer,
    diagnosisId: DIAGNOSIS_ID_SLOT,
    node: node.id,
    // The person's pick arrives as the `choice` input; the button carries which step it answers.
    choices: node.choices.map((choice) => ({ title: choice.label[locale], choice: choice.id })),
  };
  return renderCard('diagnosis-question', data, { [DIAGNOSIS_ID_SLOT]: diagnosis.id });
}

/**
 * Stands for the diagnosis id in the data of question and outcome cards: everything else on them comes from the
 * knowledge, the evidence, the links and the language, so one expansion serves every diagnosis.
 */
const DIAGNOSIS_ID_SLOT = '00000000-0000-4000-8000-00000000d1a9';
/** Stands for the diagnosis reference (DX-…) in the same way. */
const REFERENCE_SLOT = diagnosisReference(DIAGNOSIS_ID_SLOT);

/**
 * An outcome: numbered steps, configured links, and "Did this fix it?" (or, answered, the answer).
 * The helpdesk outcome asks nothing: it ends with how to reach the helpdesk and the diagnosis reference.
 */
export function renderDiagnosisOutcomeCard(
  strings: Strings,
  locale: Locale,
  diagnosisId: string,
  node: OutcomeNode,
  links: Readonly<Record<LinkId, string | undefined>>,
  answered?: string,
): AdaptiveCard {
  return renderCard('diagnosis-outcome', outcomeData(strings, locale, node, links, answered), {
    [DIAGNOSIS_ID_SLOT]: diagnosisId,
    [REFERENCE_SLOT]: diagnosisReference(diagnosisId),
  });
}

function outcomeData(
  strings: Strings,
  locale: Locale,
  node: OutcomeNode,
  links: Readonly<Record<LinkId, string | undefined>>,
  answered: string | undefined,
): DiagnosisOutcomeCardData {
  const d = strings.diagnosis;
  const diagnosisId = DIAGNOSIS_ID_SLOT;
  const resetNeeded = APPLYING_CATEGORIES.has(node.category);
  const handOver = node.category === 'helpdesk';
  // The knowledge was validated against the configured links; one without a URL is not shown.
  const shown = node.links.flatMap(({ link, label }) => {
    const url = links[link];
    return url ? [{ title: label[locale], url }] : [];
  });
  const helpdesk = links.helpdesk;
  if (handOver && helpdesk && !node.links.some(({ link }) => link === 'helpdesk')) {
    shown.push({ title: d.helpdeskLink, url: helpdesk });
  }
  const answers: DiagnosisOutcomeCardData['answers'] = handOver
    ? []
    : resetNeeded
      ? [
          { title: d.apply, verb: Verbs.diagnosisNotFixed, style: 'positive', diagnosisId, node: node.id },
          { title: d.noLongerNeeded, verb: Verbs.diagnosisFixed, style: 'default', diagnosisId, node: node.id },
        ]
      : [
          { title: d.yes, verb: Verbs.diagnosisFixed, style: 'positive', diagnosisId, node: node.id },
          { title: d.no, verb: Verbs.diagnosisNotFixed, style: 'default', diagnosisId, node: node.id },
        ];
  return {
    category: d.categories[node.category],
    tone: resetNeeded ? 'warning' : 'default',
    title: node.title[locale],
    summary: node.summary[locale],
    steps: node.steps.map((step) => step[locale]),
    links: shown,
    question: answered === undefined && !resetNeeded && !handOver ? d.didThisFixIt : null,
    closing: handOver ? format(helpdesk ? d.helpdeskNext : d.helpdeskNextNoLink, { reference: REFERENCE_SLOT }) : null,
    answered: answered === undefined ? null : format(d.answered, { answer: answered }),
    answers: answered === undefined ? answers : [],
  };
}

/** The short list of main symptoms, for text the bot did not recognise. */
export function renderSymptomsCard(strings: Strings): AdaptiveCard {
  const d = strings.diagnosis;
  const data: SymptomsCardData = {
    title: d.symptomsTitle,
    intro: d.symptomsIntro,
    required: d.pickOne,
    continue: d.next,
    verb: Verbs.diagnoseStart,
    symptoms: SYMPTOM_INTENTS.map(({ key, intent }) => ({ title: d.symptoms[key], intent })),
  };
  return renderCard('symptoms', data);
}

/** The registered methods as one readable, masked line each, default first. */
export function describeMethods(strings: Strings, methods: readonly MaskedMethod[]): string[] {
  const m = strings.methods;
  const sorted = [...methods].sort((a, b) => Number(b.isDefault) - Number(a.isDefault));
  return sorted.map((method) => {
    const device = method.device ?? '';
    const number = method.masked ?? '';
    const label = (() => {
      switch (method.kind) {
        case 'microsoftAuthenticator':
          return device ? format(m.microsoftAuthenticator, { device }) : m.microsoftAuthenticatorNoDevice;
        case 'phone':
          return format(
            method.phoneType === 'office'
              ? m.phoneOffice
              : method.phoneType === 'alternateMobile'
                ? m.phoneAlternateMobile
                : m.phoneMobile,
            { number },
          );
        case 'softwareOath':
          return m.softwareOath;
        case 'fido2':
          return format(m.fido2, { device }).trim();
        case 'windowsHelloForBusiness':
          return format(m.windowsHelloForBusiness, { device }).trim();
        case 'email':
          return format(m.email, { address: number });
        case 'temporaryAccessPass':
          return m.temporaryAccessPass;
        case 'password':
          return m.password;
      }
    })();
    return method.isDefault ? format(m.defaultSuffix, { method: label }) : label;
  });
}

function evidenceSection(strings: Strings, diagnosis: ActiveDiagnosis): DiagnosisQuestionCardData['evidence'] {
  const d = strings.diagnosis;
  const lines: string[] = [];
  if (diagnosis.methods) {
    const mfa = diagnosis.methods.filter((method) => method.kind !== 'temporaryAccessPass');
    lines.push(
      mfa.length > 0 ? format(d.methodsLine, { methods: describeMethods(strings, mfa).join(', ') }) : d.noMethodsLine,
    );
  }
  if (diagnosis.facts.mfaNotCompleted) lines.push(d.facts.mfaNotCompleted);
  if (diagnosis.facts.wrongPassword) lines.push(d.facts.wrongPassword);
  if (lines.length === 0 && diagnosis.evidenceGaps.length > 0) lines.push(d.unknownEvidence);
  return lines.length > 0 ? { heading: d.evidenceHeading, lines } : null;
}

import type { Strings } from '../content/strings/index.js';
import { format } from '../content/strings/index.js';
import type { MaskedMethod } from '../domain/diagnosis/diagnosis-service.js';
import type { LostMethods } from '../domain/diagnosis/knowledge.js';
import type { ApplicationField, ApplicationValues, FieldProblem } from '../domain/requests/application.js';
import { MAX_CONTACT_LENGTH } from '../domain/requests/application.js';
import type { EligibleSubject } from '../domain/requests/request-service.js';
import { MAX_TEXT_LENGTH, RESET_REASONS, VERIFICATION_METHODS } from '../domain/requests/request.js';
import { describeMethods } from './diagnosis.js';
import { renderCard, type AdaptiveCard } from './render-card.js';
import { Verbs } from './verbs.js';

interface ChoiceField {
  label: string;
  required: string;
  value: string;
  error: string | null;
  choices: Array<{ title: string; value: string }>;
}

interface TextField {
  label: string;
  placeholder?: string;
  required?: string;
  value: string;
  error: string | null;
  maxLength: number;
}

/** Data of `cards/application.json`. */
export interface ApplicationCardData {
  title: string;
  intro: string;
  reason: ChoiceField;
  methods: ChoiceField | null;
  verification: ChoiceField;
  contact: TextField;
  note: TextField;
  submit: string;
  verb: string;
  subjectId: string;
  diagnosisId: string;
}

/** Data of `cards/application-subject.json`. */
export interface ApplicationSubjectCardData {
  title: string;
  intro: string;
  label: string;
  required: string;
  continue: string;
  verb: string;
  diagnosisId: string;
  /** The reason the diagnosis suggested, carried to the form; only ever a prefill the person can change. */
  reason: string;
  /** The methods the diagnosis established as lost (`all`, or kinds separated by commas), carried the same way. */
  lost: string;
  subjects: Array<{ title: string; value: string }>;
}

/** A registered method the application can name as lost: its directory id and its masked description. */
export interface LosableMethod {
  id: string;
  method: MaskedMethod;
}

/** What the form shows: the subject, their methods, and (after a failed submit) the values and problems. */
export interface ApplicationFormState {
  subject: EligibleSubject;
  methods: readonly LosableMethod[];
  values?: Partial<ApplicationValues>;
  problems?: Partial<Record<ApplicationField, FieldProblem>>;
  diagnosisId: string | undefined;
}

/**
 * The application form; values typed earlier are shown again, with a message under each problem.
 * For someone else's account (the filer is then the subject's line manager) it names the subject
 * wherever the form would otherwise say "you".
 */
export function renderApplicationCard(strings: Strings, state: ApplicationFormState): AdaptiveCard {
  const a = strings.application;
  const values = state.values ?? {};
  const { isSelf } = state.subject;
  const name = { name: state.subject.displayName };
  const problem = (field: ApplicationField, max?: number): string | null => {
    const found = state.problems?.[field];
    return found ? format(a.problems[found], { max: String(max ?? '') }) : null;
  };
  // describeMethods lists the default method first: the choices follow the same order, so each label
  // stays with its own method id.
  const methods = [...state.methods].sort((a, b) => Number(b.method.isDefault) - Number(a.method.isDefault));
  const labels = describeMethods(
    strings,
    methods.map((m) => m.method),
  );
  const data: ApplicationCardData = {
    title: isSelf ? a.title : format(a.titleFor, name),
    intro: isSelf ? a.intro : format(a.introFor, name),
    reason: {
      label: a.reasonLabel,
      required: a.problems.required,
      value: values.reason ?? '',
      error: problem('reason'),
      choices: RESET_REASONS.map((reason) => ({ title: a.reasons[reason], value: reason })),
    },
    methods:
      methods.length === 0
        ? null
        : {
            label: a.methodsLabel,
            required: a.problems.required,
            value: values.lostMethods ?? '',
            error: problem('lostMethods'),
            choices: methods.map((m, i) => ({ title: labels[i] ?? m.id, value: m.id })),
          },
    verification: {
      label: isSelf ? a.verificationLabel : format(a.verificationLabelFor, name),
      required: a.problems.required,
      value: values.verification ?? '',
      error: problem('verification'),
      choices: VERIFICATION_METHODS.map((method) => ({
        title: isSelf ? a.verifications[method] : format(a.verificationsFor[method], name),
        value: method,
      })),
    },
    contact: {
      label: isSelf ? a.contactLabel : format(a.contactLabelFor, name),
      placeholder: a.contactPlaceholder,
      required: a.problems.required,
      value: values.contact ?? '',
      error: problem('contact', MAX_CONTACT_LENGTH),
      maxLength: MAX_CONTACT_LENGTH,
    },
    note: {
      label: a.noteLabel,
      value: values.note ?? '',
      error: problem('note', MAX_TEXT_LENGTH),
      maxLength: MAX_TEXT_LENGTH,
    },
    submit: a.submit,
    verb: Verbs.applicationSubmit,
    subjectId: state.subject.id,
    diagnosisId: state.diagnosisId ?? '',
  };
  return renderCard('application', data);
}

/**
 * For line managers: whose account the application is for; what the diagnosis learned (the reason,
 * the methods said to be lost) is carried on to the form as its prefill.
 */
export function renderApplicationSubjectCard(
  strings: Strings,
  subjects: readonly EligibleSubject[],
  diagnosisId: string | undefined,
  prefill: { reason?: string | undefined; lost?: LostMethods | undefined } = {},
): AdaptiveCard {
  const a = strings.application;
  const data: ApplicationSubjectCardData = {
    title: a.subjectTitle,
    intro: a.subjectIntro,
    label: a.subjectLabel,
    required: a.problems.required,
    continue: a.continue,
    verb: Verbs.applicationStart,
    diagnosisId: diagnosisId ?? '',
    reason: prefill.reason ?? '',
    lost: prefill.lost === undefined ? '' : prefill.lost === 'all' ? 'all' : prefill.lost.join(','),
    subjects: subjects.map((subject) => ({
      title: subject.isSelf ? format(a.self, { name: subject.displayName }) : subject.displayName,
      value: subject.id,
    })),
  };
  return renderCard('application-subject', data);
}

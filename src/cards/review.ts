import type { Strings } from '../content/strings/index.js';
import { format } from '../content/strings/index.js';
import type { ManagerCheckStatus, RequestState, ResetReason, VerificationMethod } from '../domain/requests/request.js';
import { MAX_TEXT_LENGTH, VERIFICATION_METHODS } from '../domain/requests/request.js';
import { formatForReader, formatHours, formatUtc } from './format-time.js';
import { renderCard, withBanner, type AdaptiveCard } from './render-card.js';
import { Verbs } from './verbs.js';

import type { PassCardClosing, PassRecipient } from '../domain/requests/ports.js';
import { cardActions, OPEN_FOR_REVIEW } from '../domain/requests/review-policy.js';
import type { RiskSignal } from '../domain/requests/risk.js';

export type { RiskSignal } from '../domain/requests/risk.js';

/** Everything the helpdesk channel card shows about one request; names already resolved. */
export interface ReviewCardView {
  requestId: string;
  version: number;
  reference: string;
  state: RequestState;
  submittedAt: Date;
  now: Date;
  /** Set when it has waited for review longer than the service level: that service level, in ms. */
  overdueAfterMs?: number | undefined;
  subject: {
    name: string;
    userPrincipalName: string;
    department: string;
    jobTitle: string;
    managerName: string | undefined;
  };
  /** Undefined when the subject filed it themselves. */
  filerName: string | undefined;
  reason: ResetReason;
  /** Already described and masked, e.g. "Authenticator on iPhone 15", "Mobile phone +65 •••• 4567". */
  lostMethods: string[];
  /** How the applicant offered to be verified. */
  verificationOffered: VerificationMethod;
  /**
   * The subject's numbers as the directory holds them, for a call back to a number on file; undefined when
   * the directory did not answer. Never what the requester typed (that is `contact`).
   */
  phonesOnFile: { business: string[]; mobile: string | undefined } | undefined;
  /** As the requester typed it. */
  contact: string;
  note: string;
  risks: RiskSignal[];
  /** Whether `risks` are those kept with the decision (approval or rejection) rather than read now. */
  risksAtDecision: boolean;
  /** The diagnosis it was applied for from reached the possible-compromise outcome (see ReviewFacts). */
  possibleCompromise: boolean;
  manager: { name: string; status: ManagerCheckStatus; note: string | undefined } | undefined;
  claimedByName: string | undefined;
  /** The agents an open request can be handed over to; undefined or empty when there is nobody to offer. */
  handOverTo: Array<{ id: string; name: string }> | undefined;
  approvals: Array<{ agentName: string; verification: VerificationMethod; note: string; at: Date }>;
  /** 1, or 2 for a privileged subject under the two-approver policy. */
  approvalsNeeded: number;
  /** Privileged subject under the manual policy: no approve action, a line saying it must be handled manually. */
  manualOnly: boolean;
  questions: Array<{ number: number; askedByName: string; text: string; answer: string | undefined }>;
  rejection: { byName: string; reason: string } | undefined;
  /** How carrying out the reset went, once approved: where the pass went, or where it stopped. */
  execution:
    | {
        deliveredTo: PassRecipient | undefined;
        /** Set while the reset waits for this person to issue the pass on the verified contact. */
        waitingForPassFrom?: string | undefined;
        /** Who issued the pass, when it was not sent to the subject. */
        issuerName?: string | undefined;
        /** Why the card that showed the pass no longer does. */
        passClosed?: PassCardClosing | undefined;
        /** Known once the pass has expired: whether the person registered a new method. */
        recovered?: boolean | undefined;
        error:
          { step: string; status: number | undefined; code: string; graphRequestId: string | undefined } | undefined;
      }
    | undefined;
}

/** A button that opens a small form: one text input or more, and a button that sends it. */
interface FormAction {
  title: string;
  submit: string;
  verb: string;
  required: string;
  maxLength: number;
}

/** The tinted backgrounds of Adaptive Card containers; text on them keeps the default colour. */
type ContainerStyle = 'default' | 'emphasis' | 'accent' | 'good' | 'attention' | 'warning';

/** How a request's state is tinted on its card: open, on its way, done, stopped or closed. */
const STATE_STYLES: Readonly<Record<RequestState, ContainerStyle>> = {
  submitted: 'emphasis',
  awaiting_manager: 'emphasis',
  pending_review: 'emphasis',
  approved: 'accent',
  executing: 'accent',
  completed: 'good',
  rejected: 'attention',
  failed: 'attention',
  cancelled: 'emphasis',
  expired: 'emphasis',
};

/** Data of `cards/review.json`. Every text that comes from a person or the directory goes into a TextRun. */
export interface ReviewCardData {
  requestId: string;
  version: number;
  title: string;
  /**
   * Where it stands, as a tinted band under the title: the state, when it was submitted (in the reader's own
   * time), what is still missing and, when overdue, the band turns amber and says so.
   */
  state: {
    label: string;
    style: ContainerStyle;
    submitted: string;
    outstanding: string | null;
    overdue: string | null;
  };
  manualOnly: string | null;
  /**
   * Under the state, on a red band: the person reported signs of someone else at the account; what
   * to check before approving while it is open (`checks` is null once decided).
   */
  compromise: { heading: string; reported: string; checks: { heading: string; lines: string[] } | null } | null;
  facts: Array<{ label: string; values: string[] }>;
  note: { heading: string; text: string } | null;
  risks: { heading: string; lines: string[]; none: string | null };
  progress: { manager: string | null; managerNote: string | null; claimed: string | null } | null;
  approvals: { heading: string; items: Array<{ line: string; time: string; note: string }> } | null;
  questions: {
    heading: string;
    items: Array<{ line: string; text: string; answer: string; answered: boolean }>;
  } | null;
  rejection: { line: string; reason: string } | null;
  execution: { line: string; color: 'Attention' | 'Default'; details: string[] } | null;
  retry: { title: string; verb: string } | null;
  claim: { title: string; verb: string } | null;
  release: { title: string; verb: string } | null;
  handOver: (FormAction & { intro: string; label: string; choices: Array<{ title: string; value: string }> }) | null;
  askInfo: (FormAction & { label: string; placeholder: string }) | null;
  approve:
    | (FormAction & {
        intro: string;
        verificationLabel: string;
        pickOne: string;
        choices: Array<{ title: string; value: string }>;
        /** The verification the requester offered, chosen to begin with. */
        value: string;
        noteLabel: string;
        notePlaceholder: string;
      })
    | null;
  reject: (FormAction & { label: string }) | null;
}

/** After approval: carrying out, done (and where the pass went), or stopped and why. */
function executionSection(r: Strings['review'], view: ReviewCardView): ReviewCardData['execution'] {
  const error = view.execution?.error;
  switch (view.state) {
    case 'executing': {
      const waitingFor = view.execution?.waitingForPassFrom;
      return {
        line: waitingFor ? format(r.execution.waitingForPass, { name: waitingFor }) : r.execution.running,
        color: 'Default',
        details: error && !waitingFor ? [format(r.execution.lastAttempt, errorValues(error))] : [],
      };
    }
    case 'completed': {
      const execution = view.execution;
      const recovered = execution?.recovered;
      const name = execution?.issuerName ?? '';
      const line =
        execution?.deliveredTo === 'manager'
          ? format(r.execution.doneToManager, { name })
          : execution?.deliveredTo === 'agent'
            ? format(r.execution.doneToAgent, { name })
            : r.execution.doneToSubject;
      const passClosed = execution?.passClosed;
      return {
        line,
        color: 'Default',
        details: [
          ...(passClosed && recovered === undefined ? [r.execution.passClosed[passClosed]] : []),
          ...(recovered === undefined ? [] : [recovered ? r.execution.recovered : r.execution.notRecovered]),
        ],
      };
    }
    case 'failed':
      return {
        line: r.execution.failed,
        color: 'Attention',
        details: error
          ? [
              format(r.execution.stoppedAt, errorValues(error)),
              ...(error.graphRequestId ? [format(r.execution.graphRequest, { id: error.graphRequestId })] : []),
            ]
          : [],
      };
    default:
      return null;
  }
}

function errorValues(error: NonNullable<NonNullable<ReviewCardView['execution']>['error']>): Record<string, string> {
  return { step: error.step, error: `${error.status ?? ''} ${error.code}`.trim() };
}

/** States after which nothing more will be verified. */
const FINAL_STATES: ReadonlySet<RequestState> = new Set(['completed', 'rejected', 'cancelled', 'expired']);

/** The channel card of a request: who and why, risk signals, the review so far and, while open, the actions. */
export function renderReviewCard(strings: Strings, view: ReviewCardView): AdaptiveCard {
  const r = strings.review;
  const actionable = OPEN_FOR_REVIEW.includes(view.state);
  const open = cardActions(view.state, view.claimedByName !== undefined, view.manualOnly);
  const orNotRecorded = (value: string): string => (value.trim() === '' ? r.notRecorded : value);

  const progress = {
    manager: view.manager ? format(r.managerStatus[view.manager.status], { name: view.manager.name }) : null,
    managerNote: view.manager?.note ? format(r.managerNote, { note: view.manager.note }) : null,
    claimed: view.claimedByName ? format(r.claimedBy, { name: view.claimedByName }) : actionable ? r.notClaimed : null,
  };
  const form = { required: r.actions.required, maxLength: MAX_TEXT_LENGTH };

  const data: ReviewCardData = {
    requestId: view.requestId,
    version: view.version,
    title: format(r.title, { reference: view.reference }),
    state: {
      label: r.states[view.state],
      // Amber while it waits too long: the one thing on the card that asks for haste.
      style: view.overdueAfterMs === undefined ? STATE_STYLES[view.state] : 'warning',
      // Not "3 h ago": everyone sees this card, and it is not drawn again as time passes.
      submitted: format(r.submitted, { time: formatForReader(view.submittedAt) }),
      outstanding:
        !view.manualOnly && !FINAL_STATES.has(view.state) && view.approvals.length < view.approvalsNeeded
          ? view.approvals.length === 0
            ? r.notVerified
            : format(r.approvalsProgress, {
                count: String(view.approvals.length),
                needed: String(view.approvalsNeeded),
              })
          : null,
      overdue:
        view.overdueAfterMs === undefined ? null : format(r.overdue, { hours: formatHours(view.overdueAfterMs) }),
    },
    manualOnly: view.manualOnly ? r.manualOnly : null,
    compromise: view.possibleCompromise
      ? {
          heading: r.compromise.heading,
          reported: r.compromise.reported,
          checks: actionable ? { heading: r.compromise.checksHeading, lines: [...r.compromise.checks] } : null,
        }
      : null,
    facts: [
      {
        label: r.facts.subject,
        values: [format(r.subjectValue, { name: view.subject.name, upn: view.subject.userPrincipalName })],
      },
      { label: r.facts.department, values: [orNotRecorded(view.subject.department)] },
      { label: r.facts.jobTitle, values: [orNotRecorded(view.subject.jobTitle)] },
      { label: r.facts.manager, values: [view.subject.managerName ?? r.noManager] },
      { label: r.facts.filedBy, values: [view.filerName ?? r.filedBySelf] },
      { label: r.facts.reason, values: [r.reasons[view.reason]] },
      { label: r.facts.lostMethods, values: view.lostMethods.length > 0 ? view.lostMethods : [r.noMethodsListed] },
      { label: r.facts.verification, values: [r.verificationsOffered[view.verificationOffered]] },
      ...(view.verificationOffered === 'callback'
        ? [{ label: r.facts.numbersOnFile, values: phonesOnFile(r, view.phonesOnFile) }]
        : []),
      { label: r.facts.contact, values: [orNotRecorded(view.contact)] },
    ],
    note: view.note.trim() === '' ? null : { heading: r.noteHeading, text: view.note },
    risks: {
      heading: view.risksAtDecision ? r.risksHeadingAtDecision : r.risksHeading,
      lines: view.risks.map((signal) => describeRisk(strings, signal)),
      none: view.risks.length === 0 ? r.noRisks : null,
    },
    progress: Object.values(progress).some((line) => line !== null) ? progress : null,
    approvals:
      view.approvals.length === 0
        ? null
        : {
            heading: r.approvalsHeading,
            items: view.approvals.map((approval) => ({
              line: format(r.approvalLine, {
                name: approval.agentName,
                verification: r.verificationsDone[approval.verification],
              }),
              time: format(r.approvalTime, { time: formatForReader(approval.at) }),
              note: approval.note,
            })),
          },
    questions:
      view.questions.length === 0
        ? null
        : {
            heading: r.questionsHeading,
            items: view.questions.map((question) => ({
              line: format(r.questionLine, { number: String(question.number), name: question.askedByName }),
              text: question.text,
              answer: question.answer === undefined ? r.noAnswerYet : format(r.answerLine, { answer: question.answer }),
              answered: question.answer !== undefined,
            })),
          },
    rejection: view.rejection
      ? {
          line: format(r.rejectedBy, { name: view.rejection.byName }),
          reason: format(r.rejectionReason, { reason: view.rejection.reason }),
        }
      : null,
    claim: open.has('claim') ? { title: r.actions.claim, verb: Verbs.reviewClaim } : null,
    release: open.has('release') ? { title: r.actions.release, verb: Verbs.reviewRelease } : null,
    handOver:
      open.has('handOver') && view.handOverTo !== undefined && view.handOverTo.length > 0
        ? {
            ...form,
            title: view.claimedByName === undefined ? r.actions.assign : r.actions.handOver,
            submit: r.actions.handOverSubmit,
            verb: Verbs.reviewHandOver,
            required: r.actions.pickAgent,
            intro: r.actions.handOverIntro,
            label: r.actions.handOverLabel,
            choices: view.handOverTo.map((agent) => ({ title: agent.name, value: agent.id })),
          }
        : null,
    askInfo: open.has('askInfo')
      ? {
          ...form,
          title: r.actions.askInfo,
          submit: r.actions.sendQuestion,
          verb: Verbs.reviewAskInfo,
          label: r.actions.questionLabel,
          placeholder: r.actions.questionPlaceholder,
        }
      : null,
    approve: open.has('approve')
      ? {
          ...form,
          title: r.actions.approve,
          submit: r.actions.approveSubmit,
          verb: Verbs.reviewApprove,
          intro: r.actions.approveIntro,
          verificationLabel: r.actions.verificationLabel,
          pickOne: r.actions.pickOne,
          choices: VERIFICATION_METHODS.map((method) => ({ title: r.verificationsDone[method], value: method })),
          value: view.verificationOffered,
          noteLabel: r.actions.verificationNoteLabel,
          notePlaceholder: r.actions.verificationNotePlaceholder,
        }
      : null,
    execution: executionSection(r, view),
    retry: open.has('retry') ? { title: r.actions.retry, verb: Verbs.reviewRetry } : null,
    reject: open.has('reject')
      ? {
          ...form,
          title: r.actions.reject,
          submit: r.actions.rejectSubmit,
          verb: Verbs.reviewReject,
          label: r.actions.rejectReasonLabel,
        }
      : null,
  };
  return renderCard('review', data);
}

/** What just happened to the agent who clicked, or why their click was refused. */
export interface ReviewNotice {
  text: string;
  tone: 'default' | 'warning';
}

/**
 * The card for the agent who clicked: the card everyone sees (expanded once per version of the
 * request) with the notice on top.
 */
export function withNotice(card: AdaptiveCard, notice: ReviewNotice): AdaptiveCard {
  return withBanner(card, notice);
}

/** What the manager is asked to confirm about one request of their direct report. */
export interface ManagerConfirmationView {
  requestId: string;
  reference: string;
  subjectName: string;
  /** Undefined when the subject filed it themselves. */
  filerName: string | undefined;
  reason: ResetReason;
  note: string;
  submittedAt: Date;
  /** Set once the manager answered: the card then shows the answer and no buttons. */
  answered: ManagerCheckStatus | undefined;
  /** The report's diagnosis reached the possible-compromise outcome: the card asks them to check first. */
  possibleCompromise: boolean;
}

/** Data of `cards/manager-confirmation.json`. */
export interface ManagerConfirmationCardData {
  requestId: string;
  title: string;
  intro: string;
  facts: Array<{ label: string; value: string }>;
  note: { heading: string; text: string } | null;
  /** On a red band above the question: what the report said that may mean someone else is at the account. */
  compromise: { heading: string; reported: string; advice: string } | null;
  /** Null once answered. */
  ask: {
    text: string;
    noteLabel: string;
    maxLength: number;
    confirm: { title: string; verb: string };
    decline: { title: string; verb: string };
  } | null;
  answered: string | null;
}

/** The card sent to the subject's line manager; `answered` turns it into a record of their answer. */
export function renderManagerConfirmationCard(strings: Strings, view: ManagerConfirmationView): AdaptiveCard {
  const r = strings.review;
  const m = r.manager;
  // `waiting` is what the store holds before an answer, so it still asks.
  const answered = view.answered === 'waiting' ? undefined : view.answered;
  const data: ManagerConfirmationCardData = {
    requestId: view.requestId,
    title: m.title,
    // Says who asked: the report themselves or, named, whoever filed it for them.
    intro:
      view.filerName === undefined
        ? format(m.introSelf, { name: view.subjectName })
        : format(m.introOther, { name: view.subjectName, filer: view.filerName }),
    facts: [
      { label: m.filedBy, value: view.filerName ?? format(m.filedBySelf, { name: view.subjectName }) },
      { label: m.reference, value: view.reference },
      { label: m.reason, value: r.reasons[view.reason] },
      { label: m.submitted, value: format(r.utcTime, { time: formatUtc(view.submittedAt) }) },
    ],
    note: view.note.trim() === '' ? null : { heading: m.noteHeading, text: view.note },
    // A warning for the one deciding: once answered, the card is a record of the answer.
    compromise:
      view.possibleCompromise && answered === undefined
        ? {
            heading: m.compromise.heading,
            reported: format(m.compromise.reported, { name: view.subjectName }),
            advice: format(m.compromise.advice, { name: view.subjectName }),
          }
        : null,
    ask:
      answered === undefined
        ? {
            text: m.ask,
            noteLabel: m.noteLabel,
            maxLength: MAX_TEXT_LENGTH,
            confirm: { title: m.confirm, verb: Verbs.managerConfirm },
            decline: { title: m.decline, verb: Verbs.managerDecline },
          }
        : null,
    answered: answered === undefined ? null : answered === 'confirmed' ? m.confirmed : m.declined,
  };
  return renderCard('manager-confirmation', data);
}

/** One question an agent asked the requester, and (after a failed send) what they typed. */
export interface InfoRequestView {
  requestId: string;
  reference: string;
  questionNumber: number;
  askedByName: string;
  question: string;
  /** Set once answered: the card shows the answer and no input. */
  answer: string | undefined;
  /** After a failed send: the text typed (kept) and the problem to show under the input. */
  typed?: string;
  problem?: 'required' | 'tooLong';
}

/** Data of `cards/info-request.json`. */
export interface InfoRequestCardData {
  requestId: string;
  questionNumber: number;
  title: string;
  intro: string;
  askedBy: string;
  question: string;
  /** Null once answered. */
  form: {
    label: string;
    placeholder: string;
    required: string;
    maxLength: number;
    value: string;
    error: string | null;
    send: string;
    verb: string;
  } | null;
  answered: { heading: string; text: string } | null;
}

/** The card that brings an agent's question to the requester; with `answer`, the record of their reply. */
export function renderInfoRequestCard(strings: Strings, view: InfoRequestView): AdaptiveCard {
  const i = strings.review.info;
  const data: InfoRequestCardData = {
    requestId: view.requestId,
    questionNumber: view.questionNumber,
    title: i.title,
    intro: format(i.intro, { reference: view.reference }),
    askedBy: format(i.askedBy, { number: String(view.questionNumber), name: view.askedByName }),
    question: view.question,
    form:
      view.answer === undefined
        ? {
            label: i.answerLabel,
            placeholder: i.answerPlaceholder,
            required: i.problems.required,
            maxLength: MAX_TEXT_LENGTH,
            value: view.typed ?? '',
            error: view.problem ? format(i.problems[view.problem], { max: String(MAX_TEXT_LENGTH) }) : null,
            send: i.send,
            verb: Verbs.infoAnswer,
          }
        : null,
    answered: view.answer === undefined ? null : { heading: i.answeredHeading, text: view.answer },
  };
  return renderCard('info-request', data);
}

/** The numbers the directory holds, each named; a line saying there are none (or could not be read). */
function phonesOnFile(r: Strings['review'], phones: ReviewCardView['phonesOnFile']): string[] {
  const lines = [
    ...(phones?.mobile ? [format(r.phoneOnFile.mobile, { number: phones.mobile })] : []),
    ...(phones?.business ?? []).map((number) => format(r.phoneOnFile.business, { number })),
  ];
  if (lines.length > 0) return lines;
  return [phones === undefined ? r.numbersUnavailable : r.noNumbersOnFile];
}

/** An Entra object id (a GUID). */
const OBJECT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function describeRisk(strings: Strings, signal: RiskSignal): string {
  const risks = strings.review.risks;
  switch (signal.kind) {
    case 'privilegedRole': {
      // A role Graph listed without its name (no RoleManagement.Read.Directory) comes by its object id.
      const roles = signal.roles.map((role) => (OBJECT_ID.test(role) ? format(risks.unnamedRole, { id: role }) : role));
      return format(risks.privilegedRole, { roles: roles.join(strings.review.listSeparator) });
    }
    case 'failedSignIns':
      return format(risks.failedSignIns, { count: String(signal.count) });
    case 'riskySignIns':
      return format(risks.riskySignIns, { count: String(signal.count) });
    case 'methodsChangedRecently':
      return format(risks.methodsChangedRecently, { days: String(signal.days) });
    case 'recentResets':
      return format(risks.recentResets, { count: String(signal.count) });
    case 'filedOnBehalf':
      return risks.filedOnBehalf;
    case 'directoryUnavailable':
      return risks.directoryUnavailable;
  }
}

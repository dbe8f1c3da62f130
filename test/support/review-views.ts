import type { InfoRequestView, ManagerConfirmationView, ReviewCardView, ReviewNotice } from '../../src/cards/review.js';

/** A request as it first reaches the channel: nothing optional set, nothing reviewed yet. */
export function minimalReviewView(overrides: Partial<ReviewCardView> = {}): ReviewCardView {
  return {
    requestId: 'req-1',
    version: 1,
    reference: 'SIH-000123',
    state: 'pending_review',
    submittedAt: new Date('2026-11-24T09:00:00Z'),
    now: new Date('2026-11-24T12:10:00Z'),
    subject: {
      name: 'Alex Wilber',
      userPrincipalName: 'alexw@contoso.example',
      department: '',
      jobTitle: '',
      managerName: undefined,
    },
    filerName: undefined,
    reason: 'lostPhone',
    lostMethods: [],
    verificationOffered: 'videoCall',
    phonesOnFile: { business: [], mobile: undefined },
    contact: '+65 6123 4567',
    note: '',
    risks: [],
    risksAtDecision: false,
    possibleCompromise: false,
    manager: undefined,
    claimedByName: undefined,
    handOverTo: undefined,
    approvals: [],
    approvalsNeeded: 1,
    manualOnly: false,
    questions: [],
    rejection: undefined,
    execution: undefined,
    ...overrides,
  };
}

/** Every risk signal, one of each kind. */
export const allRiskSignals: ReviewCardView['risks'] = [
  { kind: 'privilegedRole', roles: ['Global Administrator', 'User Administrator'] },
  { kind: 'failedSignIns', count: 12 },
  { kind: 'riskySignIns', count: 2 },
  { kind: 'methodsChangedRecently', days: 7 },
  { kind: 'recentResets', count: 3 },
  { kind: 'filedOnBehalf' },
  { kind: 'directoryUnavailable' },
];

/** A request with every optional part present: manager, risks, two approvals, questions, rejection. */
export function fullReviewView(overrides: Partial<ReviewCardView> = {}): ReviewCardView {
  return minimalReviewView({
    version: 7,
    state: 'rejected',
    submittedAt: new Date('2026-11-22T08:30:00Z'),
    now: new Date('2026-11-24T12:10:00Z'),
    subject: {
      name: '佐藤 由紀',
      userPrincipalName: 'yuki.sato@contoso.example',
      department: 'Finance',
      jobTitle: 'Accountant',
      managerName: 'Megan Bowen',
    },
    filerName: 'Megan Bowen',
    reason: 'other',
    lostMethods: ['Authenticator on iPhone 15', 'Mobile phone +65 •••• 4567'],
    verificationOffered: 'managerConfirmation',
    note: 'Phone fell in the sea. [x](https://evil.example)',
    risks: allRiskSignals,
    risksAtDecision: true,
    manager: { name: 'Megan Bowen', status: 'declined', note: 'I did not ask for this.' },
    claimedByName: 'Adele Vance',
    approvals: [
      {
        agentName: 'Adele Vance',
        verification: 'videoCall',
        note: 'Photo ID matched.',
        at: new Date('2026-11-23T10:00:00Z'),
      },
      {
        agentName: 'Lee Gu',
        verification: 'callback',
        note: 'Called the number on file.',
        at: new Date('2026-11-23T11:15:00Z'),
      },
    ],
    approvalsNeeded: 2,
    questions: [
      { number: 1, askedByName: 'Adele Vance', text: 'When did you lose it?', answer: 'Yesterday evening.' },
      { number: 2, askedByName: 'Lee Gu', text: 'Which office are you in?', answer: undefined },
    ],
    rejection: { byName: 'Lee Gu', reason: 'The manager declined.' },
    ...overrides,
  });
}

/** The manager's card before they answer. */
export function managerView(overrides: Partial<ManagerConfirmationView> = {}): ManagerConfirmationView {
  return {
    requestId: 'req-1',
    reference: 'SIH-000123',
    subjectName: '佐藤 由紀',
    filerName: undefined,
    reason: 'lostPhone',
    note: '',
    submittedAt: new Date('2026-11-24T09:00:00Z'),
    answered: undefined,
    possibleCompromise: false,
    ...overrides,
  };
}

/** The requester's card for question 2, not answered yet. */
export function infoView(overrides: Partial<InfoRequestView> = {}): InfoRequestView {
  return {
    requestId: 'req-1',
    reference: 'SIH-000123',
    questionNumber: 2,
    askedByName: 'Adele Vance',
    question: 'Which office are you in?',
    answer: undefined,
    ...overrides,
  };
}

/** The line for the agent who clicked, as a refusal shows it. */
export const clickerNotice: ReviewNotice = {
  text: 'Someone else changed this request first; this is the latest.',
  tone: 'warning',
};

/** The agents a request can be handed over to: the helpdesk group, less the subject, the filer and the claimer. */
export const handOverAgents: NonNullable<ReviewCardView['handOverTo']> = [
  { id: 'agent-lee', name: 'Lee Gu' },
  { id: 'agent-ken', name: '高橋 健' },
];

/** A request offered a call back to a number on file, claimed and open: release, hand over and the numbers show. */
export function callbackReviewView(overrides: Partial<ReviewCardView> = {}): ReviewCardView {
  return minimalReviewView({
    verificationOffered: 'callback',
    phonesOnFile: { business: ['+65 6601 2301'], mobile: '+65 9123 4567' },
    contact: 'call me on +65 8000 0000',
    claimedByName: 'Adele Vance',
    handOverTo: handOverAgents,
    ...overrides,
  });
}

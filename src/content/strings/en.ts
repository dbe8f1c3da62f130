/** English user-facing strings. Every key must also exist in `ja.ts` (the type enforces it). */
export const en = {
  welcome: {
    title: 'Sign-in Help',
    greetingNew: 'Hi {name}, I help you get back into your work account.',
    greetingReturning: 'Welcome back, {name}.',
    greetingAnonymous: 'Hi, I help you get back into your work account.',
    intro: 'Tell me in your own words what is going wrong, or pick one of the options below.',
    capabilities: [
      'Work out why you cannot sign in, and walk you through the fix.',
      'Apply for a reset of your verification methods when your phone or authenticator is gone. The helpdesk checks who you are before anything changes.',
      'Show where your requests stand.',
    ],
    safety: 'I will never ask for your password or a verification code. Do not type them here.',
    actionCantSignIn: "I can't sign in",
    actionMyRequests: 'My requests',
    actionHelp: 'Help',
  },
  help: {
    title: 'How I can help',
    examplesHeading: 'You can type things like:',
    examples: ["“I can't sign in”", '“I got a new phone”', '“I lost my phone”', '“The number does not match”'],
    commandsHeading: 'Or use these words:',
    commands: [
      { command: 'help', description: 'show this guide' },
      { command: 'diagnose', description: 'find out why you cannot sign in' },
      { command: 'my requests', description: 'see where your requests stand' },
    ],
  },
  actions: {
    answered: 'My answer is in the chat below.',
  },
  diagnosis: {
    title: "Let's find out what's wrong",
    progress: 'Question {number}',
    evidenceHeading: 'What I can see in the directory',
    methodsLine: 'Registered methods: {methods}',
    noMethodsLine: 'No verification methods are registered for your account.',
    unknownEvidence: 'I could not look at the directory just now, so I will ask instead.',
    facts: {
      mfaNotCompleted: 'Your recent sign-ins stopped at the verification step.',
      wrongPassword: 'Your recent sign-ins were refused because of the password.',
    },
    categories: {
      selfService: 'You can fix this yourself',
      notMfa: 'This is not a problem with your verification methods',
      resetNeeded: 'The helpdesk needs to reset your verification methods',
    },
    didThisFixIt: 'Did this fix it?',
    yes: 'Yes, I can sign in',
    no: 'No, still stuck',
    apply: 'Apply for a reset',
    noLongerNeeded: 'I can sign in now',
    resolvedTitle: 'Glad that worked',
    resolvedBody: 'Thanks for letting me know. If it happens again, just tell me what is wrong.',
    unresolvedTitle: 'Please contact the helpdesk',
    unresolvedBody:
      'I have run out of things you can try yourself. Please contact your IT helpdesk and mention this reference so they can see what you already tried: {reference}.',
    staleAnswer: 'That card is from an earlier step. The latest step is in the chat below.',
    answered: 'You answered: {answer}',
    symptomsTitle: "Which of these is closest to what's happening?",
    symptomsIntro: 'I am not sure I understood. Pick the closest one, or describe it in other words.',
    next: 'Continue',
    pickOne: 'Pick one of the options.',
    symptoms: {
      lostPhone: 'I lost my phone or it was reset',
      newPhone: 'I have a new phone',
      authenticatorDeleted: 'I deleted the authenticator app',
      numberMismatch: "The number or code doesn't work",
      password: 'My password is not accepted',
      lockedOrBlocked: 'My account is locked or blocked',
      setup: "I'm setting up my account",
      somethingElse: 'Something else',
    },
  },
  application: {
    title: 'Apply for a reset of your verification methods',
    titleFor: 'Apply for a reset for {name}',
    intro:
      'The helpdesk clears the methods you list after checking who you are. You then sign in once with a one-time Temporary Access Pass and register new methods.',
    subjectTitle: 'Whose account needs the reset?',
    subjectIntro: 'As a line manager you can also apply for a direct report who cannot reach Teams.',
    subjectLabel: 'Account',
    self: 'My own account ({name})',
    continue: 'Continue',
    reasonLabel: 'What happened?',
    reasons: {
      lostPhone: 'The phone was lost or stolen',
      phoneReset: 'The phone was wiped or factory reset',
      authenticatorDeleted: 'The authenticator app was deleted',
      newPhoneNoOld: 'A new phone, and the old one is gone',
      other: 'Something else (say what in the note)',
    },
    methodsLabel: 'Which verification methods can no longer be used?',
    verificationLabel: 'How can the helpdesk confirm who you are?',
    verifications: {
      videoCall: 'A video call where I show photo ID',
      inPerson: 'In person at an office, with my staff or student ID',
      managerConfirmation: 'My manager confirms it is me',
      callback: 'A call back to a phone number already on file',
    },
    contactLabel: 'How can the helpdesk reach you?',
    contactPlaceholder: 'A phone number, or an email address other than the locked account',
    noteLabel: 'Anything else the helpdesk should know? (optional)',
    submit: 'Send application',
    problems: {
      required: 'Please fill this in.',
      tooLong: 'This is too long: at most {max} characters.',
      invalid: 'Please choose one of the options shown.',
    },
    confirmationTitle: 'Application received: {reference}',
    confirmationBody:
      'Keep this reference. Helpdesk staff review applications on business days; one sent at night, at a weekend or on a holiday is looked at on the next business day. They will contact you as you asked to confirm who you are, and only then reset your methods. Nobody from the helpdesk will ever ask for your password.',
    openRequestTitle: 'There is already an open request',
    openRequestBody:
      'Request {reference} for this account is still open, so a second one is not needed. You will hear about it here.',
    capReachedTitle: 'Too many applications today',
    capReachedBody:
      'You have sent {cap} applications in the last 24 hours, the most allowed. Please contact your IT helpdesk directly if it is urgent.',
    notEligibleTitle: 'You cannot apply for this account',
    notEligibleBody:
      'You can apply for your own account or, as a line manager, for one of your direct reports. Choose again, or contact your IT helpdesk.',
  },
  methods: {
    microsoftAuthenticator: 'Authenticator on {device}',
    microsoftAuthenticatorNoDevice: 'Microsoft Authenticator',
    phoneMobile: 'Mobile phone {number}',
    phoneAlternateMobile: 'Second mobile phone {number}',
    phoneOffice: 'Office phone {number}',
    softwareOath: 'Authenticator app code',
    fido2: 'Security key {device}',
    windowsHelloForBusiness: 'Windows Hello on {device}',
    email: 'Email {address}',
    temporaryAccessPass: 'Temporary Access Pass',
    password: 'Password',
    defaultSuffix: '{method} (default)',
  },
  requests: {
    title: 'My requests',
    none: 'You have no requests. If you cannot sign in, choose "I can\'t sign in" and I will work out what to do.',
    forSomeone: 'for {name}',
    filed: 'Sent {date}',
    states: {
      submitted: 'Received',
      awaiting_manager: 'Waiting for the manager',
      pending_review: 'Waiting for the helpdesk',
      approved: 'Approved',
      executing: 'Being carried out',
      completed: 'Done',
      rejected: 'Rejected',
      cancelled: 'Cancelled',
      expired: 'Expired',
      failed: "Needs the helpdesk's attention",
    },
  },
  team: {
    title: 'Sign-in Help is here',
    body: 'I help people in this organisation get back into their accounts. Helpdesk agents see and decide reset applications in the approval channel; an administrator chooses that channel.',
  },
  refusals: {
    missingIdentity:
      'I can only help signed-in members of your organisation, and I could not tell who you are from this message. Open this chat from Microsoft Teams with your work account and try again.',
  },
  errors: {
    title: 'Something went wrong',
    generic:
      'Sorry, I could not finish that. Nothing you typed is lost; please try again in a moment. If it keeps happening, tell the helpdesk this reference: {reference}.',
  },
  pages: {
    home: {
      title: 'Sign-in Help',
      paragraphs: [
        'Sign-in Help is a Microsoft Teams app run by your organisation’s IT helpdesk. It works out why you cannot sign in to your work account, walks you through the fix, and takes applications to reset your verification methods when you cannot fix it yourself.',
        'Open it in Microsoft Teams and say what is wrong. It will never ask for your password or a verification code.',
      ],
    },
    privacy: {
      title: 'Privacy statement',
      paragraphs: [
        'Sign-in Help is operated by your organisation’s IT helpdesk, and your organisation is responsible for the data it keeps.',
        'It keeps what it needs to help you: the state of your conversation with it, where to reach you in Teams, and, when you apply for a reset, your application, the decisions on it and a tamper-evident record of who did what.',
        'It reads from your organisation’s directory what it needs to diagnose sign-in problems, such as whether your account is enabled and which verification methods are registered, shown masked.',
        'It never asks for, keeps or logs passwords, verification codes or Temporary Access Passes.',
        'For questions about your data, contact your IT helpdesk.',
      ],
    },
    terms: {
      title: 'Terms of use',
      paragraphs: [
        'Sign-in Help is for members of your organisation, to regain access to their own work account or, for line managers, to the account of a direct report who cannot reach Teams.',
        'Applications are checked by the helpdesk, who verify your identity before anything changes. Applying for an account you are not entitled to is refused and recorded.',
        'Follow your organisation’s IT policies when you use it.',
      ],
    },
    otherLanguage: { label: '日本語', locale: 'ja' },
  },
} as const;

type Widen<T> = T extends string
  ? string
  : T extends readonly (infer Item)[]
    ? readonly Widen<Item>[]
    : { readonly [K in keyof T]: Widen<T[K]> };

/** The shape every locale's strings must have. */
export type Strings = Widen<typeof en>;

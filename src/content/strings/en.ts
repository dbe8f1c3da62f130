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
  firstSteps: {
    title: 'First things to try',
    intro: 'Most sign-in problems are fixed in a minute with one of these:',
    steps: [
      'At the verification prompt, choose "Sign in another way" (or "Use a different verification option"). If another registered method still works, such as a text message or a second phone, use it.',
      'If you changed phones and still have the old one, sign in with the old phone, open My Sign-Ins > Security info, add the authenticator on the new phone, then remove the old one.',
      'If the number on screen has to be typed into the authenticator app, enter exactly the number your browser shows and tap Yes.',
      'If none of your methods works any more (phone lost, wiped, or the authenticator app was deleted), your verification methods must be reset by the helpdesk.',
    ],
    securityInfoLink: 'Open Security info',
  },
  actions: {
    answered: 'My answer is in the chat below.',
  },
  requests: {
    title: 'My requests',
    none: 'You have no requests. If you cannot sign in, choose "I can\'t sign in" and I will work out what to do.',
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

import { describe, expect, it } from 'vitest';

import { loadDemoTenant } from '../../src/directory/demo-tenant.js';
import { SimulatedDirectory } from '../../src/directory/simulated-directory.js';
import { DiagnosisEngine, type DiagnosisStep, type Facts } from '../../src/domain/diagnosis/engine.js';
import { factsFrom, gatherEvidence } from '../../src/domain/diagnosis/evidence.js';
import { APPLY, type LinkId, type OutcomeCategory, type OutcomeNode } from '../../src/domain/diagnosis/knowledge.js';
import { matchIntent } from '../../src/domain/diagnosis/match-intent.js';
import { DEFAULT_LINKS, EVERY_LINK, shippedKnowledge, shown } from '../support/knowledge-walk.js';
import type { Clock } from '../../src/domain/ports.js';

/*
 * The sign-in failures a helpdesk sees most, by their Entra error code, and the directory facts that decide a route
 * before anything is asked. Phrasings are our own (people's words and the screens' texts in both languages).
 */

const knowledge = shippedKnowledge;

/** Starts a diagnosis from what the person typed (or from the start when nothing matched). */
function begin(text: string | undefined, facts: Facts = {}, links: ReadonlySet<LinkId> = DEFAULT_LINKS) {
  const engine = new DiagnosisEngine(knowledge, links);
  const intent = text === undefined ? undefined : matchIntent(text, knowledge.intents)?.id;
  return { engine, step: engine.begin(facts, intent) };
}

/** The first card a person sees after typing `text`, for someone the directory says nothing about. */
const firstCard = (text: string, facts: Facts = {}): string => shown(begin(text, facts).step);

/** Answers "did not fix it" until the diagnosis ends; the outcomes and the end it passes through. */
function notFixedChain(engine: DiagnosisEngine, start: DiagnosisStep, facts: Facts): string[] {
  const seen = [shown(start)];
  let step = start;
  while (step.view.kind === 'outcome') {
    step = engine.notFixed(step.state, step.view.node.id, facts);
    seen.push(shown(step));
  }
  return seen;
}

const outcome = (id: string): OutcomeNode => {
  const node = knowledge.nodes.find((candidate) => candidate.id === id);
  if (node?.kind !== 'outcome') throw new Error(`${id} is not an outcome`);
  return node;
};

const CODED_OUTCOMES: ReadonlyArray<{ id: string; category: OutcomeCategory; codes: number[] }> = [
  { id: 'register-first-method', category: 'selfService', codes: [50079, 50072] },
  { id: 'app-not-assigned', category: 'notMfa', codes: [50105] },
  { id: 'session-account-selection', category: 'notMfa', codes: [50058, 16000] },
  { id: 'guest-not-in-tenant', category: 'notMfa', codes: [90072, 50020] },
  { id: 'wrong-username', category: 'notMfa', codes: [50034] },
  { id: 'registration-blocked', category: 'selfService', codes: [53004] },
  { id: 'external-challenge', category: 'selfService', codes: [50158] },
  { id: 'mfa-denied-or-timeout', category: 'selfService', codes: [500121] },
];

describe('an outcome for each failure a helpdesk sees by its error code', () => {
  it.each(CODED_OUTCOMES)('has $id ($category), naming its codes in both languages', ({ id, category, codes }) => {
    const node = outcome(id);

    expect(node.category).toBe(category);
    for (const code of codes) {
      expect(node.summary.en).toContain(`AADSTS${code}`);
      expect(node.summary.ja).toContain(`AADSTS${code}`);
    }
  });

  it.each(CODED_OUTCOMES.flatMap(({ id, codes }) => codes.map((code) => ({ id, code }))))(
    'reaches $id straight from AADSTS$code, however the code is written',
    ({ id, code }) => {
      for (const text of [
        `AADSTS${code}`,
        `I get error ${code} when I sign in`,
        `Sign in failed. Error Code: ${code}`,
        `エラーコード ${code} が出てサインインできません`,
      ]) {
        expect(firstCard(text), text).toBe(id);
      }
    },
  );

  it('asks what happened to the phone for "strong authentication is required" (50074, 50076)', () => {
    expect(firstCard('AADSTS50076')).toBe('q-mfa-problem');
    expect(firstCard('AADSTS50074: Strong Authentication is required.')).toBe('q-mfa-problem');
    expect(firstCard('AADSTS50076', { hasNoMfaMethod: true })).toBe('register-first-method');
  });

  it('never leads a failure that is not about verification methods to the reset application', () => {
    for (const { id, category } of CODED_OUTCOMES) {
      const engine = new DiagnosisEngine(knowledge, EVERY_LINK);
      const state = { node: id, questionsAsked: 0, path: [], triedOutcomes: [] };
      const chain = notFixedChain(engine, { state, view: engine.current(state) }, {});
      if (category === 'notMfa') expect(chain, id).not.toContain(APPLY);
      expect(chain, id).not.toContain('reset-needed');
    }
  });
});

describe('what people type about these failures', () => {
  it.each([
    ['It says More information required when I sign in', 'register-first-method'],
    ['"Your organization needs more information to keep your account secure" - what now?', 'register-first-method'],
    ['keeps asking me for more info and to set up the authenticator', 'register-first-method'],
    ['I never set up MFA and now it wants me to', 'register-first-method'],
    ['it forces me to register authenticator before I can log in', 'register-first-method'],
    ['「詳細情報が必要」と表示されて先に進めません', 'register-first-method'],
    ['組織ではさらに情報が必要ですと出ます', 'register-first-method'],
    ['多要素認証をまだ設定していません', 'register-first-method'],
    ['The signed in user is not assigned to a role for the application', 'app-not-assigned'],
    ["it says I'm not assigned to this app", 'app-not-assigned'],
    ["I can sign in but the app says I don't have permission", 'app-not-assigned'],
    ['このアプリケーションのロールに割り当てられていませんと表示されます', 'app-not-assigned'],
    ['アプリへのアクセス権がありません', 'app-not-assigned'],
    ['A silent sign-in request was sent but no user is signed in', 'session-account-selection'],
    ['it keeps signing me in with my personal account instead of my work one', 'session-account-selection'],
    ['stuck on the pick an account page', 'session-account-selection'],
    ["I'm logged into two accounts in the browser and it picks the wrong one", 'session-account-selection'],
    ['別のアカウントでサインインされてしまう', 'session-account-selection'],
    ['アカウントを選択する画面がループします', 'session-account-selection'],
    ["User account from identity provider 'live.com' does not exist in tenant 'Contoso'", 'guest-not-in-tenant'],
    ['The account needs to be added as an external user in the tenant first', 'guest-not-in-tenant'],
    ["my guest account can't get into their Teams", 'guest-not-in-tenant'],
    ['I was invited with a different email address', 'guest-not-in-tenant'],
    ['テナントに存在しませんと言われた', 'guest-not-in-tenant'],
    ['ゲストアカウントで入れない', 'guest-not-in-tenant'],
    ['This username may be incorrect. Make sure you typed it correctly.', 'wrong-username'],
    ["We couldn't find an account with that username", 'wrong-username'],
    ['it says my username is wrong', 'wrong-username'],
    ['このユーザー名は正しくない可能性があります', 'wrong-username'],
    ['アカウントが見つかりませんと表示される', 'wrong-username'],
    ['UTokyo Accountの10桁のIDが分からない', 'wrong-username'],
    ["I can't add a method in security info, it says blocked", 'registration-blocked'],
    ['registration is blocked by policy', 'registration-blocked'],
    ['セキュリティ情報に方法を登録できません', 'registration-blocked'],
    ['認証アプリを登録しようとするとブロックされる', 'registration-blocked'],
    ['External security challenge was not satisfied', 'external-challenge'],
    ['the Duo push fails every time', 'external-challenge'],
    ["third party MFA doesn't work", 'external-challenge'],
    ['外部の認証サービスでエラーになる', 'external-challenge'],
    ['Authentication failed during strong authentication request', 'mfa-denied-or-timeout'],
    ['I accidentally pressed deny on the authenticator', 'mfa-denied-or-timeout'],
    ['the mfa request timed out before I could approve it', 'mfa-denied-or-timeout'],
    ['承認が間に合わなくてタイムアウトした', 'mfa-denied-or-timeout'],
    ['誤って拒否を押してしまった', 'mfa-denied-or-timeout'],
  ])('reads %j as %s', (text, expected) => {
    expect(firstCard(text)).toBe(expected);
  });

  it('leaves a missing set-up of the main government (WOG) account to its own advice', () => {
    expect(firstCard("I haven't set up MFA for my WOG account yet")).toBe('wog-mfa-setup');
    expect(firstCard('GSIBでWOGのMFAを登録していない')).toBe('wog-mfa-setup');
    expect(firstCard('I never set up MFA')).toBe('register-first-method');
    expect(firstCard('多要素認証をまだ設定していません')).toBe('register-first-method');
  });

  it('still reads the common wordings as before', () => {
    expect(firstCard("I can't sign in")).toBe('q-symptom');
    expect(firstCard('I forgot my password')).toBe('password-forgotten');
    expect(firstCard("I'm a new employee")).toBe('q-onboarding');
    expect(firstCard('I never got my invitation')).toBe('q-invitation');
  });
});

describe('directory facts that decide the route', () => {
  it('sends someone with no verification method at all to register one, without a question', () => {
    const { step } = begin("I can't sign in", { hasNoMfaMethod: true });

    expect(shown(step)).toBe('register-first-method');
    expect(step.state.questionsAsked).toBe(0);
  });

  it.each([
    ['I lost my phone', 'lost-phone'],
    ['MFA not working', 'mfa-problem'],
    ["I'm a new employee", 'first-time-setup'],
  ])('registers a first method rather than asking about others when %j comes with no method on file', (text) => {
    const { step } = begin(text, { hasNoMfaMethod: true });

    expect(shown(step)).toBe('register-first-method');
    expect(step.state.questionsAsked).toBe(0);
  });

  it('keeps a pass, an invitation and the person words ahead of "no method on file"', () => {
    expect(firstCard('I lost my phone', { hasNoMfaMethod: true, temporaryAccessPassActive: true })).toBe('tap-active');
    expect(firstCard("I can't sign in", { hasNoMfaMethod: true, invitationPending: true })).toBe('invitation-pending');
    expect(firstCard('I forgot my password', { hasNoMfaMethod: true })).toBe('password-forgotten');
  });

  it('goes from a blocked registration to a pass or a reset only when no method is on file', () => {
    const none = begin('AADSTS53004', { hasNoMfaMethod: true });
    const some = begin('AADSTS53004', { hasSeveralMfaMethods: true });

    expect(notFixedChain(none.engine, none.step, { hasNoMfaMethod: true })).toEqual([
      'registration-blocked',
      'reset-needed',
      APPLY,
    ]);
    expect(notFixedChain(some.engine, some.step, { hasSeveralMfaMethods: true })).toEqual([
      'registration-blocked',
      'contact-helpdesk',
      'unresolved',
    ]);
  });

  it('sends an account the tenant does not know to the guest advice when the words say nothing more', () => {
    const { step } = begin("I can't sign in", { notInTenant: true });

    expect(shown(step)).toBe('guest-not-in-tenant');
    expect(step.state.questionsAsked).toBe(0);
    expect(step.state.path).toContainEqual({ node: 'q-account', via: 'evidence', choice: 'not-in-organisation' });
  });

  it('reads "not in tenant" from the guest failures in the sign-in log, not from the account picker', () => {
    const now = new Date('2026-03-02T01:30:00Z');
    const after = (errorCode: number) =>
      factsFrom(
        { user: undefined, methods: undefined, signIns: [{ at: new Date(now.getTime() - 60_000), errorCode }] },
        now,
      ).notInTenant;

    expect(after(50020)).toBe(true);
    expect(after(90072)).toBe(true);
    expect(after(16000)).toBe(false);
  });

  it('lets the words win over "not in tenant"', () => {
    expect(firstCard('I lost my phone', { notInTenant: true })).toBe('q-other-method');
    expect(firstCard('stuck on the pick an account page', { notInTenant: true })).toBe('session-account-selection');
  });

  it('sends recent wrong passwords to the password reset, but not past what the person said', () => {
    const { step } = begin(undefined, { wrongPassword: true });

    expect(shown(step)).toBe('password-forgotten');
    expect(step.state.questionsAsked).toBe(0);
    expect(firstCard('I lost my phone', { wrongPassword: true })).toBe('q-other-method');
    expect(firstCard("I can't sign in", { wrongPassword: true, accountLocked: true })).toBe('account-locked');
  });

  it('asks about the phone straight away when the password was right but verification was not completed', () => {
    const { step } = begin("I can't sign in", { mfaNotCompleted: true });

    expect(shown(step)).toBe('q-mfa-problem');
    expect(step.state.questionsAsked).toBe(0);
    // Passing the password once is the later step: verification is what blocks now.
    expect(firstCard("I can't sign in", { mfaNotCompleted: true, wrongPassword: true })).toBe('q-mfa-problem');
    expect(firstCard('I forgot my password', { mfaNotCompleted: true })).toBe('password-forgotten');
  });

  it('tells someone with several methods who lost one to sign in another way instead of asking', () => {
    const facts: Facts = { hasSeveralMfaMethods: true };
    const { engine, step } = begin('I lost my phone', facts);

    expect(shown(step)).toBe('sign-in-another-way');
    expect(step.state.questionsAsked).toBe(0);
    expect(step.state.path).toContainEqual({ node: 'q-other-method', via: 'evidence', choice: 'yes' });
    // Other methods on file are not proof that they work: "did not fix it" does not jump to a reset.
    expect(notFixedChain(engine, step, facts)[1]).not.toBe('reset-needed');
  });

  it('still asks what happened to the phone of someone with several methods who only said they cannot sign in', () => {
    expect(firstCard("I can't sign in", { hasSeveralMfaMethods: true })).toBe('q-symptom');
  });

  it('asks about the message when the person says it is about their account, within two questions', () => {
    const engine = new DiagnosisEngine(knowledge, DEFAULT_LINKS);
    const first = engine.begin({});
    const second = engine.answer(first.state, 'q-symptom', 'account-message', {});
    expect(shown(second)).toBe('q-account');
    const ends = (choice: string) => shown(engine.answer(second.state, 'q-account', choice, {}));

    expect(ends('not-found')).toBe('wrong-username');
    expect(ends('not-in-organisation')).toBe('guest-not-in-tenant');
    expect(ends('wrong-account')).toBe('session-account-selection');
    expect(ends('not-assigned')).toBe('app-not-assigned');
  });

  it('offers registering a first method among the verification problems and the first-time tasks', () => {
    const engine = new DiagnosisEngine(knowledge, DEFAULT_LINKS);
    const first = engine.begin({});
    const mfa = engine.answer(first.state, 'q-symptom', 'cannot-verify', {});
    const onboarding = engine.answer(first.state, 'q-symptom', 'first-time-setup', {});

    expect(shown(engine.answer(mfa.state, 'q-mfa-problem', 'never-set-up', {}))).toBe('register-first-method');
    expect(shown(engine.answer(onboarding.state, 'q-onboarding', 'register-first-method', {}))).toBe(
      'register-first-method',
    );
  });
});

describe('people of the demo tenant', () => {
  const clock: Clock = { now: () => new Date('2026-03-02T01:30:00Z') };
  const tenant = loadDemoTenant();
  const directory = new SimulatedDirectory(tenant, clock);
  const factsOf = async (localPart: string): Promise<Facts> => {
    const user = tenant.users.find((candidate) => candidate.userPrincipalName.startsWith(`${localPart}@`));
    if (!user) throw new Error(`no demo user ${localPart}`);
    const { evidence } = await gatherEvidence(directory, user.id, 1_000);
    return factsFrom(evidence, clock.now());
  };

  it('sends Grady Archie, who never registered a method, to register his first one', async () => {
    const { step } = begin("I can't sign in", await factsOf('gradya'));

    expect(shown(step)).toBe('register-first-method');
  });

  it('asks Alex Wilber, whose verification failed, about his phone, then points him to his other method', async () => {
    const facts = await factsOf('alexw');
    const { engine, step } = begin("I can't sign in", facts);

    expect(shown(step)).toBe('q-mfa-problem');
    expect(shown(engine.answer(step.state, 'q-mfa-problem', 'lost-or-reset', facts))).toBe('sign-in-another-way');
  });
});

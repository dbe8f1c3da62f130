import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SYMPTOM_INTENTS } from '../../src/cards/diagnosis.js';
import { DEFAULT_KNOWLEDGE_PATH, loadKnowledge } from '../../src/content/diagnosis/load-knowledge.js';
import { DiagnosisEngine, type DiagnosisStep, type Facts } from '../../src/domain/diagnosis/engine.js';
import {
  APPLY,
  LINK_IDS,
  MAX_QUESTIONS,
  type Knowledge,
  type LinkId,
  type LocalizedText,
  type OutcomeCategory,
  type OutcomeNode,
} from '../../src/domain/diagnosis/knowledge.js';
import { matchIntent } from '../../src/domain/diagnosis/match-intent.js';
import { LOCALES, type Locale } from '../../src/domain/locale.js';
import { KnowledgeError } from '../../src/errors.js';
import { DEFAULT_LINKS, EVERY_LINK, shippedKnowledge, shown } from '../support/knowledge-walk.js';

const ALL_LINKS = EVERY_LINK;
const WITH_IDENTITY_VERIFICATION: ReadonlySet<LinkId> = new Set([...DEFAULT_LINKS, 'identityVerification']);
const OPTIONAL_LINKS: readonly LinkId[] = LINK_IDS.filter((link) => !DEFAULT_LINKS.has(link));

const knowledge = shippedKnowledge;

const EXPECTED_OUTCOMES: ReadonlyArray<[string, OutcomeCategory]> = [
  ['account-disabled', 'notMfa'],
  ['account-locked', 'notMfa'],
  ['password-expired', 'notMfa'],
  ['password-forgotten', 'notMfa'],
  ['blocked-conditional-access', 'notMfa'],
  ['device-not-compliant', 'notMfa'],
  ['contact-helpdesk', 'helpdesk'],
  ['not-eligible', 'notMfa'],
  ['new-phone-old-available', 'selfService'],
  ['sign-in-another-way', 'selfService'],
  ['notifications-not-arriving', 'selfService'],
  ['number-matching', 'selfService'],
  ['possible-compromise', 'securityRisk'],
  ['security-key-lost', 'selfService'],
  ['hello-pin-forgotten', 'selfService'],
  ['phone-number-changed', 'selfService'],
  ['identity-verification', 'selfService'],
  ['wog-mfa-setup', 'selfService'],
  ['setup-trouble', 'selfService'],
  ['invitation-pending', 'selfService'],
  ['invitation-expired', 'selfService'],
  ['tap-active', 'selfService'],
  ['reset-needed', 'resetNeeded'],
];

const outcomes = (): OutcomeNode[] => knowledge.nodes.filter((node): node is OutcomeNode => node.kind === 'outcome');

/** Every text a person can read, with where it sits. */
function allTexts(): Array<[string, LocalizedText]> {
  return knowledge.nodes.flatMap((node): Array<[string, LocalizedText]> => {
    switch (node.kind) {
      case 'question':
        return [
          [`${node.id} prompt`, node.prompt],
          ...node.choices.map((choice): [string, LocalizedText] => [`${node.id} choice ${choice.id}`, choice.label]),
        ];
      case 'check':
        return [];
      case 'outcome':
        return [
          [`${node.id} title`, node.title],
          [`${node.id} summary`, node.summary],
          ...node.steps.map((step, i): [string, LocalizedText] => [`${node.id} step ${i + 1}`, step]),
          ...node.links.map((link): [string, LocalizedText] => [`${node.id} link ${link.link}`, link.label]),
        ];
    }
  });
}

interface Walk {
  engine: DiagnosisEngine;
  step: DiagnosisStep;
  /** The questions the person was shown, in order. */
  asked: string[];
}

/** Starts a diagnosis and answers the questions it asks with `answers` (choice ids), in order. */
function walk(
  facts: Facts,
  answers: readonly string[] = [],
  options: { links?: ReadonlySet<LinkId>; intent?: string } = {},
): Walk {
  const engine = new DiagnosisEngine(knowledge, options.links ?? DEFAULT_LINKS);
  let step = engine.begin(facts, options.intent);
  const asked: string[] = [];
  for (const answer of answers) {
    if (step.view.kind !== 'question') throw new Error(`expected a question to answer "${answer}", got ${shown(step)}`);
    asked.push(step.view.node.id);
    step = engine.answer(step.state, step.view.node.id, answer, facts);
  }
  return { engine, step, asked };
}

/** Answers "did not fix it" until the diagnosis ends; the outcomes and the end it passes through. */
function notFixedChain(engine: DiagnosisEngine, start: DiagnosisStep, facts: Facts = {}): string[] {
  const seen = [shown(start)];
  let step = start;
  while (step.view.kind === 'outcome') {
    step = engine.notFixed(step.state, step.view.node.id, facts);
    seen.push(shown(step));
  }
  return seen;
}

/** A diagnosis resting on `outcome`, as if the person had just been shown it. */
function restingOn(outcome: string, links: ReadonlySet<LinkId> = DEFAULT_LINKS): Walk {
  const engine = new DiagnosisEngine(knowledge, links);
  const state = { node: outcome, questionsAsked: 0, path: [], triedOutcomes: [] };
  return { engine, step: { state, view: engine.current(state) }, asked: [] };
}

describe('the shipped diagnosis knowledge', () => {
  it('loads with only the links that every organisation has', () => {
    expect(() => loadKnowledge(DEFAULT_LINKS)).not.toThrow();
    expect(knowledge.start).toBe('triage');
  });

  it('loads with every link configured', () => {
    expect(() => loadKnowledge(ALL_LINKS)).not.toThrow();
  });

  it.each(EXPECTED_OUTCOMES)('has the outcome %s in the category %s', (id, category) => {
    const node = knowledge.nodes.find((candidate) => candidate.id === id);

    expect(node?.kind).toBe('outcome');
    expect((node as OutcomeNode).category).toBe(category);
  });

  it('checks the directory facts in order of what blocks a sign-in first', () => {
    const triage = knowledge.nodes.find((node) => node.id === 'triage');
    if (triage?.kind !== 'check') throw new Error('triage is not a check');

    expect(triage.branches.map((branch) => [branch.when, branch.next])).toEqual([
      [{ fact: 'accountDisabled' }, 'account-disabled'],
      [{ fact: 'accountLocked' }, 'account-locked'],
      [{ fact: 'passwordExpired' }, 'password-expired'],
      [{ fact: 'blockedByConditionalAccess' }, 'blocked-conditional-access'],
      [{ fact: 'deviceNotCompliant' }, 'device-not-compliant'],
      [{ fact: 'invitationExpired' }, 'invitation-expired'],
      [{ fact: 'invitationPending' }, 'invitation-pending'],
      [{ fact: 'temporaryAccessPassActive' }, 'tap-active'],
      // Not an outcome: the password was right, so ask about the phone, unless the person already said more.
      [{ fact: 'mfaNotCompleted' }, 'q-mfa-problem'],
    ]);
    expect(triage.otherwise).toBe('q-symptom');
  });

  it('writes every text in both languages, the Japanese in Japanese script and the English without it', () => {
    for (const [where, text] of allTexts()) {
      for (const locale of LOCALES) expect(text[locale]?.trim(), `${where} (${locale})`).toBeTruthy();
      expect(text.ja, where).toMatch(/[\u3040-\u30ff\u4e00-\u9faf]/);
      expect(text.en, where).not.toMatch(/[\u3040-\u30ff\u4e00-\u9faf]/);
    }
  });

  it('keeps URLs and markdown out of every text', () => {
    for (const [where, text] of allTexts()) {
      for (const locale of LOCALES) {
        const value = text[locale];
        expect(value, `${where} (${locale})`).not.toMatch(/https?:|www\.|\]\(|\*\*|__|`|<[a-z/]/i);
        expect(value, `${where} (${locale})`).not.toMatch(/^\s*#/);
      }
    }
  });

  it('leaves the numbering of steps to the card', () => {
    for (const outcome of outcomes()) {
      outcome.steps.forEach((step, i) => {
        for (const locale of LOCALES) {
          expect(step[locale], `${outcome.id} step ${i + 1} (${locale})`).not.toMatch(/^\s*(\d+[.)．、]|[-*•・])/);
        }
      });
    }
  });

  it('keeps titles to at most 60 characters', () => {
    for (const outcome of outcomes()) {
      for (const locale of LOCALES)
        expect(outcome.title[locale].length, `${outcome.id} (${locale})`).toBeLessThanOrEqual(60);
    }
  });

  it('shows an optional link only where the path guarantees it is configured: identity verification', () => {
    const optionalShown = outcomes().flatMap((outcome) =>
      outcome.links.filter((link) => OPTIONAL_LINKS.includes(link.link)).map((link) => [outcome.id, link.link]),
    );

    expect(optionalShown).toEqual([['identity-verification', 'identityVerification']]);
  });

  it('gives the self-service outcomes the links their steps talk about', () => {
    const linksOf = (id: string) =>
      outcomes()
        .find((outcome) => outcome.id === id)
        ?.links.map((link) => link.link);

    expect(linksOf('new-phone-old-available')).toEqual(['securityInfo', 'authenticatorApp']);
    expect(linksOf('identity-verification')).toEqual(['identityVerification', 'securityInfo']);
    expect(linksOf('password-forgotten')).toEqual(['passwordReset']);
    expect(linksOf('password-expired')).toEqual(['passwordReset']);
    expect(linksOf('device-not-compliant')).toEqual(['deviceCompliance']);
    expect(linksOf('sign-in-another-way')).toEqual(['securityInfo']);
  });

  it('offers an intent for every symptom on the card shown when free text is not understood', () => {
    const ids = new Set(knowledge.intents.map((intent) => intent.id));

    for (const { intent } of SYMPTOM_INTENTS) expect(ids.has(intent), intent).toBe(true);
  });
});

describe('a diagnosis over the shipped knowledge', () => {
  it('sends a locked account straight to the lockout advice without asking anything', () => {
    const { step } = walk({ accountLocked: true });

    expect(shown(step)).toBe('account-locked');
    expect(step.state.questionsAsked).toBe(0);
  });

  it.each([
    ['accountDisabled', 'account-disabled'],
    ['passwordExpired', 'password-expired'],
    ['blockedByConditionalAccess', 'blocked-conditional-access'],
    ['deviceNotCompliant', 'device-not-compliant'],
    ['invitationExpired', 'invitation-expired'],
    ['invitationPending', 'invitation-pending'],
    ['temporaryAccessPassActive', 'tap-active'],
  ] as const)('answers from the directory alone when %s is true (%s)', (fact, outcome) => {
    const { step } = walk({ [fact]: true });

    expect(shown(step)).toBe(outcome);
    expect(step.state.questionsAsked).toBe(0);
  });

  it('reports a disabled account before a lock, since unlocking would not help', () => {
    expect(shown(walk({ accountLocked: true, accountDisabled: true }).step)).toBe('account-disabled');
  });

  it('asks what happens when the directory shows nothing wrong', () => {
    expect(shown(walk({ hasSeveralMfaMethods: true }).step)).toBe('q-symptom');
    expect(shown(walk({}).step)).toBe('q-symptom');
  });

  it('guides someone with a new phone who still has the old one through re-registering it themselves', () => {
    const { step, asked } = walk({}, ['cannot-verify', 'new-phone-have-old']);

    expect(shown(step)).toBe('new-phone-old-available');
    expect(asked).toEqual(['q-symptom', 'q-mfa-problem']);
  });

  it('sends someone who lost their only phone to identity verification where the organisation offers it', () => {
    const { step, asked } = walk({}, ['cannot-verify', 'lost-or-reset', 'no'], { links: WITH_IDENTITY_VERIFICATION });

    expect(shown(step)).toBe('identity-verification');
    expect(asked).toEqual(['q-symptom', 'q-mfa-problem', 'q-other-method']);
  });

  it('sends someone who lost their only phone to a reset where there is no identity verification service', () => {
    expect(shown(walk({}, ['cannot-verify', 'lost-or-reset', 'no']).step)).toBe('reset-needed');
  });

  it('does not ask about other methods when the directory shows only the one that is gone', () => {
    const { step, asked } = walk({ hasOneMfaMethod: true }, ['cannot-verify', 'app-deleted']);

    expect(shown(step)).toBe('reset-needed');
    expect(asked).not.toContain('q-other-method');
    expect(step.state.path).toContainEqual({ node: 'q-other-method', via: 'evidence', choice: 'no' });
  });

  it.each(['yes', 'not-sure'])('suggests signing in another way when another method may still work (%s)', (answer) => {
    expect(shown(walk({}, ['cannot-verify', 'app-deleted', answer]).step)).toBe('sign-in-another-way');
  });

  it('uses a Temporary Access Pass the helpdesk already issued instead of sending the person to apply again', () => {
    const facts: Facts = { temporaryAccessPassActive: true };
    // The directory shows the pass, so the triage answers before any question about methods.
    const { step } = walk(facts, [], { intent: 'lost-phone', links: WITH_IDENTITY_VERIFICATION });

    expect(shown(step)).toBe('tap-active');
    expect(step.state.questionsAsked).toBe(0);
  });

  it.each([
    [['cannot-verify', 'no-prompt'], 'notifications-not-arriving'],
    [['number-mismatch'], 'number-matching'],
    [['password-not-accepted'], 'password-forgotten'],
    [['blocked-message'], 'blocked-conditional-access'],
    [['locked-or-disabled'], 'account-locked'],
    [['first-time-setup', 'set-up-wog-verification'], 'wog-mfa-setup'],
    [['first-time-setup', 'check-eligibility'], 'not-eligible'],
    [['first-time-setup', 'setup-went-wrong'], 'setup-trouble'],
    [['first-time-setup', 'accept-invitation', 'yes'], 'invitation-pending'],
    [['first-time-setup', 'accept-invitation', 'no-or-older'], 'invitation-expired'],
  ])('answering %j leads to %s', (answers, outcome) => {
    expect(shown(walk({}, answers).step)).toBe(outcome);
  });

  it('reads the invitation state from the directory instead of asking about the email', () => {
    const expired = walk({ invitationExpired: true }, [], { intent: 'invitation' });
    const pending = walk({ invitationPending: true }, [], { intent: 'invitation' });
    const unknown = walk({}, [], { intent: 'invitation' });

    expect(shown(expired.step)).toBe('invitation-expired');
    expect(shown(pending.step)).toBe('invitation-pending');
    expect(shown(unknown.step)).toBe('q-invitation');
  });

  it('asks only what happened to the phone when the person already said verification is the problem', () => {
    const { step, asked } = walk({}, ['lost-or-reset', 'no'], { intent: 'mfa-problem' });

    expect(shown(step)).toBe('reset-needed');
    expect(asked).toEqual(['q-mfa-problem', 'q-other-method']);
  });

  it('lets the directory correct what the person typed about being blocked or locked', () => {
    expect(shown(walk({ deviceNotCompliant: true }, [], { intent: 'blocked' }).step)).toBe('device-not-compliant');
    expect(shown(walk({}, [], { intent: 'blocked' }).step)).toBe('blocked-conditional-access');
    expect(shown(walk({ accountDisabled: true }, [], { intent: 'account-locked' }).step)).toBe('account-disabled');
    expect(shown(walk({ accountLocked: true }, [], { intent: 'account-disabled' }).step)).toBe('account-locked');
    expect(shown(walk({ blockedByConditionalAccess: true }, [], { intent: 'device-not-compliant' }).step)).toBe(
      'blocked-conditional-access',
    );
  });

  it('lets the words decide when the directory says nothing: disabled is disabled, an unmanaged device is the device', () => {
    expect(shown(walk({}, [], { intent: 'account-disabled' }).step)).toBe('account-disabled');
    expect(shown(walk({}, [], { intent: 'device-not-compliant' }).step)).toBe('device-not-compliant');
  });

  it('reaches every outcome through some conversation, never asking more than the allowed questions', () => {
    const reached = new Set<string>();
    const explore = (facts: Facts, links: ReadonlySet<LinkId>, answers: string[], intent?: string) => {
      const { step, engine } = walk(facts, answers, { links, intent });
      expect(step.state.questionsAsked).toBeLessThanOrEqual(MAX_QUESTIONS);
      if (step.view.kind === 'question') {
        for (const choice of step.view.node.choices) explore(facts, links, [...answers, choice.id], intent);
        return;
      }
      notFixedChain(engine, step, facts).forEach((id) => reached.add(id));
    };
    const factSets: Facts[] = [
      {},
      { hasOneMfaMethod: true },
      ...(
        [
          'accountDisabled',
          'passwordExpired',
          'deviceNotCompliant',
          'invitationExpired',
          'temporaryAccessPassActive',
        ] as const
      ).map((fact): Facts => ({ [fact]: true })),
    ];
    for (const facts of factSets) {
      for (const links of [DEFAULT_LINKS, WITH_IDENTITY_VERIFICATION]) explore(facts, links, []);
    }
    // Some outcomes (an error code typed as shown) are reached only from what the person typed.
    for (const intent of knowledge.intents) explore({}, DEFAULT_LINKS, [], intent.id);

    for (const outcome of outcomes()) expect(reached, outcome.id).toContain(outcome.id);
    expect(reached).toContain(APPLY);
  });
});

describe('"it did not fix it"', () => {
  it('goes from a lock to a password reset, then to the helpdesk, never to the application', () => {
    const { engine, step } = walk({ accountLocked: true });

    expect(notFixedChain(engine, step)).toEqual([
      'account-locked',
      'password-forgotten',
      'contact-helpdesk',
      'unresolved',
    ]);
  });

  it('goes from a Conditional Access block to the helpdesk', () => {
    const { engine, step } = walk({ blockedByConditionalAccess: true });

    expect(notFixedChain(engine, step)).toEqual(['blocked-conditional-access', 'contact-helpdesk', 'unresolved']);
  });

  it.each(outcomes().filter((outcome) => outcome.category === 'notMfa'))(
    'never leads from $id (not an MFA problem) to the reset application',
    (outcome) => {
      for (const links of [DEFAULT_LINKS, ALL_LINKS]) {
        const { engine, step } = restingOn(outcome.id, links);
        const chain = notFixedChain(engine, step);

        expect(chain).not.toContain(APPLY);
        expect(chain.at(-1)).toBe('unresolved');
      }
    },
  );

  it('moves from a new phone to other methods, then, with none left, identity verification and the application', () => {
    const facts: Facts = { hasOneMfaMethod: true };
    const links = WITH_IDENTITY_VERIFICATION;
    const { engine, step } = walk(facts, ['cannot-verify', 'new-phone-have-old'], { links });

    expect(notFixedChain(engine, step, facts)).toEqual([
      'new-phone-old-available',
      'sign-in-another-way',
      'identity-verification',
      'reset-needed',
      APPLY,
    ]);
  });

  it('offers the application when the Temporary Access Pass did not work and no other method is registered', () => {
    const facts: Facts = { temporaryAccessPassActive: true, hasNoMfaMethod: true };
    const { engine, step } = walk(facts);

    expect(notFixedChain(engine, step, facts)).toEqual(['tap-active', 'reset-needed', APPLY]);
  });

  it('asks about the other methods when the Temporary Access Pass did not work but methods may be left', () => {
    const facts: Facts = { temporaryAccessPassActive: true, hasSeveralMfaMethods: true };
    const { engine, step } = walk(facts);

    expect(shown(engine.notFixed(step.state, 'tap-active', facts))).toBe('q-methods-left');
  });

  it('asks at most one question after an outcome, and only about the methods left before a reset', () => {
    for (const outcome of outcomes()) {
      for (const links of [DEFAULT_LINKS, ALL_LINKS]) {
        const { engine, step } = restingOn(outcome.id, links);
        let current = step;
        while (current.view.kind === 'outcome') {
          current = engine.notFixed(current.state, current.view.node.id, {});
          if (current.view.kind === 'question') {
            expect(current.view.node.id, outcome.id).toBe('q-methods-left');
            current = engine.answer(current.state, 'q-methods-left', 'none-work', {});
            expect(current.view.kind, outcome.id).not.toBe('question');
          }
        }
      }
    }
  });
});

describe('what people type', () => {
  const entryOf = (text: string) => {
    const match = matchIntent(text, knowledge.intents);
    return match && knowledge.intents.find((intent) => intent.id === match.id)?.entry;
  };

  it.each([
    ["I can't sign in", 'triage'],
    ['cannot access my email', 'triage'],
    ['サインインできません', 'triage'],
    ['Teamsに入れない', 'triage'],
    ['I lost my phone', 'c-other-method'],
    ["I can't sign in because my phone was stolen", 'c-other-method'],
    ['I lost my phone and bought a new one', 'c-other-method'],
    ['スマホをなくしました', 'c-other-method'],
    ['スマートフォンを初期化した', 'c-other-method'],
    ['I deleted the authenticator app', 'c-other-method'],
    ['Authenticatorからアカウントが消えた', 'c-other-method'],
    ['I got a new phone', 'q-old-phone'],
    ['機種変更しました', 'q-old-phone'],
    ['Authenticatorを新しいスマホに移行したい', 'q-old-phone'],
    ["the number doesn't match", 'number-matching'],
    ['身に覚えのない通知が来る', 'possible-compromise'],
    ["I'm not getting the notification", 'notifications-not-arriving'],
    ['コードが届きません', 'notifications-not-arriving'],
    ['my account is locked', 'c-locked-disabled'],
    ['アカウントが無効になっています', 'account-disabled'],
    ['my password has expired', 'password-expired'],
    ['パスワードの有効期限が切れた', 'password-expired'],
    ['I forgot my password', 'password-forgotten'],
    ['パスワードを忘れました', 'password-forgotten'],
    ['I never got my invitation', 'c-invitation'],
    ['招待メールの期限が切れた', 'invitation-expired'],
    ['I use an SE-GSIB laptop', 'not-eligible'],
    ['LiteMailでも登録できますか', 'not-eligible'],
    ['how do I set up WOG MFA', 'wog-mfa-setup'],
    ['WOGアカウントの多要素認証を設定したい', 'wog-mfa-setup'],
    ['access blocked by conditional access', 'c-blocked'],
    ['このデバイスは準拠していません', 'device-not-compliant'],
    ['MFA not working', 'q-mfa-problem'],
    ['Authenticatorが使えない', 'q-mfa-problem'],
    ['the code is wrong', 'number-matching'],
    ['the helpdesk sent me a temporary access pass', 'tap-active'],
    ['一時アクセスパスをもらった', 'tap-active'],
    ["I'm a new employee", 'q-onboarding'],
    ['初めてサインインします', 'q-onboarding'],
  ])('reads %j as a diagnosis starting at %s', (text, entry) => {
    expect(entryOf(text)).toBe(entry);
  });

  it.each([
    ['AADSTS50053', 'account-locked'],
    ['error 50057 when I sign in', 'account-disabled'],
    ['Error Code: 50055', 'password-expired'],
    ['aadsts50126: Error validating credentials due to invalid username or password.', 'forgot-password'],
    ['AADSTS 53003', 'blocked'],
    ['エラーコード：５００７４', 'mfa-problem'],
    ['50076 what is this', 'mfa-problem'],
  ])('chooses the intent of the error code in %j outright (%s)', (text, intent) => {
    expect(matchIntent(text, knowledge.intents)).toEqual({ id: intent, score: 1 });
  });

  it.each(['hello', 'thanks', 'ありがとう', 'phone', 'password'])('does not guess a problem from %j', (text) => {
    expect(matchIntent(text, knowledge.intents)).toBeUndefined();
  });
});

describe('what the seed articles say, in the outcome where each fact belongs', () => {
  const outcome = (id: string): OutcomeNode => {
    const node = outcomes().find((candidate) => candidate.id === id);
    if (!node) throw new Error(`no outcome "${id}"`);
    return node;
  };
  /** The steps of outcome `id` in `locale` that match every one of `patterns`. */
  const stepsOf = (id: string, locale: Locale, ...patterns: RegExp[]): string[] =>
    outcome(id)
      .steps.map((step) => step[locale])
      .filter((text) => patterns.every((pattern) => pattern.test(text)));
  /** The summary and steps of outcome `id` in `locale`, as one text. */
  const textOf = (id: string, locale: Locale): string =>
    [outcome(id).summary[locale], ...outcome(id).steps.map((step) => step[locale])].join('\n');

  it('says that the TechPass portal, for signing up and signing in, works only from a non-SE GSIB device', () => {
    const { summary } = outcome('not-eligible');

    expect(summary.en).toMatch(
      /^If you use TechPass: the TechPass portal, .*signing in .*works only from .*non-SE GSIB/,
    );
    expect(summary.ja).toMatch(
      /^TechPass をお使いの場合、TechPass ポータルは、.*サインイン.*SE ではない GSIB\) からしか使えません/,
    );
  });

  it('says that an Internet device must be onboarded to SEED to reach SGTS', () => {
    expect(stepsOf('not-eligible', 'en', /Internet device/, /onboarded to SEED/, /SGTS/, /30 days/)).toHaveLength(1);
    expect(
      stepsOf('not-eligible', 'ja', /インターネット端末/, /SEED にオンボーディング/, /SGTS/, /30 日/),
    ).toHaveLength(1);
  });

  it('tells TechPass users to have their WOG MFA reset too when the phone is lost, not only when it is replaced', () => {
    expect(
      stepsOf('reset-needed', 'en', /^If you use TechPass/, /lost phone/, /WOG account's MFA reset as well/),
    ).toHaveLength(1);
    expect(
      stepsOf('reset-needed', 'ja', /^TechPass/, /なくしたスマートフォン/, /WOG アカウントの多要素認証も.*リセット/),
    ).toHaveLength(1);
    expect(stepsOf('sign-in-another-way', 'en', /^If you use TechPass/, /WOG/, /replace the lost one/)).toHaveLength(1);
    expect(stepsOf('sign-in-another-way', 'ja', /^TechPass/, /WOG/, /置き換えて/)).toHaveLength(1);
    expect(stepsOf('new-phone-old-available', 'en', /TechPass/, /WOG/)).toHaveLength(1);
  });

  it('walks through the Security info page that its link opens, not the legacy Additional security verification page', () => {
    const wog = outcome('wog-mfa-setup');

    expect(wog.links.find((link) => link.link === 'securityInfo')?.label).toEqual({
      en: 'Open Security info',
      ja: 'セキュリティ情報を開く',
    });
    expect(textOf('wog-mfa-setup', 'en')).toMatch(/Add sign-in method, choose Authenticator app/);
    expect(textOf('wog-mfa-setup', 'ja')).toMatch(/「サインイン方法の追加」を選び、「認証アプリ」を選択/);
    expect(textOf('wog-mfa-setup', 'en')).not.toMatch(/Mobile app|Receive notifications for verification|profile page/);
    expect(textOf('wog-mfa-setup', 'ja')).not.toMatch(/モバイル アプリ|確認のため通知を受け取る|プロフィール/);
  });

  it('names Security info in every outcome that links to it, and nowhere the legacy verification page', () => {
    for (const { id, links } of outcomes()) {
      if (links.some((link) => link.link === 'securityInfo')) {
        expect(textOf(id, 'en'), id).toContain('Security info');
        expect(textOf(id, 'ja'), id).toContain('「セキュリティ情報」');
      }
      expect(textOf(id, 'en'), id).not.toMatch(/Additional security verification|security verification page/i);
      expect(textOf(id, 'ja'), id).not.toMatch(/追加のセキュリティ確認|セキュリティ確認のページ/);
    }
  });

  it('gives UTokyo Account holders the three ways to apply for re-registration and when it is processed', () => {
    expect(
      stepsOf('reset-needed', 'en', /^If you have a UTokyo Account/, /still sign in/, /online application form/),
    ).toHaveLength(1);
    expect(
      stepsOf('reset-needed', 'en', /UTokyo Account/, /faculty or graduate school office/, /student or staff ID/),
    ).toHaveLength(1);
    expect(
      stepsOf('reset-needed', 'en', /UTokyo Account/, /application website/, /password only/, /photo/),
    ).toHaveLength(1);
    expect(stepsOf('reset-needed', 'en', /UTokyo/, /business days/, /email/)).toHaveLength(1);

    expect(stepsOf('reset-needed', 'ja', /^UTokyo Account/, /サインインできる/, /申請フォーム/)).toHaveLength(1);
    expect(stepsOf('reset-needed', 'ja', /UTokyo Account/, /学部・研究科/, /学生証または職員証を持参/)).toHaveLength(1);
    expect(
      stepsOf('reset-needed', 'ja', /UTokyo Account/, /申請用の Web サイト/, /パスワードだけ/, /写真/),
    ).toHaveLength(1);
    expect(stepsOf('reset-needed', 'ja', /UTokyo/, /営業日/, /メール/)).toHaveLength(1);
  });

  it('states the UTokyo MFA exemption rule: mandatory, exempted only for a compelling reason, through the Support Desk', () => {
    expect(
      stepsOf('reset-needed', 'en', /UTokyo/, /mandatory/, /compelling reason/, /exempted/, /Support Desk/),
    ).toHaveLength(1);
    expect(stepsOf('reset-needed', 'ja', /UTokyo/, /必須/, /やむを得ない理由/, /免除/, /サポート窓口/)).toHaveLength(1);
  });

  it('helps with a first-time set-up that went wrong, two questions in, without offering the reset application', () => {
    const { engine, step, asked } = walk({}, ['first-time-setup', 'setup-went-wrong']);

    expect(shown(step)).toBe('setup-trouble');
    expect(asked).toEqual(['q-symptom', 'q-onboarding']);
    expect(textOf('setup-trouble', 'en')).toMatch(/More information required/);
    expect(textOf('setup-trouble', 'ja')).toMatch(/「詳細情報が必要」/);
    expect(
      stepsOf(
        'setup-trouble',
        'en',
        /^If you have a UTokyo Account/,
        /not yet applied for MFA use/,
        /online application form/,
      ),
    ).toHaveLength(1);
    expect(
      stepsOf('setup-trouble', 'ja', /^UTokyo Account/, /多要素認証の利用申請をまだ/, /申請フォーム/),
    ).toHaveLength(1);
    expect(stepsOf('setup-trouble', 'en', /^If you use TechPass/, /WOG/, /one session/, /30 days/)).toHaveLength(1);
    const chain = notFixedChain(engine, step);
    expect(chain[1]).toBe('contact-helpdesk');
    expect(chain).not.toContain(APPLY);
  });

  it('introduces TechPass and UTokyo facts as such, since one knowledge base serves any organisation', () => {
    const techPassTerms = { en: /WOG|GSIB|SEED|SGTS|GCC/, ja: /WOG|GSIB|SEED|SGTS|GCC/ };
    const uTokyoTerms = { en: /UTokyo|universit|faculty|My Number/i, ja: /UTokyo|大学|学部|マイナンバー/ };
    for (const node of outcomes()) {
      for (const locale of LOCALES) {
        // An outcome whose summary names the organisation speaks of it throughout.
        const aboutTechPass = /TechPass/.test(node.summary[locale]);
        const aboutUTokyo = /UTokyo/.test(node.summary[locale]);
        for (const text of [node.summary[locale], ...node.steps.map((step) => step[locale])]) {
          if (!aboutTechPass && techPassTerms[locale].test(text)) expect(text, node.id).toMatch(/TechPass/);
          if (!aboutUTokyo && uTokyoTerms[locale].test(text)) expect(text, node.id).toMatch(/UTokyo/);
        }
      }
    }
  });
});

describe('loadKnowledge with a broken knowledge file', () => {
  let dir: string;
  const shipped = readFileSync(DEFAULT_KNOWLEDGE_PATH, 'utf8');

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'diagnosis-knowledge-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** The problems loadKnowledge reports for the shipped file changed by `change`. */
  function problemsAfter(change: (raw: any) => void, links: ReadonlySet<LinkId> = DEFAULT_LINKS): readonly string[] {
    const raw = JSON.parse(shipped);
    change(raw);
    const path = join(dir, `knowledge-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(path, JSON.stringify(raw));
    try {
      loadKnowledge(links, path);
    } catch (error) {
      expect(error).toBeInstanceOf(KnowledgeError);
      return (error as KnowledgeError).problems;
    }
    throw new Error('loadKnowledge accepted a broken knowledge file');
  }
  const node = (raw: Knowledge, id: string): any => raw.nodes.find((candidate) => candidate.id === id);

  it('accepts an unchanged copy, so each refusal below is caused by its change alone', () => {
    const path = join(dir, 'unchanged.json');
    writeFileSync(path, shipped);

    expect(() => loadKnowledge(DEFAULT_LINKS, path)).not.toThrow();
  });

  it('refuses a text without its Japanese version', () => {
    const problems = problemsAfter((raw) => delete node(raw, 'account-disabled').summary.ja);

    expect(problems.join('\n')).toMatch(/nodes\.\d+\.summary\.ja/);
  });

  it('refuses a Japanese text left empty, naming the node and the text', () => {
    const problems = problemsAfter((raw) => (node(raw, 'reset-needed').steps[0].ja = '  '));

    expect(problems).toContain('reset-needed: step 1 has no ja text');
  });

  it('refuses a choice leading to a node that does not exist', () => {
    const problems = problemsAfter((raw) => (node(raw, 'q-symptom').choices[0].next = 'nowhere'));

    expect(problems).toContain('q-symptom leads to "nowhere", which is not a node');
  });

  it('refuses an error code that is not a positive whole number, and one that two intents share', () => {
    const intent = (raw: Knowledge, id: string): any => raw.intents.find((candidate) => candidate.id === id);

    expect(problemsAfter((raw) => (intent(raw, 'account-locked').codes = ['50053']))).toEqual([
      expect.stringMatching(/^intents\.\d+\.codes\.0: /),
    ]);
    expect(problemsAfter((raw) => (intent(raw, 'account-locked').codes = [-50053]))).toEqual([
      expect.stringMatching(/^intents\.\d+\.codes\.0: must be positive/),
    ]);
    expect(problemsAfter((raw) => (intent(raw, 'password-expired').codes = [50055, 50053]))).toContain(
      'the error code 50053 belongs to both "account-locked" and "password-expired"; give it to one of them',
    );
  });

  it('refuses a loop', () => {
    const problems = problemsAfter((raw) => (node(raw, 'password-forgotten').ifNotFixed = 'account-locked'));

    expect(problems.join('\n')).toMatch(/the graph loops: .*password-forgotten → account-locked/);
  });

  it('refuses a path that asks five questions', () => {
    const problems = problemsAfter((raw) => {
      const question = (id: string, next: string) => ({
        kind: 'question',
        id,
        prompt: { en: 'One more thing?', ja: 'もう一つ質問です。' },
        choices: [
          { id: 'a', label: { en: 'A', ja: 'ア' }, next },
          { id: 'b', label: { en: 'B', ja: 'イ' }, next },
        ],
      });
      raw.nodes.push(question('q-extra-one', 'q-extra-two'), question('q-extra-two', 'account-locked'));
      node(raw, 'q-other-method').choices[0].next = 'q-extra-one';
    });

    expect(problems).toContain('a path from "triage" can ask 5 questions; the most allowed is 4');
  });

  it('refuses an optional link on an outcome that is reached without checking the link is configured', () => {
    const addHelpdesk = (raw: any) =>
      node(raw, 'contact-helpdesk').links.push({ link: 'helpdesk', label: { en: 'Helpdesk', ja: 'ヘルプデスク' } });

    expect(problemsAfter(addHelpdesk)).toContain(
      'outcome "contact-helpdesk" shows the link "helpdesk", which has no configured URL',
    );
    const path = join(dir, 'helpdesk-configured.json');
    const raw = JSON.parse(shipped);
    addHelpdesk(raw);
    writeFileSync(path, JSON.stringify(raw));
    expect(() => loadKnowledge(new Set([...DEFAULT_LINKS, 'helpdesk']), path)).not.toThrow();
  });

  it('refuses an intent that enters the identity verification outcome past its guarding check', () => {
    const problems = problemsAfter((raw) => {
      raw.intents.find((intent: { id: string }) => intent.id === 'lost-phone').entry = 'identity-verification';
    });

    expect(problems).toContain(
      'outcome "identity-verification" shows the link "identityVerification", which has no configured URL',
    );
  });

  it('refuses a not-MFA outcome whose "did not fix it" chain reaches the application', () => {
    const problems = problemsAfter((raw) => (node(raw, 'password-forgotten').ifNotFixed = APPLY));

    expect(problems).toContain(
      'outcome "account-locked" is not an MFA problem but "did not fix it" leads to the MFA reset application',
    );
    expect(problems).toContain(
      'outcome "password-forgotten" is not an MFA problem but "did not fix it" leads to the MFA reset application',
    );
  });

  it('refuses anything after the helpdesk outcome, where the bot hands over', () => {
    const problems = problemsAfter((raw) => (node(raw, 'contact-helpdesk').ifNotFixed = 'password-forgotten'));

    expect(problems).toContain(
      'outcome "contact-helpdesk" hands over to the helpdesk, so nothing may follow it (password-forgotten)',
    );
  });

  it('refuses a choice that names an unknown kind of method as lost', () => {
    const problems = problemsAfter((raw) => {
      node(raw, 'q-other-method').choices.find((choice: { id: string }) => choice.id === 'no').lost = ['pigeon'];
    });

    expect(problems.join('\n')).toMatch(/nodes\.\d+\.choices\.\d+\.lost/);
  });
});

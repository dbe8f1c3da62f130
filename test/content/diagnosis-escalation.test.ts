import { describe, expect, it } from 'vitest';
import { DiagnosisEngine, type DiagnosisStep, type Facts } from '../../src/domain/diagnosis/engine.js';
import { MAX_QUESTIONS } from '../../src/domain/diagnosis/knowledge.js';
import { readFirstMessage } from '../../src/domain/diagnosis/read-first-message.js';
import { DEFAULT_LINKS, EVERY_LINK, shippedKnowledge, shown } from '../support/knowledge-walk.js';

const ALL_LINKS = EVERY_LINK;
const knowledge = shippedKnowledge;

/**
 * Every way a conversation can go from `first`: each answer to each question, and "did not fix it"
 * on each outcome that offers it. Calls `visit` on every step.
 */
function everyConversation(
  engine: DiagnosisEngine,
  first: DiagnosisStep,
  facts: Facts,
  visit: (step: DiagnosisStep) => void,
): void {
  const go = (step: DiagnosisStep) => {
    visit(step);
    if (step.view.kind === 'question') {
      for (const choice of step.view.node.choices) go(engine.answer(step.state, step.view.node.id, choice.id, facts));
    } else if (step.view.kind === 'outcome' && step.view.node.category !== 'helpdesk') {
      go(engine.notFixed(step.state, step.view.node.id, facts));
    }
  };
  go(first);
}

/** What the directory can say about someone's methods, including nothing at all. */
const METHOD_EVIDENCE: readonly Facts[] = [
  {},
  { hasSeveralMfaMethods: true },
  { hasOneMfaMethod: true },
  { hasNoMfaMethod: true },
  { hasSeveralMfaMethods: true, temporaryAccessPassActive: true },
  { hasSeveralMfaMethods: true, mfaNotCompleted: true },
];

describe('the reset, over the shipped knowledge', () => {
  it('is reached only once the person said every method is lost, or the directory shows none', () => {
    let resets = 0;
    for (const facts of METHOD_EVIDENCE) {
      for (const links of [DEFAULT_LINKS, ALL_LINKS]) {
        const engine = new DiagnosisEngine(knowledge, links);
        for (const intent of [undefined, ...knowledge.intents.map((candidate) => candidate.id)]) {
          everyConversation(engine, engine.begin(facts, intent), facts, (step) => {
            expect(step.state.questionsAsked).toBeLessThanOrEqual(MAX_QUESTIONS);
            if (shown(step) !== 'reset-needed') return;
            resets++;
            const path = step.state.path.map((taken) => `${taken.node}${taken.choice ? `:${taken.choice}` : ''}`);
            expect(facts.hasNoMfaMethod === true || engine.lostMethods(step.state) === 'all', path.join(' → ')).toBe(
              true,
            );
          });
        }
      }
    }
    // The walk did meet the reset, so the check above means something.
    expect(resets).toBeGreaterThan(0);
  });

  it('prefills the application with every method only when the person said every method is lost', () => {
    const facts: Facts = { hasSeveralMfaMethods: true };
    const engine = new DiagnosisEngine(knowledge, DEFAULT_LINKS);
    for (const intent of [undefined, ...knowledge.intents.map((candidate) => candidate.id)]) {
      everyConversation(engine, engine.begin(facts, intent), facts, (step) => {
        if (step.view.kind !== 'apply') return;
        // "No, I have nothing else", "No, none of them works", or words such as "I have no other method".
        const saidAllLost =
          knowledge.intents.find((candidate) => candidate.id === step.state.intent)?.lost === 'all' ||
          step.state.path.some(
            (taken) =>
              (taken.node === 'q-other-method' && taken.choice === 'no') ||
              (taken.node === 'q-methods-left' && taken.choice === 'none-work'),
          );
        if (step.view.lost === 'all') expect(saidAllLost).toBe(true);
      });
    }
  });
});

describe("Alex's journey: Authenticator failing, his mobile number still works", () => {
  // What the directory shows for Alex: two methods, and sign-ins stopped at the verification step.
  const facts: Facts = { hasSeveralMfaMethods: true, hasOneMfaMethod: false, mfaNotCompleted: true };
  const engine = new DiagnosisEngine(knowledge, DEFAULT_LINKS);
  /** "My authenticator is not working", the notification never arrives, and "No, still stuck" twice. */
  const twiceStuck = () => {
    let step = engine.begin(facts, 'mfa-problem');
    expect(shown(step)).toBe('q-mfa-problem');
    step = engine.answer(step.state, 'q-mfa-problem', 'no-prompt', facts);
    expect(shown(step)).toBe('notifications-not-arriving');
    step = engine.notFixed(step.state, 'notifications-not-arriving', facts);
    expect(shown(step)).toBe('sign-in-another-way');
    return engine.notFixed(step.state, 'sign-in-another-way', facts);
  };

  it('is asked about his other methods after "No, still stuck" twice, not told every method is out of reach', () => {
    expect(shown(twiceStuck())).toBe('q-methods-left');
  });

  it('is sent to the helpdesk, not to a reset, when his mobile number works but he still cannot sign in', () => {
    const asked = twiceStuck();
    for (const choice of ['works-still-stuck', 'not-sure']) {
      const step = engine.answer(asked.state, 'q-methods-left', choice, facts);
      expect(shown(step)).toBe('contact-helpdesk');
      expect(step.view.kind === 'outcome' && step.view.node.category).toBe('helpdesk');
    }
  });

  it('reaches the reset only when he says none of his methods works, and then every method is lost', () => {
    const reset = engine.answer(twiceStuck().state, 'q-methods-left', 'none-work', facts);
    expect(shown(reset)).toBe('reset-needed');
    expect(reset.state.questionsAsked).toBe(2);
    const apply = engine.notFixed(reset.state, 'reset-needed', facts);
    expect(apply.view).toMatchObject({ kind: 'apply', lost: 'all' });
  });
});

describe('the application a diagnosis opens, over the shipped knowledge', () => {
  // Two methods or more in the directory: only the person's words and answers may say which are lost.
  const facts: Facts = { hasSeveralMfaMethods: true };
  const engine = new DiagnosisEngine(knowledge, DEFAULT_LINKS);
  /**
   * The person types `text` (or picks from the symptoms question when it is empty), then takes each of `steps`: a
   * choice id answers the question shown, `notFixed` is "No, still stuck" or "Apply for a reset" on the outcome shown.
   */
  const applyAfter = (text: string, steps: readonly string[]) => {
    const { intent, said } = readFirstMessage(text, knowledge);
    let step = engine.begin(facts, text === '' ? undefined : intent?.id, said);
    for (const taken of steps) {
      const at = shown(step);
      step =
        taken === 'notFixed' ? engine.notFixed(step.state, at, facts) : engine.answer(step.state, at, taken, facts);
    }
    expect(step.view.kind).toBe('apply');
    return step.view;
  };

  it.each([
    ['I lost my phone', ['notFixed', 'none-work', 'notFixed'], 'lostPhone'],
    ['', ['cannot-verify', 'lost-or-reset', 'notFixed', 'none-work', 'notFixed'], 'lostPhone'],
    ['I got a new phone, the old one was stolen', ['notFixed', 'none-work', 'notFixed'], 'newPhoneNoOld'],
    ['I have a new phone', ['no', 'notFixed', 'none-work', 'notFixed'], 'newPhoneNoOld'],
    ['I deleted the authenticator app', ['notFixed', 'none-work', 'notFixed'], 'authenticatorDeleted'],
    ['認証アプリを削除してしまいました', ['notFixed', 'none-work', 'notFixed'], 'authenticatorDeleted'],
    ['I lost my yubikey', ['notFixed', 'none-work', 'notFixed'], 'other'],
  ])('says what happened after "%s" and ticks every method once none works (%j)', (text, steps, reason) => {
    expect(applyAfter(text, steps)).toMatchObject({ reason, lost: 'all' });
  });

  it.each([
    'I lost my phone and have no other method',
    'phone stolen, nothing else registered',
    'スマホを電車に置き忘れてしまいました。ほかに使える認証方法はありません',
  ])('says the phone was lost when "%s" starts where nothing left leads', (text) => {
    expect(readFirstMessage(text, knowledge).intent?.id).toBe('no-method-left');
    expect(applyAfter(text, ['notFixed'])).toMatchObject({ reason: 'lostPhone', lost: 'all' });
  });

  it('ticks only the phone number after a SIM swap, and nothing after prompts the person did not start', () => {
    expect(applyAfter('I think someone did a SIM swap on me', ['notFixed'])).toMatchObject({
      reason: 'other',
      lost: ['phone'],
    });
    expect(applyAfter("I keep getting MFA requests I didn't make", ['notFixed'])).toMatchObject({
      reason: 'other',
      lost: [],
    });
  });

  it('leaves the reason to the person when nothing they said tells what happened', () => {
    const view = applyAfter('my authenticator is not working', [
      'no-prompt',
      'notFixed',
      'notFixed',
      'none-work',
      'notFixed',
    ]);
    expect(view).toMatchObject({ lost: 'all' });
    expect(view).not.toHaveProperty('reason');
  });
});

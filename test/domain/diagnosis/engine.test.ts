import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DiagnosisEngine,
  StaleDiagnosisStepError,
  type DiagnosisStep,
  type Facts,
} from '../../../src/domain/diagnosis/engine.js';
import { FACT_NAMES, MAX_QUESTIONS, type FactName } from '../../../src/domain/diagnosis/knowledge.js';
import { guardedResetKnowledge, sampleKnowledge } from './sample-knowledge.js';

const engine = (links: string[] = []) => new DiagnosisEngine(sampleKnowledge(), new Set(links) as never);
const at = (step: DiagnosisStep) =>
  step.view.kind === 'question' || step.view.kind === 'outcome' ? step.view.node.id : step.view.kind;

describe('the diagnosis engine', () => {
  it('routes on evidence before asking anything', () => {
    const step = engine().begin({ accountLocked: true });
    expect(at(step)).toBe('locked');
    expect(step.state.questionsAsked).toBe(0);
    expect(step.state.path).toEqual([{ node: 'triage', via: 'check' }]);
  });

  it('asks when the evidence is silent, and counts the questions answered', () => {
    const e = engine();
    const first = e.begin({});
    expect(at(first)).toBe('q-what');
    const second = e.answer(first.state, 'q-what', 'lost', {});
    expect(at(second)).toBe('q-other');
    expect(second.state.questionsAsked).toBe(1);
    const third = e.answer(second.state, 'q-other', 'yes', {});
    expect(at(third)).toBe('another-way');
    expect(third.state.questionsAsked).toBe(2);
  });

  it('skips a question whose answer the evidence already gives', () => {
    const e = engine();
    const first = e.begin({ hasOneMfaMethod: true });
    const step = e.answer(first.state, 'q-what', 'lost', { hasOneMfaMethod: true });
    expect(at(step)).toBe('reset');
    expect(step.state.questionsAsked).toBe(1);
    expect(step.state.path).toContainEqual({ node: 'q-other', via: 'evidence', choice: 'no' });
  });

  it('lets the evidence outrank the words: a locked account is locked, whatever the person typed', () => {
    const step = engine().begin({ accountLocked: true }, 'lost-phone');
    expect(at(step)).toBe('locked');
    expect(step.state.questionsAsked).toBe(0);
  });

  it('starts at an intent entry', () => {
    expect(at(engine().begin({}, 'lost-phone'))).toBe('q-other');
    expect(at(engine().begin({}, 'no-such-intent'))).toBe('q-what');
  });

  it('offers the self-service verification only where its link is configured', () => {
    const without = engine();
    const withLink = engine(['identityVerification']);
    const walk = (e: DiagnosisEngine) => e.answer(e.begin({}, 'lost-phone').state, 'q-other', 'no', {});
    expect(at(walk(without))).toBe('reset');
    expect(at(walk(withLink))).toBe('verify-yourself');
  });

  it('moves along "did not fix it" to the next outcome and finally to the application', () => {
    const e = engine();
    let step = e.answer(e.begin({}).state, 'q-what', 'new', {});
    expect(at(step)).toBe('new-phone');
    step = e.notFixed(step.state, 'new-phone', {});
    expect(at(step)).toBe('another-way');
    step = e.notFixed(step.state, 'another-way', {});
    expect(at(step)).toBe('reset');
    step = e.notFixed(step.state, 'reset', {});
    expect(step.view).toEqual({ kind: 'apply', triedOutcomes: ['new-phone', 'another-way', 'reset'], lost: [] });
  });

  it('ends unresolved, not in the application, after the last not-MFA outcome', () => {
    const e = engine();
    let step = e.begin({ accountLocked: true });
    step = e.notFixed(step.state, 'locked', {});
    expect(at(step)).toBe('helpdesk');
    step = e.notFixed(step.state, 'helpdesk', {});
    expect(step.view.kind).toBe('unresolved');
  });

  it('refuses an answer for a question that is no longer current, or a choice that does not exist', () => {
    const e = engine();
    const first = e.begin({});
    const second = e.answer(first.state, 'q-what', 'lost', {});
    expect(() => e.answer(second.state, 'q-what', 'new', {})).toThrow(StaleDiagnosisStepError);
    expect(() => e.answer(second.state, 'q-other', 'maybe', {})).toThrow(StaleDiagnosisStepError);
    expect(() => e.notFixed(second.state, 'reset', {})).toThrow(StaleDiagnosisStepError);
  });

  it('always ends in an outcome within the question limit on random walks with random evidence', () => {
    const factArbitrary = fc.dictionary(fc.constantFrom<FactName>(...FACT_NAMES), fc.boolean()) as fc.Arbitrary<
      Partial<Record<FactName, boolean>>
    >;
    fc.assert(
      fc.property(factArbitrary, fc.array(fc.nat(), { maxLength: 20 }), fc.boolean(), (facts, picks, linked) => {
        const e = engine(linked ? ['identityVerification'] : []);
        let step = e.begin(facts);
        let i = 0;
        while (step.view.kind === 'question') {
          const choices = step.view.node.choices;
          step = e.answer(step.state, step.view.node.id, choices[(picks[i++] ?? 0) % choices.length]!.id, facts);
        }
        expect(step.view.kind).toBe('outcome');
        expect(step.state.questionsAsked).toBeLessThanOrEqual(MAX_QUESTIONS);
      }),
    );
  });
});

describe('the diagnosis engine before a reset', () => {
  const guarded = () => new DiagnosisEngine(guardedResetKnowledge(), new Set());
  /** Says the Authenticator is gone, then that signing in another way did not help either. */
  const anotherWayFailed = (e: DiagnosisEngine, facts: Facts) => {
    const first = e.answer(e.begin(facts).state, 'q-what', 'app-gone', facts);
    expect(at(first)).toBe('another-way');
    return e.notFixed(first.state, 'another-way', facts);
  };

  it('asks about the methods the person has not said are lost instead of declaring every one out of reach', () => {
    const step = anotherWayFailed(guarded(), { hasSeveralMfaMethods: true });
    expect(at(step)).toBe('q-left');
    expect(step.state.path).toEqual([
      { node: 'q-what', via: 'asked', choice: 'app-gone' },
      { node: 'another-way', via: 'notFixed' },
      { node: 'c-guard', via: 'check' },
    ]);
  });

  it('asks too when the directory could not list the methods: unknown ones may still work', () => {
    expect(at(anotherWayFailed(guarded(), {}))).toBe('q-left');
  });

  it('ends at the helpdesk, not at a reset, when one of the other methods still works', () => {
    const e = guarded();
    const asked = anotherWayFailed(e, { hasSeveralMfaMethods: true });
    const step = e.answer(asked.state, 'q-left', 'one-works', { hasSeveralMfaMethods: true });
    expect(at(step)).toBe('helpdesk');
    expect(step.view.kind === 'outcome' && step.view.node.category).toBe('helpdesk');
  });

  it('reaches the reset once the person says none of the others works, and names every method as lost', () => {
    const e = guarded();
    const facts: Facts = { hasSeveralMfaMethods: true };
    const asked = anotherWayFailed(e, facts);
    const reset = e.answer(asked.state, 'q-left', 'none-work', facts);
    expect(at(reset)).toBe('reset');
    expect(reset.state.questionsAsked).toBe(2);
    expect(e.notFixed(reset.state, 'reset', facts).view).toEqual({
      kind: 'apply',
      triedOutcomes: ['another-way', 'reset'],
      lost: 'all',
      reason: 'authenticatorDeleted',
    });
  });

  it('goes to the reset without asking when the directory shows no method left', () => {
    const step = anotherWayFailed(guarded(), { hasNoMfaMethod: true });
    expect(at(step)).toBe('reset');
    expect(step.state.questionsAsked).toBe(1);
  });

  it('takes "none of the others works" from the directory when it shows a single method', () => {
    const step = anotherWayFailed(guarded(), { hasOneMfaMethod: true });
    expect(at(step)).toBe('reset');
    expect(step.state.path).toContainEqual({ node: 'q-left', via: 'evidence', choice: 'none-work' });
    expect(guarded().lostMethods(step.state)).toBe('all');
  });

  it('takes the words for it when the person typed that no method is left', () => {
    const e = guarded();
    const step = e.begin({ hasSeveralMfaMethods: true }, 'nothing-left');
    expect(at(step)).toBe('reset');
    expect(step.state.questionsAsked).toBe(0);
    expect(e.lostMethods(step.state)).toBe('all');
  });

  it('counts as lost only the kinds the answers named, until an answer says all are', () => {
    const e = guarded();
    const facts: Facts = { hasSeveralMfaMethods: true };
    const begun = e.begin(facts);
    expect(e.lostMethods(begun.state)).toEqual([]);
    const key = e.answer(begun.state, 'q-what', 'key-gone', facts);
    // A lost key leaves the other methods: the person is asked about them.
    expect(at(key)).toBe('q-left');
    expect(e.lostMethods(key.state)).toEqual(['fido2']);
    const app = e.answer(begun.state, 'q-what', 'app-gone', facts);
    expect(e.lostMethods(app.state)).toEqual(['microsoftAuthenticator']);
    const all = e.answer(begun.state, 'q-what', 'all-gone', facts);
    expect(at(all)).toBe('reset');
    expect(e.lostMethods(all.state)).toBe('all');
  });

  it('says what happened as the last answer that told it, else as the first message did, else not at all', () => {
    const e = guarded();
    const facts: Facts = { hasNoMfaMethod: true };
    const applyAfter = (intent: string | undefined, choice: string) => {
      const chosen = e.answer(e.begin(facts, intent).state, 'q-what', choice, facts);
      const reset = at(chosen) === 'another-way' ? e.notFixed(chosen.state, 'another-way', facts) : chosen;
      return e.notFixed(reset.state, 'reset', facts).view;
    };
    // The answer names the app; the words had only said the phone was lost.
    expect(applyAfter('lost-phone', 'app-gone')).toMatchObject({ kind: 'apply', reason: 'authenticatorDeleted' });
    // "Everything is gone" does not say how: the words still do.
    expect(applyAfter('lost-phone', 'all-gone')).toMatchObject({ kind: 'apply', reason: 'lostPhone' });
    expect(applyAfter(undefined, 'all-gone')).not.toHaveProperty('reason');
  });

  it('says what happened as a signal of the first message did when neither the intent nor an answer told it', () => {
    const knowledge = guardedResetKnowledge();
    // The intent itself says nothing of what happened.
    const intents = knowledge.intents.map(({ reason: _reason, ...intent }) => intent);
    const withSignals = {
      ...knowledge,
      intents,
      signals: [
        { id: 'nothing', phrases: { en: ['nothing'], ja: ['なし'] } },
        { id: 'phone-gone', phrases: { en: ['phone'], ja: ['スマホ'] }, reason: 'lostPhone' as const },
      ],
    };
    const e = new DiagnosisEngine(withSignals, new Set());
    const facts: Facts = { hasNoMfaMethod: true };
    const applyAfter = (said: string[], choice: string) => {
      const chosen = e.answer(e.begin(facts, intents[0]!.id, said).state, 'q-what', choice, facts);
      const reset = at(chosen) === 'another-way' ? e.notFixed(chosen.state, 'another-way', facts) : chosen;
      return e.notFixed(reset.state, 'reset', facts).view;
    };
    expect(applyAfter(['nothing', 'phone-gone'], 'all-gone')).toMatchObject({ kind: 'apply', reason: 'lostPhone' });
    // An answer that says what happened outranks the words.
    expect(applyAfter(['phone-gone'], 'app-gone')).toMatchObject({ kind: 'apply', reason: 'authenticatorDeleted' });
    expect(applyAfter(['nothing'], 'all-gone')).not.toHaveProperty('reason');
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DiagnosisEngine, StaleDiagnosisStepError, type DiagnosisStep } from '../../../src/domain/diagnosis/engine.js';
import { FACT_NAMES, MAX_QUESTIONS, type FactName } from '../../../src/domain/diagnosis/knowledge.js';
import { sampleKnowledge } from './sample-knowledge.js';

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
    expect(step.view).toEqual({ kind: 'apply', triedOutcomes: ['new-phone', 'another-way', 'reset'] });
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

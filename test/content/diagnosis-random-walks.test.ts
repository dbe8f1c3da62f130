import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadKnowledge } from '../../src/content/diagnosis/load-knowledge.js';
import { DiagnosisEngine, type DiagnosisStep, type Facts } from '../../src/domain/diagnosis/engine.js';
import {
  FACT_NAMES,
  LINK_IDS,
  MAX_QUESTIONS,
  type FactName,
  type LinkId,
} from '../../src/domain/diagnosis/knowledge.js';

const everyLink = new Set<LinkId>(LINK_IDS);
const knowledge = loadKnowledge(everyLink);
const intentIds = knowledge.intents.map((intent) => intent.id);

const factsArbitrary = fc.dictionary(fc.constantFrom<FactName>(...FACT_NAMES), fc.boolean()) as fc.Arbitrary<Facts>;
const linksArbitrary = fc.subarray([...LINK_IDS]).map((links) => new Set<LinkId>(links));

describe('random walks over the shipped diagnosis knowledge', () => {
  it('always end in an outcome within the question limit, whatever the evidence, words and answers', () => {
    fc.assert(
      fc.property(
        factsArbitrary,
        fc.option(fc.constantFrom(...intentIds), { nil: undefined }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (facts, intent, picks) => {
          const engine = new DiagnosisEngine(knowledge, everyLink);
          let step: DiagnosisStep = engine.begin(facts, intent);
          let i = 0;
          while (step.view.kind === 'question') {
            const { node } = step.view;
            const choice = node.choices[(picks[i++] ?? 0) % node.choices.length]!;
            step = engine.answer(step.state, node.id, choice.id, facts);
          }
          expect(step.view.kind).toBe('outcome');
          expect(step.state.questionsAsked).toBeLessThanOrEqual(MAX_QUESTIONS);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('always end, answering "no" every time, in the application or the helpdesk, never in a loop', () => {
    fc.assert(
      fc.property(
        factsArbitrary,
        fc.option(fc.constantFrom(...intentIds), { nil: undefined }),
        linksArbitrary,
        (facts, intent, links) => {
          // An organisation without the optional links must still get a sound walk.
          const sound = loadKnowledge(
            new Set<LinkId>([...links, 'securityInfo', 'passwordReset', 'authenticatorApp', 'deviceCompliance']),
          );
          const engine = new DiagnosisEngine(sound, links);
          let step = engine.begin(facts, intent);
          while (step.view.kind === 'question') {
            step = engine.answer(step.state, step.view.node.id, step.view.node.choices[0]!.id, facts);
          }
          const firstOutcome = step.view.kind === 'outcome' ? step.view.node : undefined;
          for (let guard = 0; step.view.kind === 'outcome' || step.view.kind === 'question'; guard++) {
            expect(guard).toBeLessThan(knowledge.nodes.length);
            if (step.view.kind === 'question') {
              // Asked after "did not fix it" (the methods left before a reset): the first answer again.
              step = engine.answer(step.state, step.view.node.id, step.view.node.choices[0]!.id, facts);
              continue;
            }
            // Outcomes that need an optional link are only shown when it is configured.
            for (const { link } of step.view.node.links) {
              if (!['securityInfo', 'passwordReset', 'authenticatorApp', 'deviceCompliance'].includes(link)) {
                expect(links.has(link)).toBe(true);
              }
            }
            // The helpdesk outcome is where the bot hands over: nothing follows it.
            if (step.view.node.category === 'helpdesk') break;
            step = engine.notFixed(step.state, step.view.node.id, facts);
          }
          const end = step.view.kind === 'outcome' ? step.view.node.category : step.view.kind;
          expect(['apply', 'unresolved', 'helpdesk']).toContain(end);
          expect(step.state.questionsAsked).toBeLessThanOrEqual(MAX_QUESTIONS);
          if (firstOutcome?.category === 'notMfa') expect(end).not.toBe('apply');
        },
      ),
      { numRuns: 300 },
    );
  });
});

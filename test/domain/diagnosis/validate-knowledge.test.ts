import { describe, expect, it } from 'vitest';
import type { Knowledge, KnowledgeNode } from '../../../src/domain/diagnosis/knowledge.js';
import { findKnowledgeProblems } from '../../../src/domain/diagnosis/validate-knowledge.js';
import { outcome, sampleKnowledge, t } from './sample-knowledge.js';

const withNodes = (change: (nodes: KnowledgeNode[]) => KnowledgeNode[]): Knowledge => {
  const knowledge = sampleKnowledge();
  return { ...knowledge, nodes: change([...knowledge.nodes]) };
};
const replace = (nodes: KnowledgeNode[], node: KnowledgeNode) => nodes.map((n) => (n.id === node.id ? node : n));
const problems = (knowledge: Knowledge, links: string[] = []) =>
  findKnowledgeProblems(knowledge, new Set(links) as never);

describe('knowledge validation', () => {
  it('accepts a sound knowledge base', () => {
    expect(problems(sampleKnowledge())).toEqual([]);
  });

  it('finds a link to a node that does not exist', () => {
    const broken = withNodes((nodes) => replace(nodes, outcome('new-phone', 'nowhere')));
    expect(problems(broken)).toContain('new-phone leads to "nowhere", which is not a node');
  });

  it('finds a node nothing leads to', () => {
    const broken = withNodes((nodes) => [...nodes, outcome('orphan')]);
    expect(problems(broken)).toContain('node "orphan" cannot be reached from the start or any intent');
  });

  it('finds a cycle', () => {
    const broken = withNodes((nodes) =>
      replace(replace(nodes, outcome('new-phone', 'another-way')), outcome('another-way', 'new-phone')),
    );
    expect(problems(broken).join('\n')).toMatch(
      /the graph loops: .*another-way.*new-phone|the graph loops: .*new-phone.*another-way/,
    );
  });

  it('finds a path with more than four questions', () => {
    const chain: KnowledgeNode[] = ['q1', 'q2', 'q3', 'q4', 'q5'].map((id, i, all) => ({
      kind: 'question',
      id,
      prompt: t(id),
      choices: [
        { id: 'a', label: t('a'), next: all[i + 1] ?? 'new-phone' },
        { id: 'b', label: t('b'), next: 'new-phone' },
      ],
    }));
    const broken = { ...withNodes((nodes) => [...nodes, ...chain]), start: 'q1' };
    const found = problems({
      ...broken,
      intents: [...broken.intents, { id: 'x', entry: 'triage', phrases: { en: ['x'], ja: ['x'] } }],
    });
    expect(found).toContain('a path from "q1" can ask 5 questions; the most allowed is 4');
  });

  it('finds a missing translation', () => {
    const broken = withNodes((nodes) =>
      replace(nodes, { ...outcome('new-phone', 'another-way'), title: { en: 'New phone', ja: '' } }),
    );
    expect(problems(broken)).toContain('new-phone: title has no ja text');
  });

  it('finds an optional link shown without a check that it is configured', () => {
    const broken = withNodes((nodes) =>
      replace(nodes, {
        ...outcome('another-way', 'c-verify'),
        links: [{ link: 'helpdesk', label: t('Helpdesk') }],
      }),
    );
    expect(problems(broken)).toContain('outcome "another-way" shows the link "helpdesk", which has no configured URL');
    expect(problems(broken, ['helpdesk'])).toEqual([]);
  });

  it('accepts an optional link when every way in checks that it is configured', () => {
    expect(problems(sampleKnowledge(), [])).toEqual([]);
  });

  it('finds a not-MFA outcome whose "did not fix it" leads to the reset application', () => {
    const broken = withNodes((nodes) => replace(nodes, outcome('helpdesk', 'reset', 'notMfa')));
    expect(problems(broken)).toContain(
      'outcome "locked" is not an MFA problem but "did not fix it" leads to the MFA reset application',
    );
  });

  it('counts the questions asked after "did not fix it" towards the limit', () => {
    // q-what, then q-other, then "did not fix it" on another-way asks q-left and q-last: four in all.
    const askAgain = (last: KnowledgeNode[]) =>
      withNodes((nodes) => [
        ...replace(nodes, outcome('another-way', 'c-left')),
        {
          kind: 'check',
          id: 'c-left',
          branches: [{ when: { methodsLeft: true }, next: 'q-left' }],
          otherwise: 'reset',
        },
        ...last,
      ]);
    const question = (id: string, next: string): KnowledgeNode => ({
      kind: 'question',
      id,
      prompt: t(id),
      choices: [
        { id: 'none', label: t('None'), next, lost: 'all' },
        { id: 'some', label: t('Some'), next: 'helpdesk' },
      ],
    });
    expect(problems(askAgain([question('q-left', 'q-last'), question('q-last', 'reset')]))).toEqual([]);
    const fifth = askAgain([question('q-left', 'q-last'), question('q-last', 'q-fifth'), question('q-fifth', 'reset')]);
    expect(problems(fifth)).toContain('a path from "triage" can ask 5 questions; the most allowed is 4');
  });

  it('finds something after the helpdesk outcome, where the bot hands over', () => {
    const broken = withNodes((nodes) => replace(nodes, outcome('helpdesk', 'new-phone', 'helpdesk')));
    expect(problems(broken)).toContain(
      'outcome "helpdesk" hands over to the helpdesk, so nothing may follow it (new-phone)',
    );
    expect(problems(withNodes((nodes) => replace(nodes, outcome('helpdesk', undefined, 'helpdesk'))))).toEqual([]);
  });

  it('finds a question with a single choice and duplicate node ids', () => {
    const broken = withNodes((nodes) => [
      ...replace(nodes, {
        kind: 'question',
        id: 'q-what',
        prompt: t('?'),
        choices: [{ id: 'only', label: t('x'), next: 'new-phone' }],
      }),
      outcome('reset', 'apply', 'resetNeeded'),
    ]);
    const found = problems(broken);
    expect(found).toContain('question "q-what" needs at least two choices');
    expect(found).toContain('node "reset" is defined twice');
  });

  describe('signals', () => {
    const withSignals = (signals: Knowledge['signals'], said?: string): Knowledge => {
      const knowledge = withNodes((nodes) =>
        replace(nodes, {
          kind: 'question',
          id: 'q-other',
          prompt: t('Another method?'),
          choices: [
            { id: 'yes', label: t('Yes'), next: 'another-way', ...(said === undefined ? {} : { said }) },
            { id: 'no', label: t('No'), next: 'c-verify', impliedBy: 'hasOneMfaMethod' },
          ],
        }),
      );
      return { ...knowledge, signals };
    };
    const works = { id: 'sms-works', phrases: { en: ['sms + works'], ja: ['sms + 使え'] } };

    it('accepts a signal that answers a choice', () => {
      expect(problems(withSignals([works], 'sms-works'))).toEqual([]);
    });

    it('finds a choice said by a signal that does not exist', () => {
      expect(problems(withSignals([works], 'sms-work'))).toContain(
        'q-other: choice "yes" is said by "sms-work", which is not a signal',
      );
    });

    it('finds a signal that answers nothing, one defined twice and one without phrases in a language', () => {
      const found = problems(
        withSignals([works, works, { id: 'unused', phrases: { en: ['old + phone'], ja: [' '] } }], 'sms-works'),
      );
      expect(found).toEqual([
        'signal "sms-works" is defined twice',
        'signal "unused" has no ja phrases',
        'signal "unused" answers no question: name it in the "said" of a choice',
      ]);
    });
  });

  it('finds an unquoted wording that would lose a filler word, and accepts it quoted or as plain text', () => {
    const knowledge = sampleKnowledge();
    const [lost, ...rest] = knowledge.intents;
    const withPhrases = (en: string[]): Knowledge => ({
      ...knowledge,
      intents: [{ ...lost!, phrases: { en, ja: lost!.phrases.ja } }, ...rest],
    });
    expect(problems(withPhrases(['timed out|expired + request']))).toEqual([
      'intent "lost-phone": "timed out" would be read without "out", a filler word; quote it ("timed out") so that every word counts',
    ]);
    expect(problems(withPhrases(['"timed out"|expired + request', 'the request timed out']))).toEqual([]);
  });

  it('finds a reason the reset application does not offer, on an intent or a choice', () => {
    const knowledge = sampleKnowledge();
    const [lost, ...rest] = knowledge.intents;
    const question = knowledge.nodes.find((node) => node.id === 'q-what');
    if (question?.kind !== 'question') throw new Error('the sample knowledge asks q-what');
    const [first, ...others] = question.choices;
    const broken: Knowledge = {
      ...knowledge,
      nodes: replace([...knowledge.nodes], {
        ...question,
        choices: [{ ...first!, reason: 'stolenKey' as never }, ...others],
      }),
      intents: [{ ...lost!, reason: 'phoneDrowned' as never }, ...rest],
    };
    const offered = 'lostPhone, phoneReset, authenticatorDeleted, newPhoneNoOld, other';
    expect(problems(broken)).toEqual([
      `intent "lost-phone" gives the reason "phoneDrowned", which the reset application does not offer (${offered})`,
      `q-what: choice "${first!.id}" gives the reason "stolenKey", which the reset application does not offer (${offered})`,
    ]);
    expect(problems({ ...broken, intents: [{ ...lost!, reason: 'lostPhone' }, ...rest] })).toHaveLength(1);
  });

  it('finds a reason the reset application does not offer on a signal', () => {
    const knowledge = sampleKnowledge();
    const signal = { id: 'phone-gone', phrases: { en: ['phone'], ja: ['スマホ'] } };
    const said = knowledge.nodes.map((node) =>
      node.kind === 'question' && node.id === 'q-what'
        ? {
            ...node,
            choices: node.choices.map((choice, index) => (index === 0 ? { ...choice, said: signal.id } : choice)),
          }
        : node,
    );
    const offered = 'lostPhone, phoneReset, authenticatorDeleted, newPhoneNoOld, other';
    expect(problems({ ...knowledge, nodes: said, signals: [{ ...signal, reason: 'phoneDrowned' as never }] })).toEqual([
      `signal "phone-gone" gives the reason "phoneDrowned", which the reset application does not offer (${offered})`,
    ]);
    expect(problems({ ...knowledge, nodes: said, signals: [{ ...signal, reason: 'lostPhone' }] })).toEqual([]);
  });

  describe('error codes', () => {
    const withCodes = (lostPhone: number[], cantSignIn?: number[]): Knowledge => {
      const knowledge = sampleKnowledge();
      const [lost, cant] = knowledge.intents;
      return {
        ...knowledge,
        intents: [
          { ...lost!, codes: lostPhone },
          { ...cant!, codes: cantSignIn },
        ],
      };
    };

    it('accepts codes that each belong to one intent', () => {
      expect(problems(withCodes([50053, 500121], [50105]))).toEqual([]);
    });

    it('finds a code given to two intents, naming both', () => {
      expect(problems(withCodes([50053, 50105], [50105]))).toEqual([
        'the error code 50105 belongs to both "lost-phone" and "cant-sign-in"; give it to one of them',
      ]);
    });

    it('finds a code that is both a code of one intent and a general code of another', () => {
      const knowledge = withCodes([50076]);
      const [lost, cant] = knowledge.intents;
      expect(problems({ ...knowledge, intents: [lost!, { ...cant!, generalCodes: [50076] }] })).toEqual([
        'the error code 50076 belongs to both "lost-phone" and "cant-sign-in"; give it to one of them',
      ]);
    });

    it('finds a code listed twice by one intent', () => {
      expect(problems(withCodes([50053, 50053]))).toEqual(['intent "lost-phone" lists the error code 50053 twice']);
    });

    it.each([0, -50053, 500.5, Number.NaN])('finds the code %s, which is not a positive whole number', (code) => {
      expect(problems(withCodes([code]))).toEqual([
        `intent "lost-phone" lists the error code ${code}, which is not a positive whole number`,
      ]);
    });
  });
});

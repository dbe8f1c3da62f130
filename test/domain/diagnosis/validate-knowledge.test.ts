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

  it('finds "did not fix it" that would ask another question', () => {
    const broken = withNodes((nodes) => replace(nodes, outcome('new-phone', 'q-other')));
    expect(problems(broken)).toContain('outcome "new-phone": "did not fix it" may not ask another question (q-other)');
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
});

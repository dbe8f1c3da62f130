import type { Knowledge, LocalizedText, OutcomeNode } from '../../../src/domain/diagnosis/knowledge.js';

/** Same text in both languages, marked, for synthetic knowledge bases. */
export const t = (text: string): LocalizedText => ({ en: text, ja: `${text}（日本語）` });

/** An outcome with one step and no links. */
export function outcome(
  id: string,
  ifNotFixed?: string,
  category: 'selfService' | 'notMfa' | 'resetNeeded' = 'selfService',
): OutcomeNode {
  return { kind: 'outcome', id, category, title: t(id), summary: t(id), steps: [t(`do ${id}`)], links: [], ifNotFixed };
}

/**
 * A small knowledge base with every node kind: a triage check, two questions (one answerable
 * by evidence), a link-guarded outcome and a "did not fix it" chain ending in the application.
 */
export function sampleKnowledge(): Knowledge {
  return {
    start: 'triage',
    nodes: [
      {
        kind: 'check',
        id: 'triage',
        branches: [{ when: { fact: 'accountLocked' }, next: 'locked' }],
        otherwise: 'q-what',
      },
      {
        kind: 'question',
        id: 'q-what',
        prompt: t('What happened?'),
        choices: [
          { id: 'lost', label: t('Lost phone'), next: 'q-other' },
          { id: 'new', label: t('New phone'), next: 'new-phone' },
        ],
      },
      {
        kind: 'question',
        id: 'q-other',
        prompt: t('Another method?'),
        choices: [
          { id: 'yes', label: t('Yes'), next: 'another-way' },
          { id: 'no', label: t('No'), next: 'c-verify', impliedBy: 'hasOneMfaMethod' },
        ],
      },
      {
        kind: 'check',
        id: 'c-verify',
        branches: [{ when: { linkConfigured: 'identityVerification' }, next: 'verify-yourself' }],
        otherwise: 'reset',
      },
      outcome('locked', 'helpdesk', 'notMfa'),
      outcome('helpdesk', undefined, 'notMfa'),
      outcome('new-phone', 'another-way'),
      outcome('another-way', 'c-verify'),
      {
        kind: 'outcome',
        id: 'verify-yourself',
        category: 'selfService',
        title: t('Verify yourself'),
        summary: t('Verify yourself'),
        steps: [t('Go to the service')],
        links: [{ link: 'identityVerification', label: t('Open') }],
        ifNotFixed: 'reset',
      },
      outcome('reset', 'apply', 'resetNeeded'),
    ],
    intents: [
      { id: 'lost-phone', entry: 'q-other', phrases: { en: ['lost phone'], ja: ['スマホ + なくし'] } },
      { id: 'cant-sign-in', entry: 'triage', phrases: { en: ['cant sign in'], ja: ['サインイン + できない'] } },
    ],
  };
}

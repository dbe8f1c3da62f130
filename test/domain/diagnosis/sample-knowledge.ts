import type {
  Knowledge,
  LocalizedText,
  OutcomeCategory,
  OutcomeNode,
} from '../../../src/domain/diagnosis/knowledge.js';

/** Same text in both languages, marked, for synthetic knowledge bases. */
export const t = (text: string): LocalizedText => ({ en: text, ja: `${text}（日本語）` });

/** An outcome with one step and no links. */
export function outcome(id: string, ifNotFixed?: string, category: OutcomeCategory = 'selfService'): OutcomeNode {
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

/**
 * A knowledge base whose reset is guarded the way the shipped one is: when "sign in another way"
 * did not help, a check asks about the methods the person has not said are lost before any reset,
 * and the helpdesk is where it ends when one of them works.
 */
export function guardedResetKnowledge(): Knowledge {
  return {
    start: 'q-what',
    nodes: [
      {
        kind: 'question',
        id: 'q-what',
        prompt: t('What happened?'),
        choices: [
          {
            id: 'app-gone',
            label: t('Authenticator is gone'),
            next: 'another-way',
            lost: ['microsoftAuthenticator'],
            reason: 'authenticatorDeleted',
          },
          { id: 'key-gone', label: t('Security key is gone'), next: 'c-guard', lost: ['fido2'], reason: 'other' },
          { id: 'all-gone', label: t('Everything is gone'), next: 'c-guard', lost: 'all' },
        ],
      },
      outcome('another-way', 'c-guard'),
      {
        kind: 'check',
        id: 'c-guard',
        branches: [{ when: { methodsLeft: true }, next: 'q-left' }],
        otherwise: 'reset',
      },
      {
        kind: 'question',
        id: 'q-left',
        prompt: t('Can you use any other method?'),
        choices: [
          { id: 'none-work', label: t('None works'), next: 'reset', impliedBy: 'hasOneMfaMethod', lost: 'all' },
          { id: 'one-works', label: t('One works'), next: 'helpdesk' },
        ],
      },
      outcome('reset', 'apply', 'resetNeeded'),
      outcome('helpdesk', undefined, 'helpdesk'),
    ],
    intents: [
      {
        id: 'lost-phone',
        entry: 'q-what',
        reason: 'lostPhone',
        phrases: { en: ['lost phone'], ja: ['スマホ + なくし'] },
      },
      { id: 'helpdesk', entry: 'helpdesk', phrases: { en: ['helpdesk'], ja: ['ヘルプデスク'] } },
      {
        id: 'nothing-left',
        entry: 'c-guard',
        lost: 'all',
        phrases: { en: ['no other method'], ja: ['ほかに + ない'] },
      },
    ],
  };
}

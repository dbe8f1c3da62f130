import { renderApplicationCard, renderApplicationSubjectCard } from '../../src/cards/application.js';
import { renderDiagnosisRecordCard } from '../../src/cards/diagnosis-record.js';
import { renderOverdueNoticeCard } from '../../src/cards/overdue-notice.js';
import { renderQueueCard } from '../../src/cards/queue.js';
import { renderRequestStatusCard } from '../../src/cards/request-status.js';
import { renderStatisticsCard } from '../../src/cards/statistics.js';
import { loadKnowledge } from '../../src/content/diagnosis/load-knowledge.js';
import { diagnosisReference } from '../../src/domain/diagnosis/diagnosis-reference.js';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  renderDiagnosisOutcomeCard,
  renderDiagnosisQuestionCard,
  renderSymptomsCard,
} from '../../src/cards/diagnosis.js';
import { renderNoticeCard } from '../../src/cards/notice.js';
import {
  renderPassCard,
  renderPassClosedCard,
  renderPassOfferCard,
  type PassCardContext,
  type PassReader,
  type ShownPass,
} from '../../src/cards/pass.js';
import {
  CARD_NAMES,
  cardCacheSize,
  readCardTemplate,
  renderCard,
  structuralNames,
  type AdaptiveCard,
} from '../../src/cards/render-card.js';
import { checkVerbData, isVerb } from '../../src/cards/verb-data.js';
import {
  renderInfoRequestCard,
  renderManagerConfirmationCard,
  renderReviewCard,
  withNotice,
} from '../../src/cards/review.js';
import { renderWelcomeCard } from '../../src/cards/welcome.js';
import { format, stringsFor } from '../../src/content/strings/index.js';
import type { ActiveDiagnosis } from '../../src/domain/diagnosis/diagnosis-service.js';
import type { OutcomeNode, QuestionNode } from '../../src/domain/diagnosis/knowledge.js';
import { LOCALES } from '../../src/domain/locale.js';
import { textsIn } from '../support/approval-driver.js';
import { scribbleOver } from '../support/card-tree.js';
import {
  callbackReviewView,
  clickerNotice,
  fullReviewView,
  infoView,
  managerView,
  minimalReviewView,
} from '../support/review-views.js';
import {
  completedSummary,
  sampleDiagnosis,
  sampleStatistics,
  viewer,
  waitingSummary,
} from '../support/status-views.js';

const question = {
  kind: 'question',
  id: 'q-other',
  prompt: { en: 'Can you use another method?', ja: '別の方法を使えますか?' },
  choices: [
    { id: 'yes', label: { en: 'Yes', ja: 'はい' }, next: 'x' },
    { id: 'no', label: { en: 'No', ja: 'いいえ' }, next: 'y' },
  ],
} satisfies QuestionNode;
const outcomeNode = (category: OutcomeNode['category']): OutcomeNode => ({
  kind: 'outcome',
  id: 'another-way',
  category,
  title: { en: 'Sign in another way', ja: '別の方法でサインイン' },
  summary: { en: 'Use another method.', ja: '別の方法を使います。' },
  steps: [
    { en: 'Choose Sign in another way.', ja: '「別の方法でサインインする」を選びます。' },
    { en: 'Pick a method that works.', ja: '使える方法を選びます。' },
  ],
  links: [
    { link: 'securityInfo', label: { en: 'Security info', ja: 'セキュリティ情報' } },
    { link: 'helpdesk', label: { en: 'Helpdesk', ja: 'ヘルプデスク' } },
  ],
  ifNotFixed: 'reset',
});
const links = {
  securityInfo: 'https://mysignins.microsoft.com/security-info',
  passwordReset: undefined,
  authenticatorApp: undefined,
  deviceCompliance: undefined,
  onboardingPortal: undefined,
  identityVerification: undefined,
  helpdesk: undefined,
};
const active = (withEvidence: boolean): ActiveDiagnosis => ({
  id: 'd-1',
  entry: 'menu',
  startedAt: '2026-11-24T09:00:00.000Z',
  state: { node: 'q-other', questionsAsked: 1, path: [], triedOutcomes: [] },
  facts: withEvidence ? { mfaNotCompleted: true } : {},
  methods: withEvidence
    ? [
        { kind: 'phone', device: undefined, phoneType: 'mobile', masked: '+65 •••• 4567', isDefault: false },
        {
          kind: 'microsoftAuthenticator',
          device: 'iPhone 15',
          phoneType: undefined,
          masked: undefined,
          isDefault: true,
        },
      ]
    : undefined,
  evidenceGaps: withEvidence ? [] : ['methods: timed out'],
});

const passContext: PassCardContext = {
  requestId: 'r-1',
  reference: 'SIH-000042',
  subjectName: 'Alex Wilber',
  managerName: 'Miriam Graham',
  lifetimeInMinutes: 60,
  securityInfoUrl: 'https://mysignins.microsoft.com/security-info',
};
const shownPass: ShownPass = { isUsableOnce: true, validUntil: '2026-11-25 10:00 UTC', replacesEarlier: false };
const subjectReader: PassReader = { kind: 'subject' };
const agentOnVideo: PassReader = { kind: 'agent', verification: 'videoCall' };

// adaptivecards' ESM entry does not load in Node; its UMD bundle does (PLATFORM.md).
const require = createRequire(import.meta.url);
const AC = require('adaptivecards/dist/adaptivecards.js');

/** Parses a card the way a client does and returns every warning or error it reports. */
function parseProblems(card: unknown): string[] {
  const parsed = new AC.AdaptiveCard();
  const context = new AC.SerializationContext();
  parsed.parse(card, context);
  const problems: string[] = [];
  for (let i = 0; i < context.eventCount; i++) {
    const message: string = context.getEventAt(i).message;
    // Teams draws charts; this renderer does not, and shows their fallback, which is parsed and checked here too.
    if (!/^Unknown element type "Chart\.[A-Za-z.]+"\. Fallback will be used if present\.$/.test(message)) {
      problems.push(message);
    }
  }
  const validation = parsed.validateProperties();
  for (const event of validation.validationEvents) problems.push(event.message);
  return problems;
}

/** Every object in a card tree. */
function walk(node: unknown, visit: (object: Record<string, any>) => void): void {
  if (Array.isArray(node)) node.forEach((item) => walk(item, visit));
  else if (node && typeof node === 'object') {
    visit(node as Record<string, any>);
    Object.values(node).forEach((value) => walk(value, visit));
  }
}

/** Every card the bot can render, in every language, with optional parts present and absent. */
function allRenderedCards(): Array<[string, AdaptiveCard]> {
  return LOCALES.flatMap((locale) => {
    const strings = stringsFor(locale);
    return [
      [`welcome (${locale})`, renderWelcomeCard(strings, { name: 'Alex', returning: false })],
      [`welcome without a name (${locale})`, renderWelcomeCard(strings, { name: undefined, returning: false })],
      [`help (${locale})`, renderWelcomeCard(strings, { name: 'Alex', returning: true }, true)],
      [`notice (${locale})`, renderNoticeCard({ title: 't', body: strings.refusals.missingIdentity, tone: 'warning' })],
      [`question with evidence (${locale})`, renderDiagnosisQuestionCard(strings, locale, active(true), question)],
      [`question without evidence (${locale})`, renderDiagnosisQuestionCard(strings, locale, active(false), question)],
      [`question answered (${locale})`, renderDiagnosisQuestionCard(strings, locale, active(true), question, 'Yes')],
      [`outcome (${locale})`, renderDiagnosisOutcomeCard(strings, locale, 'd-1', outcomeNode('selfService'), links)],
      [
        `reset outcome (${locale})`,
        renderDiagnosisOutcomeCard(strings, locale, 'd-1', outcomeNode('resetNeeded'), links),
      ],
      [
        `security risk outcome (${locale})`,
        renderDiagnosisOutcomeCard(strings, locale, 'd-1', outcomeNode('securityRisk'), links),
      ],
      [
        `outcome answered (${locale})`,
        renderDiagnosisOutcomeCard(strings, locale, 'd-1', outcomeNode('notMfa'), links, 'No'),
      ],
      [
        `helpdesk outcome (${locale})`,
        renderDiagnosisOutcomeCard(strings, locale, 'd-1', outcomeNode('helpdesk'), { ...links, helpdesk: undefined }),
      ],
      [
        `helpdesk outcome with its link (${locale})`,
        renderDiagnosisOutcomeCard(strings, locale, 'd-1', outcomeNode('helpdesk'), {
          ...links,
          helpdesk: 'https://help.example.com/',
        }),
      ],
      [`symptoms (${locale})`, renderSymptomsCard(strings)],
      [`pass for the subject (${locale})`, renderPassCard(strings, subjectReader, passContext, shownPass, 'Ab3#kLm9')],
      [`pass for the agent (${locale})`, renderPassCard(strings, agentOnVideo, passContext, shownPass, 'Ab3#kLm9')],
      [`pass offered to the manager (${locale})`, renderPassOfferCard(strings, { kind: 'manager' }, passContext)],
      [
        `pass offered again after a failure (${locale})`,
        renderPassOfferCard(strings, { kind: 'agent', verification: 'callback' }, passContext, 'Graph was busy'),
      ],
      [`pass expired (${locale})`, renderPassClosedCard(strings, { kind: 'issuer' }, passContext, 'expired')],
      [
        `my requests, none (${locale})`,
        renderRequestStatusCard(viewer(locale), { title: 't', intro: [], none: 'none', headingWithSubject: false }, []),
      ],
      [
        `my requests (${locale})`,
        renderRequestStatusCard(
          viewer(locale),
          { title: 't', intro: ['intro'], none: 'none', headingWithSubject: false },
          [waitingSummary(), completedSummary()],
        ),
      ],
      [
        `team status, manager's view (${locale})`,
        renderRequestStatusCard(
          viewer(locale),
          { title: 't', intro: ['a', 'b'], none: 'none', headingWithSubject: true },
          [completedSummary({ audience: 'manager' }), waitingSummary({ audience: 'manager', cancellable: false })],
        ),
      ],
      [
        `one request, from an old card (${locale})`,
        renderRequestStatusCard(
          viewer(locale),
          { title: 't', intro: [], none: '', notice: 'old', headingWithSubject: false },
          [completedSummary({ timeline: [] })],
        ),
      ],
      [
        `queue (${locale})`,
        renderQueueCard(viewer(locale), {
          sections: [
            { group: 'needsAttention', count: 0, requests: [] },
            {
              group: 'pendingReview',
              count: 3,
              requests: [waitingSummary({ audience: 'helpdesk', timeline: undefined })],
            },
            {
              group: 'claimed',
              count: 1,
              requests: [completedSummary({ state: 'pending_review', audience: 'helpdesk', timeline: undefined })],
            },
          ],
          links: new Map([['r-2', 'https://teams.microsoft.com/l/message/19%3Ax/1?tenantId=t']]),
        }),
      ],
      [`queue, empty (${locale})`, renderQueueCard(viewer(locale), { sections: [], links: new Map() })],
      [
        `statistics (${locale})`,
        renderStatisticsCard(
          { strings, locale, names: viewer(locale).names, outcomeTitle: (id) => `Outcome ${id}` },
          sampleStatistics(),
        ),
      ],
      [
        `statistics, nothing yet (${locale})`,
        renderStatisticsCard(
          { strings, locale, names: new Map(), outcomeTitle: (id) => id },
          sampleStatistics({
            decisionsByAgent: [],
            toDecision: undefined,
            toCompletion: undefined,
            diagnoses: { total: 0, resolved: 0, applied: 0, notResolved: 0, unfinished: 0, selfServiceRate: undefined },
            topOutcomes: [],
          }),
        ),
      ],
      [
        `diagnosis record (${locale})`,
        renderDiagnosisRecordCard(
          {
            strings,
            locale,
            knowledge: loadKnowledge(
              new Set(['securityInfo', 'passwordReset', 'authenticatorApp', 'deviceCompliance']),
            ),
            names: viewer(locale).names,
            formatTime: viewer(locale).formatTime,
            referenceOf: diagnosisReference,
          },
          [sampleDiagnosis(), sampleDiagnosis({ evidence: undefined, evidenceGaps: [], result: 'resolved' })],
        ),
      ],
      [
        `overdue reminder (${locale})`,
        renderOverdueNoticeCard({ title: 't', body: 'b', link: undefined, details: undefined }),
      ],
      [
        `overdue notice to a lead (${locale})`,
        renderOverdueNoticeCard({
          title: 't',
          body: 'b',
          link: { url: 'https://teams.microsoft.com/l/message/x/1', title: 'Open' },
          details: { title: 'Details', requestId: 'r-1' },
        }),
      ],
      [
        `application (${locale})`,
        renderApplicationCard(strings, {
          subject: { id: 'u1', displayName: 'Alex Wilber', isSelf: true },
          methods: [{ id: 'm1', method: active(true).methods![1]! }],
          diagnosisId: 'd-1',
        }),
      ],
      [
        `application with problems, for a report (${locale})`,
        renderApplicationCard(strings, {
          subject: { id: 'u2', displayName: '佐藤 由紀', isSelf: false },
          methods: [],
          values: { reason: 'other', contact: '', note: 'x'.repeat(600) },
          problems: { contact: 'required', note: 'tooLong', verification: 'invalid' },
          diagnosisId: undefined,
        }),
      ],
      [
        `application subject (${locale})`,
        renderApplicationSubjectCard(
          strings,
          [
            { id: 'u1', displayName: 'Megan Bowen', isSelf: true },
            { id: 'u2', displayName: '佐藤 由紀', isSelf: false },
          ],
          undefined,
        ),
      ],
      [`review, nothing optional (${locale})`, renderReviewCard(strings, minimalReviewView())],
      [`review, just submitted (${locale})`, renderReviewCard(strings, minimalReviewView({ state: 'submitted' }))],
      [
        `review, everything present (${locale})`,
        withNotice(renderReviewCard(strings, fullReviewView()), clickerNotice),
      ],
      [
        `review, second approval outstanding (${locale})`,
        renderReviewCard(
          strings,
          fullReviewView({
            state: 'pending_review',
            rejection: undefined,
            approvals: fullReviewView().approvals.slice(0, 1),
          }),
        ),
      ],
      [
        `review, manual only (${locale})`,
        renderReviewCard(strings, minimalReviewView({ manualOnly: true, claimedByName: 'Adele Vance' })),
      ],
      [`review, approved (${locale})`, renderReviewCard(strings, minimalReviewView({ state: 'approved' }))],
      [`review, overdue (${locale})`, renderReviewCard(strings, minimalReviewView({ overdueAfterMs: 1_800_000 }))],
      [`review, claimed, call back to a number on file (${locale})`, renderReviewCard(strings, callbackReviewView())],
      [
        `review, nobody claimed, to assign (${locale})`,
        renderReviewCard(strings, callbackReviewView({ claimedByName: undefined, phonesOnFile: undefined })),
      ],
      [
        `review, possible compromise, open (${locale})`,
        renderReviewCard(strings, minimalReviewView({ possibleCompromise: true })),
      ],
      [
        `review, possible compromise, decided (${locale})`,
        renderReviewCard(strings, fullReviewView({ possibleCompromise: true })),
      ],
      [`manager confirmation (${locale})`, renderManagerConfirmationCard(strings, managerView())],
      [
        `manager confirmation, possible compromise (${locale})`,
        renderManagerConfirmationCard(strings, managerView({ possibleCompromise: true })),
      ],
      [
        `manager confirmation with a note, answered (${locale})`,
        renderManagerConfirmationCard(
          strings,
          managerView({ filerName: 'Megan Bowen', note: 'Lost it.', answered: 'declined' }),
        ),
      ],
      [`info request (${locale})`, renderInfoRequestCard(strings, infoView())],
      [
        `info request with a problem (${locale})`,
        renderInfoRequestCard(strings, infoView({ typed: 'x'.repeat(600), problem: 'tooLong' })),
      ],
      [`info request answered (${locale})`, renderInfoRequestCard(strings, infoView({ answer: 'Singapore.' }))],
    ] as Array<[string, AdaptiveCard]>;
  });
}

describe('card templates', () => {
  it.each(CARD_NAMES)('cards/%s.json is an Adaptive Card 1.5 template', (name) => {
    const template = readCardTemplate(name) as Record<string, unknown>;
    expect(template.type).toBe('AdaptiveCard');
    expect(template.version).toBe('1.5');
  });

  it.each(allRenderedCards())('%s parses without warnings', (_name, card) => {
    expect(parseProblems(card)).toEqual([]);
  });

  it.each(allRenderedCards())('%s gives every Action.Execute a verb and keeps input ids unique', (_name, card) => {
    const inputIds: string[] = [];
    walk(card, (object) => {
      if (object.type === 'Action.Execute') expect(object.verb, JSON.stringify(object)).toMatch(/^[a-z]+\.[a-z]+$/);
      if (typeof object.type === 'string' && object.type.startsWith('Input.')) inputIds.push(object.id);
    });
    expect(new Set(inputIds).size).toBe(inputIds.length);
  });

  it.each(allRenderedCards())('%s sends button data that fits its verb, inputs filled in', (_name, card) => {
    // What Teams sends for a press: the button's data and the card's inputs, as text.
    const inputs: Record<string, string> = {};
    walk(card, (object) => {
      if (object.type === 'Input.ChoiceSet') inputs[object.id] = object.choices?.[0]?.value ?? '';
      else if (typeof object.type === 'string' && object.type.startsWith('Input.')) inputs[object.id] = 'typed';
    });
    walk(card, (object) => {
      if (object.type !== 'Action.Execute' && object.type !== 'Action.Submit') return;
      const verb: unknown = object.verb ?? object.data?.verb;
      expect(isVerb(verb), `${String(verb)} is one of the bot's verbs`).toBe(true);
      if (!isVerb(verb)) return;
      for (const data of [object.data, { ...inputs, ...object.data }]) {
        expect(checkVerbData(verb, data), JSON.stringify(data)).toMatchObject({ ok: true });
      }
    });
  });

  it.each(allRenderedCards())('%s has no unexpanded template expression left', (_name, card) => {
    expect(JSON.stringify(card)).not.toMatch(/\$\{|"\$data"|"\$when"/);
  });

  it.each(allRenderedCards())('%s gives every chart a table with the same figures as its fallback', (_name, card) => {
    walk(card, (object) => {
      if (typeof object.type !== 'string' || !object.type.startsWith('Chart.')) return;
      expect(object.fallback?.type, `${object.type} has a table fallback`).toBe('Table');
      const rows = object.fallback.rows as Array<{ cells: Array<{ items: unknown[] }> }>;
      const cellText = rows.map((row) => row.cells.map((cell) => JSON.stringify(cell.items)));
      if (object.type === 'Chart.Donut') {
        for (const slice of object.data) expect(cellText.flat().join()).toContain(JSON.stringify(slice.legend));
        expect(rows).toHaveLength(object.data.length + 1);
      } else {
        // Line and grouped bars: one series per legend, each point an x and a y.
        for (const series of object.data) {
          expect(series.legend).toEqual(expect.any(String));
          for (const point of series.values) expect(point).toEqual({ x: expect.any(String), y: expect.any(Number) });
        }
        expect(rows).toHaveLength(object.data[0].values.length + 1);
      }
    });
  });

  it('the parse check catches a broken card, so the checks above mean something', () => {
    expect(
      parseProblems({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock' }, { type: 'NoSuchElement' }] }),
    ).not.toEqual([]);
  });

  it('renders user text literally: markdown links and template expressions stay text', () => {
    const card = renderNoticeCard({
      title: 'Note',
      body: '[x](https://evil.example) ${1+1} ${$root}',
      tone: 'default',
    });
    expect(card.body[1]).toEqual({
      type: 'RichTextBlock',
      inlines: [{ type: 'TextRun', text: '[x](https://evil.example) ${1+1} ${$root}' }],
    });
  });

  it('matches the welcome card snapshot', () => {
    expect(renderWelcomeCard(stringsFor('en'), { name: 'Alex', returning: false })).toMatchSnapshot();
  });

  it('matches the help card snapshot in Japanese', () => {
    expect(renderWelcomeCard(stringsFor('ja'), { name: undefined, returning: false }, true)).toMatchSnapshot();
  });

  it.each(LOCALES)('matches the help card snapshot of a manager who is also a helpdesk lead (%s)', (locale) => {
    const roles = { manager: true, agent: true, lead: true };
    expect(renderWelcomeCard(stringsFor(locale), { name: 'Patti', returning: true, roles }, true)).toMatchSnapshot();
  });

  it.each(LOCALES)('matches the status card snapshots of a requester and of a manager (%s)', (locale) => {
    const frame = { title: 'Title', intro: ['Intro'], none: 'None', headingWithSubject: false };
    expect(renderRequestStatusCard(viewer(locale), frame, [completedSummary(), waitingSummary()])).toMatchSnapshot();
    expect(
      renderRequestStatusCard(viewer(locale), { ...frame, headingWithSubject: true }, [
        completedSummary({ audience: 'manager' }),
      ]),
    ).toMatchSnapshot();
  });

  it.each(LOCALES)('matches the queue, statistics and diagnosis record snapshots (%s)', (locale) => {
    const strings = stringsFor(locale);
    expect(
      renderQueueCard(viewer(locale), {
        sections: [{ group: 'pendingReview', count: 2, requests: [waitingSummary({ audience: 'helpdesk' })] }],
        links: new Map([['r-2', 'https://teams.microsoft.com/l/message/x/1']]),
      }),
    ).toMatchSnapshot();
    expect(
      renderStatisticsCard(
        { strings, locale, names: viewer(locale).names, outcomeTitle: (id) => id },
        sampleStatistics(),
      ),
    ).toMatchSnapshot();
    expect(
      renderDiagnosisRecordCard(
        {
          strings,
          locale,
          knowledge: loadKnowledge(new Set(['securityInfo', 'passwordReset', 'authenticatorApp', 'deviceCompliance'])),
          names: viewer(locale).names,
          formatTime: viewer(locale).formatTime,
          referenceOf: diagnosisReference,
        },
        [sampleDiagnosis()],
      ),
    ).toMatchSnapshot();
  });

  it.each(LOCALES)(
    'tells, in a diagnosis record, which answers were asked, said or read from the directory (%s)',
    (locale) => {
      const strings = stringsFor(locale);
      const knowledge = loadKnowledge(
        new Set(['securityInfo', 'passwordReset', 'authenticatorApp', 'deviceCompliance']),
      );
      const label = (node: string, choice: string) => {
        const question = knowledge.nodes.find((candidate) => candidate.id === node);
        return question?.kind === 'question' ? question.choices.find((c) => c.id === choice)!.label[locale] : '';
      };
      const card = renderDiagnosisRecordCard(
        {
          strings,
          locale,
          knowledge,
          names: viewer(locale).names,
          formatTime: viewer(locale).formatTime,
          referenceOf: diagnosisReference,
        },
        [
          sampleDiagnosis({
            path: [
              { node: 'q-mfa-problem', via: 'asked', choice: 'lost-or-reset' },
              { node: 'q-old-phone', via: 'evidence', choice: 'yes' },
              { node: 'q-other-method', via: 'said', choice: 'no' },
            ],
          }),
        ],
      );
      const text = JSON.stringify(card);
      const { answered, impliedBy, saidFirst } = strings.diagnosisRecord;
      expect(text).toContain(format(answered, { choice: label('q-mfa-problem', 'lost-or-reset') }));
      expect(text).toContain(format(impliedBy, { choice: label('q-old-phone', 'yes') }));
      expect(text).toContain(format(saidFirst, { choice: label('q-other-method', 'no') }));
    },
  );

  it.each(LOCALES)('names a privileged role it could not read the name of as such, with its id (%s)', (locale) => {
    const strings = stringsFor(locale);
    const id = '62e90394-69f5-4237-9190-012177145e10';
    const card = renderReviewCard(
      strings,
      fullReviewView({ risks: [{ kind: 'privilegedRole', roles: ['Global Administrator', id] }] }),
    );
    const unnamed = format(strings.review.risks.unnamedRole, { id });
    expect(JSON.stringify(card)).toContain(
      format(strings.review.risks.privilegedRole, {
        roles: ['Global Administrator', unnamed].join(strings.review.listSeparator),
      }),
    );
  });

  it.each(LOCALES)('matches the review card snapshots with nothing optional and with everything (%s)', (locale) => {
    expect(renderReviewCard(stringsFor(locale), minimalReviewView())).toMatchSnapshot();
    expect(withNotice(renderReviewCard(stringsFor(locale), fullReviewView()), clickerNotice)).toMatchSnapshot();
    expect(renderReviewCard(stringsFor(locale), callbackReviewView())).toMatchSnapshot();
  });

  it.each(LOCALES)('matches the manager confirmation card snapshots, asking and answered (%s)', (locale) => {
    expect(renderManagerConfirmationCard(stringsFor(locale), managerView())).toMatchSnapshot();
    expect(
      renderManagerConfirmationCard(stringsFor(locale), managerView({ note: 'Lost it.', answered: 'confirmed' })),
    ).toMatchSnapshot();
  });

  it.each(LOCALES)('matches the review and manager card snapshots of a possible compromise (%s)', (locale) => {
    expect(renderReviewCard(stringsFor(locale), minimalReviewView({ possibleCompromise: true }))).toMatchSnapshot();
    expect(
      renderManagerConfirmationCard(stringsFor(locale), managerView({ possibleCompromise: true })),
    ).toMatchSnapshot();
  });

  it.each(LOCALES)('matches the info request card snapshots, asking, after a problem and answered (%s)', (locale) => {
    expect(renderInfoRequestCard(stringsFor(locale), infoView())).toMatchSnapshot();
    expect(renderInfoRequestCard(stringsFor(locale), infoView({ typed: '', problem: 'required' }))).toMatchSnapshot();
    expect(renderInfoRequestCard(stringsFor(locale), infoView({ answer: 'Singapore.' }))).toMatchSnapshot();
  });
});

describe('the pass card', () => {
  const strings = stringsFor('en');

  it('shows the pass once, in the copy that is sent, and keeps it out of the cached expansion', () => {
    const first = renderPassCard(strings, subjectReader, passContext, shownPass, 'Pq7$wXy2');
    const second = renderPassCard(strings, subjectReader, passContext, shownPass, "Zz$&a$'4");
    expect(JSON.stringify(second)).toContain("Zz$&a$'4");
    expect(JSON.stringify(first).split('Pq7$wXy2')).toHaveLength(2);
    expect(JSON.stringify(second)).not.toContain('Pq7$wXy2');
    expect(JSON.stringify(first)).toContain('Works for one sign-in within 60 minutes, until 2026-11-25 10:00 UTC.');
    expect(first.actions).toEqual([
      { type: 'Action.OpenUrl', title: 'Open security info', url: 'https://mysignins.microsoft.com/security-info' },
    ]);
    expect(JSON.stringify(first)).not.toContain(strings.pass.replaces);
    const replacing = renderPassCard(strings, subjectReader, passContext, { ...shownPass, replacesEarlier: true }, 'x');
    expect(JSON.stringify(replacing)).toContain(strings.pass.replaces);
  });

  it('words the pass by how identity was checked: a call only where there was one', () => {
    const shownTo = (reader: PassReader) =>
      textsIn(renderPassCard(strings, reader, passContext, shownPass, 'Pq7$wXy2')).join(' ');
    expect(shownTo(agentOnVideo)).toContain('Temporary Access Pass for Alex Wilber');
    expect(shownTo(agentOnVideo)).toContain('on the video call where you checked who they are');
    expect(shownTo({ kind: 'agent', verification: 'inPerson' })).toContain('while they are with you');
    expect(shownTo({ kind: 'agent', verification: 'inPerson' })).not.toMatch(/on the (video )?call/);
    expect(shownTo({ kind: 'agent', verification: 'callback' })).toContain('on the call to the number on file');
    expect(shownTo({ kind: 'agent', verification: 'managerConfirmation' })).toContain(
      'Miriam Graham confirmed who Alex Wilber is',
    );
    expect(shownTo({ kind: 'manager' })).toContain('Give it to Alex Wilber yourself');
    expect(shownTo({ kind: 'manager' })).not.toContain('where you checked who they are');
  });

  it('offers to issue the pass without carrying one, and a closed card shows no pass', () => {
    const offer = renderPassOfferCard(strings, agentOnVideo, passContext);
    expect(JSON.stringify(offer)).not.toContain('00000000-0000-4000-8000-0000000a55e5');
    expect(offer.actions).toEqual([
      expect.objectContaining({
        type: 'Action.Execute',
        title: 'Issue the pass now',
        verb: 'pass.issue',
        data: { verb: 'pass.issue', requestId: 'r-1' },
      }),
    ]);
    expect(textsIn(offer).join(' ')).toContain('works for 60 minutes from then');
    const closed = renderPassClosedCard(strings, { kind: 'issuer' }, passContext, 'expired');
    expect(textsIn(closed)).toContain(strings.pass.closed.expired);
    expect(closed.actions).toEqual([]);
  });
});

describe('diagnosis cards', () => {
  const strings = stringsFor('en');

  it('shows registered methods masked, default first, with what the sign-in log shows', () => {
    const text = JSON.stringify(renderDiagnosisQuestionCard(strings, 'en', active(true), question));
    expect(text).toContain('Registered methods: Authenticator on iPhone 15 (default), Mobile phone +65 •••• 4567');
    expect(text).toContain('Your recent sign-ins stopped at the verification step.');
  });

  it('says it will ask instead when the directory gave nothing', () => {
    const text = JSON.stringify(renderDiagnosisQuestionCard(strings, 'en', active(false), question));
    expect(text).toContain('I could not look at the directory just now, so I will ask instead.');
  });

  it('offers the choices as one required list and puts the diagnosis id and step on its button', () => {
    const card = renderDiagnosisQuestionCard(strings, 'en', active(true), question);
    const input = card.body.find((element: any) => element.type === 'Input.ChoiceSet') as any;
    expect(input).toMatchObject({ id: 'choice', isRequired: true, label: 'Can you use another method?' });
    expect(input.choices).toEqual([
      { title: 'Yes', value: 'yes' },
      { title: 'No', value: 'no' },
    ]);
    expect(card.actions?.map((action: any) => action.data)).toEqual([
      { verb: 'diagnosis.answer', diagnosisId: 'd-1', node: 'q-other' },
    ]);
  });

  it('fills each question card with its own diagnosis id, escaped, and leaves the shared expansion alone', () => {
    const ids = ['a1b2c3d4-0000-4000-8000-00000000000a', 'odd "id" \\ with json'];
    const cards = ids.map((id) => renderDiagnosisQuestionCard(strings, 'en', { ...active(true), id }, question));
    expect(cards.map((card) => (card.actions?.[0] as any).data.diagnosisId)).toEqual(ids);
    expect(cards[0]!.body).toEqual(cards[1]!.body);
    // What a copy shares with the expansion is frozen: it cannot be changed for the next card through it.
    const drawn = () => renderDiagnosisQuestionCard(strings, 'en', { ...active(true), id: ids[0]! }, question);
    const before = JSON.stringify(drawn());
    scribbleOver(cards[0]);
    expect(JSON.stringify(drawn())).toBe(before);
  });

  it('numbers a question the same before and after it is answered', () => {
    const asked = JSON.stringify(renderDiagnosisQuestionCard(strings, 'en', active(true), question));
    const answered = JSON.stringify(renderDiagnosisQuestionCard(strings, 'en', active(true), question, 'Yes'));
    expect(asked).toContain('"Question 2"');
    expect(answered).toContain('"Question 2"');
    expect(answered).toContain('You answered: Yes');
  });

  it('leaves no buttons on an answered card', () => {
    expect(renderDiagnosisQuestionCard(strings, 'ja', active(true), question, 'はい').actions).toEqual([]);
    expect(renderDiagnosisOutcomeCard(strings, 'ja', 'd-1', outcomeNode('selfService'), links, 'はい').actions).toEqual(
      [],
    );
  });

  it('numbers the steps, shows only configured links and asks "Did this fix it?"', () => {
    const card = renderDiagnosisOutcomeCard(strings, 'en', 'd-1', outcomeNode('selfService'), links);
    const text = JSON.stringify(card);
    expect(text).toContain('"1."');
    expect(text).toContain('"2."');
    expect(text).toContain('https://mysignins.microsoft.com/security-info');
    expect(text).not.toContain('Helpdesk');
    expect(text).toContain('Did this fix it?');
    expect(card.actions?.map((action: any) => action.verb)).toEqual(['diagnosis.fixed', 'diagnosis.notfixed']);
  });

  it('fills each outcome card with its own diagnosis id and links, however often it is rendered', () => {
    const node = outcomeNode('selfService');
    const first = renderDiagnosisOutcomeCard(strings, 'en', 'a1b2c3d4-0000-4000-8000-000000000001', node, links);
    const second = renderDiagnosisOutcomeCard(strings, 'en', 'a1b2c3d4-0000-4000-8000-000000000002', node, links);
    expect(first.actions?.map((action: any) => action.data.diagnosisId)).toEqual([
      'a1b2c3d4-0000-4000-8000-000000000001',
      'a1b2c3d4-0000-4000-8000-000000000001',
    ]);
    expect(second.actions?.map((action: any) => action.data.diagnosisId)).toEqual([
      'a1b2c3d4-0000-4000-8000-000000000002',
      'a1b2c3d4-0000-4000-8000-000000000002',
    ]);
    // A card cannot be changed for the next one through what it shares with the expansion.
    const drawn = () => renderDiagnosisOutcomeCard(strings, 'en', 'x', node, links);
    const before = JSON.stringify(drawn());
    (first.actions![0] as any).data.diagnosisId = 'changed';
    expect((second.actions![0] as any).data.diagnosisId).toBe('a1b2c3d4-0000-4000-8000-000000000002');
    scribbleOver(first);
    expect(JSON.stringify(drawn())).toBe(before);
    const otherLinks = { ...links, helpdesk: 'https://help.example.com/' };
    expect(JSON.stringify(renderDiagnosisOutcomeCard(strings, 'en', 'x', node, otherLinks))).toContain(
      'https://help.example.com/',
    );
    expect(JSON.stringify(renderDiagnosisOutcomeCard(strings, 'ja', 'x', node, links))).toContain(
      '別の方法でサインイン',
    );
  });

  it('offers the application instead of "Did this fix it?" when a reset is needed', () => {
    const card = renderDiagnosisOutcomeCard(strings, 'en', 'd-1', outcomeNode('resetNeeded'), links);
    expect(JSON.stringify(card)).not.toContain('Did this fix it?');
    expect(card.actions?.map((action: any) => action.title)).toEqual(['Apply for a reset', 'I can sign in now']);
  });

  it('heads a possible compromise with what to do now, in both languages, and offers the application too', () => {
    for (const locale of LOCALES) {
      const words = stringsFor(locale).diagnosis;
      const card = renderDiagnosisOutcomeCard(stringsFor(locale), locale, 'd-1', outcomeNode('securityRisk'), links);
      expect(textsIn(card)).toContain(words.categories.securityRisk);
      expect(textsIn(card)).not.toContain(words.categories.resetNeeded);
      expect(card.actions?.map((action: any) => action.title)).toEqual([words.apply, words.noLongerNeeded]);
    }
  });

  it('ends the helpdesk outcome with how to reach the helpdesk and its own reference, asking nothing', () => {
    const d = strings.diagnosis;
    // The knowledge need not list the helpdesk link: the card adds it where it is configured.
    const handOver: OutcomeNode = { ...outcomeNode('helpdesk'), links: [], ifNotFixed: undefined };
    const id = 'a1b2c3d4-0000-4000-8000-000000000001';
    const words = renderDiagnosisOutcomeCard(strings, 'en', id, handOver, { ...links, helpdesk: undefined });
    expect(words.actions).toEqual([]);
    expect(JSON.stringify(words)).not.toContain(d.didThisFixIt);
    expect(JSON.stringify(words)).toContain(format(d.helpdeskNextNoLink, { reference: 'DX-A1B2C3D4' }));

    const other = renderDiagnosisOutcomeCard(strings, 'en', 'ffeeddcc-0000-4000-8000-000000000002', handOver, {
      ...links,
      helpdesk: 'https://help.example.com/',
    });
    expect(JSON.stringify(other)).toContain(format(d.helpdeskNext, { reference: 'DX-FFEEDDCC' }));
    expect(JSON.stringify(other)).not.toContain('DX-A1B2C3D4');
    expect(JSON.stringify(other)).toContain(`"title":"${d.helpdeskLink}","url":"https://help.example.com/"`);
  });
});

describe('the application card', () => {
  it('keeps each method label with its own id when the directory lists the default method last', () => {
    const [phone, authenticator] = active(true).methods!;
    const card = renderApplicationCard(stringsFor('en'), {
      subject: { id: 'u1', displayName: 'Alex Wilber', isSelf: true },
      methods: [
        { id: 'phone-1', method: phone! },
        { id: 'authenticator-1', method: authenticator! },
      ],
      values: { lostMethods: 'authenticator-1' },
      diagnosisId: 'd-1',
    });
    let choices: Array<{ title: string; value: string }> = [];
    walk(card, (object) => {
      if (object.id === 'lostMethods') choices = object.choices;
    });
    expect(choices).toEqual([
      { title: 'Authenticator on iPhone 15 (default)', value: 'authenticator-1' },
      { title: 'Mobile phone +65 •••• 4567', value: 'phone-1' },
    ]);
  });
});

describe('the shapes cards are cached by', () => {
  it('keeps as data only the fields an expression reads other than as text', () => {
    expect([
      ...(structuralNames({
        text: 'Request ${reference}',
        $when: '${note != null}',
        style: '${!answered}',
      }) as Set<string>),
    ]).toEqual([]);
    expect(structuralNames({ color: "${if(tone == 'warning', 'Attention', 'Default')}" })).toEqual(
      new Set(['if', 'tone']),
    );
    expect(structuralNames({ $when: '${count(links) > 0}', text: '${string($index + 1)}' })).toEqual(
      new Set(['count', 'links', 'string', '$index']),
    );
    // An item or the root read as a whole could be a text: every text is then kept.
    expect(structuralNames({ $when: "${$data == 'x'}" })).toBe('all');
  });

  it('caches every card template by shape: none reads an item or the root as a whole', () => {
    for (const name of CARD_NAMES) expect(structuralNames(readCardTemplate(name))).not.toBe('all');
  });
});

describe('the cache of expanded cards', () => {
  it('holds no more than its budget of characters however many shapes come, and keeps the cards right', () => {
    const strings = stringsFor('en');
    for (let n = 0; n < 3_000; n++) {
      // A number in the data is part of the shape: every card here is a shape of its own.
      const card = renderNoticeCard({ title: `Request SIH-${n}`, body: 'x'.repeat(n % 7), tone: 'default' });
      expect(JSON.stringify(card)).toContain(`Request SIH-${n}`);
      renderCard('overdue-notice', {
        title: strings.overdue.reminderTitle,
        body: 'y'.repeat(2_000),
        link: null,
        details: { title: strings.overdue.details, requestId: `req-${n}`, count: n },
      });
      const { characters, limit } = cardCacheSize();
      expect(characters).toBeLessThanOrEqual(limit);
    }
    // A few MB at most, and spent: older shapes made way for newer ones.
    expect(cardCacheSize().limit).toBeLessThanOrEqual(2_000_000);
    expect(cardCacheSize().entries).toBeGreaterThan(0);
    expect(cardCacheSize().entries).toBeLessThan(3_000);
  });
});

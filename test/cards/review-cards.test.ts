import { formatText } from 'adaptivecards/lib/text-formatters.js';
import { describe, expect, it } from 'vitest';
import type { AdaptiveCard } from '../../src/cards/render-card.js';
import {
  renderInfoRequestCard,
  renderManagerConfirmationCard,
  renderReviewCard,
  withNotice,
  type RiskSignal,
} from '../../src/cards/review.js';
import { Verbs } from '../../src/cards/verbs.js';
import { format, stringsFor } from '../../src/content/strings/index.js';
import { LOCALES } from '../../src/domain/locale.js';
import { REQUEST_STATES, type RequestState } from '../../src/domain/requests/request.js';
import {
  allRiskSignals,
  callbackReviewView,
  fullReviewView,
  handOverAgents,
  infoView,
  managerView,
  minimalReviewView,
} from '../support/review-views.js';
import { objectsOf, scribbleOver } from '../support/card-tree.js';

const en = stringsFor('en');

const ofType = (card: AdaptiveCard, type: string) => objectsOf(card).filter((object) => object.type === type);
const textRuns = (card: AdaptiveCard): string[] => ofType(card, 'TextRun').map((run) => run.text);
const textBlocks = (card: AdaptiveCard): string[] => ofType(card, 'TextBlock').map((block) => block.text);
const allText = (card: AdaptiveCard): string[] => [...textRuns(card), ...textBlocks(card)];
const topLevelTitles = (card: AdaptiveCard): string[] => (card.actions ?? []).map((action: any) => action.title);
const inputs = (card: AdaptiveCard) => objectsOf(card).filter((object) => String(object.type).startsWith('Input.'));
/** The tinted band under the title that says where the request stands. */
const stateBadge = (card: AdaptiveCard): any => card.body[1];
/** The innermost container with a text block or run that says exactly `text`. */
const containerHolding = (card: AdaptiveCard, text: string): any =>
  ofType(card, 'Container')
    .filter((container) => objectsOf(container.items).some((object) => object.text === text))
    .at(-1);
/** A top-level action by title, with the form it opens. */
const actionTitled = (card: AdaptiveCard, title: string): any =>
  (card.actions ?? []).find((action: any) => action.title === title);

const OPEN_STATES: RequestState[] = ['submitted', 'awaiting_manager', 'pending_review'];

describe('review card', () => {
  it('shows no actions once a request is approved, or in any other state after the decision but failure', () => {
    const decided = REQUEST_STATES.filter((state) => !OPEN_STATES.includes(state) && state !== 'failed');
    expect(decided).toContain('approved');
    for (const state of decided) {
      const card = renderReviewCard(en, minimalReviewView({ state }));
      expect(card.actions, state).toEqual([]);
      expect(inputs(card), state).toEqual([]);
    }
  });

  it('offers only a retry when the reset needs attention, and says where it stopped', () => {
    const card = renderReviewCard(
      en,
      minimalReviewView({
        state: 'failed',
        version: 7,
        execution: {
          deliveredTo: undefined,
          error: { step: 'revoke sessions', status: 429, code: 'TooManyRequests', graphRequestId: 'req-9' },
        },
      }),
    );
    expect(card.actions?.map((action: any) => [action.verb, action.data])).toEqual([
      [Verbs.reviewRetry, { verb: Verbs.reviewRetry, requestId: 'req-1', version: 7 }],
    ]);
    expect(allText(card)).toEqual(
      expect.arrayContaining([
        en.review.execution.failed,
        'Stopped at "revoke sessions": 429 TooManyRequests.',
        'Microsoft Graph request id: req-9',
      ]),
    );
    const done = renderReviewCard(
      en,
      minimalReviewView({
        state: 'completed',
        execution: { deliveredTo: 'agent', issuerName: 'Isaiah Langer', error: undefined },
      }),
    );
    expect(allText(done)).toContain(format(en.review.execution.doneToAgent, { name: 'Isaiah Langer' }));
  });

  it('offers claim, a question and rejection in every open state', () => {
    for (const state of OPEN_STATES) {
      const titles = topLevelTitles(renderReviewCard(en, minimalReviewView({ state })));
      expect(titles, state).toEqual(expect.arrayContaining(['Claim', 'Ask for information', 'Reject']));
    }
  });

  it('offers approve only while pending review and not for manual-only subjects', () => {
    expect(topLevelTitles(renderReviewCard(en, minimalReviewView({ state: 'pending_review' })))).toEqual([
      'Claim',
      'Ask for information',
      'Approve',
      'Reject',
    ]);
    expect(topLevelTitles(renderReviewCard(en, minimalReviewView({ state: 'submitted' })))).not.toContain('Approve');
    expect(topLevelTitles(renderReviewCard(en, minimalReviewView({ state: 'awaiting_manager' })))).not.toContain(
      'Approve',
    );

    const manual = renderReviewCard(en, minimalReviewView({ state: 'pending_review', manualOnly: true }));
    expect(topLevelTitles(manual)).toEqual(['Claim', 'Ask for information', 'Reject']);
    expect(ofType(manual, 'Action.Execute').map((action) => action.verb)).not.toContain(Verbs.reviewApprove);
    expect(allText(manual)).toContain(en.review.manualOnly);
    // On a red band, in the default text colour.
    expect(containerHolding(manual, en.review.manualOnly)?.style).toBe('attention');
  });

  it('hides claim once claimed and says who claimed it', () => {
    const card = renderReviewCard(en, minimalReviewView({ claimedByName: 'Adele Vance' }));
    expect(topLevelTitles(card)).not.toContain('Claim');
    expect(ofType(card, 'Action.Execute').map((action) => action.verb)).not.toContain(Verbs.reviewClaim);
    expect(textRuns(card)).toContain('Claimed by Adele Vance');
    expect(textRuns(renderReviewCard(en, minimalReviewView()))).toContain('Not claimed yet');
  });

  it('puts the request id and the version it shows on every action and its fallback', () => {
    const card = renderReviewCard(en, minimalReviewView({ requestId: 'req-42', version: 9 }));
    const executes = ofType(card, 'Action.Execute');
    expect(executes.map((action) => action.verb)).toEqual([
      Verbs.reviewClaim,
      Verbs.reviewAskInfo,
      Verbs.reviewApprove,
      Verbs.reviewReject,
    ]);
    for (const action of executes) {
      expect(action.data).toEqual({ verb: action.verb, requestId: 'req-42', version: 9 });
      expect(action.fallback).toMatchObject({ type: 'Action.Submit', data: action.data });
    }
  });

  it('asks for the question, how the identity was verified, what was checked and the rejection reason', () => {
    const card = renderReviewCard(en, minimalReviewView());
    const byId = Object.fromEntries(inputs(card).map((input) => [input.id, input]));
    expect(Object.keys(byId).sort()).toEqual(['question', 'rejectReason', 'verification', 'verificationNote']);
    for (const id of ['question', 'verificationNote', 'rejectReason']) {
      expect(byId[id], id).toMatchObject({ type: 'Input.Text', isRequired: true, maxLength: 500 });
      expect(byId[id]!.errorMessage, id).toBeTruthy();
    }
    expect(byId.verification).toMatchObject({ type: 'Input.ChoiceSet', isRequired: true });
    expect(byId.verification!.choices.map((choice: any) => choice.value)).toEqual([
      'videoCall',
      'inPerson',
      'managerConfirmation',
      'callback',
    ]);
    expect(byId.verification!.choices[0].title).toBe('Video call, photo ID checked');
  });

  it('keeps a markdown link and a template expression in the note literal', () => {
    const typed = '[x](https://evil) ${subject.name}';
    const card = renderReviewCard(
      en,
      fullReviewView({
        note: `note ${typed}`,
        contact: `contact ${typed}`,
        manager: { name: 'Megan Bowen', status: 'declined', note: `manager ${typed}` },
        approvals: [{ agentName: 'Adele Vance', verification: 'videoCall', note: `approval ${typed}`, at: new Date() }],
        questions: [{ number: 1, askedByName: 'Lee Gu', text: `question ${typed}`, answer: `answer ${typed}` }],
        rejection: { byName: 'Lee Gu', reason: `rejection ${typed}` },
      }),
    );
    const runs = textRuns(card);
    for (const field of ['note', 'contact', 'manager', 'approval', 'question', 'answer', 'rejection']) {
      expect(
        runs.some((text) => text.includes(`${field} ${typed}`)),
        field,
      ).toBe(true);
    }
    expect(runs).toContain(`note ${typed}`);
    expect(textBlocks(card).filter((text) => text.includes('[x]') || text.includes('${'))).toEqual([]);
  });

  it("gives times for the reader's own Teams to show in their zone, never an age that goes stale on a shared card", () => {
    const submittedAt = new Date('2026-11-24T09:00:00.123Z');
    const approvedAt = new Date('2026-11-24T10:30:00Z');
    const later = (minutes: number) => new Date(submittedAt.getTime() + minutes * 60_000);
    const approval = { agentName: 'Adele Vance', verification: 'videoCall' as const, note: 'ok', at: approvedAt };
    const card = (locale: 'en' | 'ja', now: Date) =>
      renderReviewCard(stringsFor(locale), minimalReviewView({ submittedAt, now, approvals: [approval] }));

    const submitted = '{{DATE(2026-11-24T09:00:00Z, SHORT)}} {{TIME(2026-11-24T09:00:00Z)}}';
    const approved = '{{DATE(2026-11-24T10:30:00Z, SHORT)}} {{TIME(2026-11-24T10:30:00Z)}}';
    // In TextBlocks, where every client formats them; nothing says how long ago.
    expect(stateBadge(card('en', later(15))).items[1].text).toBe(`Submitted ${submitted}`);
    expect(textBlocks(card('en', later(15)))).toContain(`Approved ${approved}`);
    expect(stateBadge(card('ja', later(15))).items[1].text).toBe(`受付 ${submitted}`);
    expect(textBlocks(card('ja', later(15)))).toContain(`承認 ${approved}`);
    for (const locale of LOCALES) {
      const text = allText(card(locale, later(3 * 60))).join('\n');
      expect(text, locale).not.toMatch(/ago|前\)|UTC|協定世界時/);
      // The same card at any later moment: nothing in it ages.
      expect(card(locale, later(2 * 24 * 60)), locale).toEqual(card(locale, later(1)));
    }

    // The renderer of Teams on the web and of the Agents Playground turns them into the reader's date and time.
    expect(formatText('en-US', `Submitted ${submitted}`)).toBe(
      `Submitted ${submittedAt.toLocaleDateString('en-US', { day: 'numeric', weekday: 'short', month: 'short', year: 'numeric' })} ${submittedAt.toLocaleTimeString('en-US', { hour: 'numeric', minute: '2-digit' })}`,
    );
    expect(formatText('ja-JP', submitted)).not.toContain('{{');
  });

  it('names every state in words on a tinted band under the title, its text in the default colour', () => {
    const seen = new Set<string>();
    for (const state of REQUEST_STATES) {
      const badge = stateBadge(renderReviewCard(en, minimalReviewView({ state })));
      expect(badge.items[0], state).toMatchObject({
        type: 'TextBlock',
        text: en.review.states[state],
        weight: 'Bolder',
      });
      seen.add(en.review.states[state]);
    }
    expect(seen.size).toBe(REQUEST_STATES.length);
    expect(en.review.states.cancelled).toBe('Cancelled by the requester');
    const style = (overrides: Parameters<typeof minimalReviewView>[0]) =>
      stateBadge(renderReviewCard(en, minimalReviewView(overrides))).style;
    expect(style({ state: 'pending_review' })).toBe('emphasis');
    expect(style({ state: 'executing' })).toBe('accent');
    expect(style({ state: 'completed' })).toBe('good');
    expect(style({ state: 'rejected' })).toBe('attention');
    expect(style({ state: 'failed' })).toBe('attention');
    // Overdue turns the band amber and says so in bold, in the default colour.
    const overdue = stateBadge(renderReviewCard(en, minimalReviewView({ overdueAfterMs: 8 * 3_600_000 })));
    expect(overdue.style).toBe('warning');
    expect(overdue.items.at(-1)).toMatchObject({
      text: 'Overdue: waiting for review for more than 8 h',
      weight: 'Bolder',
    });
  });

  it('colours no text yellow or light green, which white backgrounds make hard to read', () => {
    const cards = LOCALES.flatMap((locale) => {
      const strings = stringsFor(locale);
      return [
        ...REQUEST_STATES.map((state) => renderReviewCard(strings, fullReviewView({ state }))),
        renderReviewCard(strings, minimalReviewView({ overdueAfterMs: 3_600_000 })),
        renderReviewCard(strings, callbackReviewView()),
        withNotice(renderReviewCard(strings, minimalReviewView()), { text: 'Refused.', tone: 'warning' }),
      ];
    });
    for (const card of cards) {
      const colours = objectsOf(card)
        .map((object) => object.color)
        .filter((colour) => colour !== undefined);
      expect(colours.filter((colour) => colour === 'Warning' || colour === 'Good')).toEqual([]);
    }
  });

  it('says the identity is not verified until enough agents approved, and stops saying so once decided', () => {
    const approval = fullReviewView().approvals[0]!;
    const lines = (overrides: Parameters<typeof minimalReviewView>[0]) =>
      allText(renderReviewCard(en, minimalReviewView(overrides)));
    expect(lines({})).toContain('Identity not verified yet');
    expect(lines({ approvalsNeeded: 2, approvals: [approval] })).toContain(
      '1 of 2 approvals recorded: another agent must verify the identity and approve',
    );
    const verified = lines({ approvalsNeeded: 1, approvals: [approval] });
    expect(verified.join('\n')).not.toMatch(/not verified|approvals recorded/);
    expect(lines({ state: 'rejected' })).not.toContain('Identity not verified yet');
  });

  it('shows the subject, who filed it, what was lost and how they offered to be verified', () => {
    const own = textRuns(renderReviewCard(en, minimalReviewView()));
    expect(own).toEqual(
      expect.arrayContaining([
        'Alex Wilber (alexw@contoso.example)',
        'The account holder themselves',
        'None listed',
        'None in the directory',
        'Phone lost or stolen',
        'Video call showing photo ID',
      ]),
    );
    const full = textRuns(renderReviewCard(en, fullReviewView()));
    expect(full).toEqual(
      expect.arrayContaining([
        'Finance',
        'Accountant',
        'Megan Bowen',
        'Authenticator on iPhone 15',
        'Mobile phone +65 •••• 4567',
        'Their manager confirms who they are',
      ]),
    );
  });

  it('leaves the note out when there is none', () => {
    expect(textBlocks(renderReviewCard(en, minimalReviewView()))).not.toContain("Requester's note");
    expect(textBlocks(renderReviewCard(en, fullReviewView()))).toContain("Requester's note");
  });

  it('pre-selects on the approve form the verification the requester offered; the agent can pick another', () => {
    for (const offered of ['videoCall', 'inPerson', 'managerConfirmation', 'callback'] as const) {
      const card = renderReviewCard(en, minimalReviewView({ verificationOffered: offered }));
      const choice = inputs(card).find((input) => input.id === 'verification')!;
      expect(choice.value, offered).toBe(offered);
      expect(choice.choices).toHaveLength(4);
    }
  });

  it('shows the numbers the directory holds for a call back to a number on file, apart from the contact typed', () => {
    const facts = (card: AdaptiveCard, label: string): string[] => {
      const row = ofType(card, 'ColumnSet').find((set) => set.columns[0].items[0].text === label);
      return row
        ? objectsOf(row.columns[1])
            .filter((o) => o.type === 'TextRun')
            .map((run) => run.text)
        : [];
    };
    const card = renderReviewCard(en, callbackReviewView());
    expect(facts(card, 'Numbers on file (directory)')).toEqual(['Mobile: +65 9123 4567', 'Work: +65 6601 2301']);
    // What the requester typed stays in its own line, said to be theirs, never among the numbers to call.
    expect(facts(card, 'Contact given by the requester')).toEqual(['call me on +65 8000 0000']);
    expect(facts(card, 'Numbers on file (directory)').join()).not.toContain('8000');

    const ja = renderReviewCard(stringsFor('ja'), callbackReviewView());
    expect(facts(ja, '登録済みの電話番号 (ディレクトリ)')).toEqual(['携帯: +65 9123 4567', '会社: +65 6601 2301']);
    expect(facts(ja, '連絡先 (申請者の入力)')).toEqual(['call me on +65 8000 0000']);

    const none = renderReviewCard(en, callbackReviewView({ phonesOnFile: { business: [], mobile: undefined } }));
    expect(facts(none, 'Numbers on file (directory)')).toEqual([en.review.noNumbersOnFile]);
    const unread = renderReviewCard(en, callbackReviewView({ phonesOnFile: undefined }));
    expect(facts(unread, 'Numbers on file (directory)')).toEqual([en.review.numbersUnavailable]);
    // Other ways of verifying need no number, so none is shown.
    const video = renderReviewCard(en, callbackReviewView({ verificationOffered: 'videoCall' }));
    expect(facts(video, 'Numbers on file (directory)')).toEqual([]);
    expect(facts(video, 'Contact given by the requester')).toEqual(['call me on +65 8000 0000']);
  });

  it('offers release and hand over on a claimed request, and assign with claim on one nobody claimed', () => {
    const claimed = renderReviewCard(en, callbackReviewView({ requestId: 'req-5', version: 4 }));
    expect(topLevelTitles(claimed)).toEqual(['Release claim', 'Hand over', 'Ask for information', 'Approve', 'Reject']);
    const release = actionTitled(claimed, 'Release claim');
    expect(release).toMatchObject({
      type: 'Action.Execute',
      verb: Verbs.reviewRelease,
      data: { verb: Verbs.reviewRelease, requestId: 'req-5', version: 4 },
      fallback: { type: 'Action.Submit', data: { verb: Verbs.reviewRelease, requestId: 'req-5', version: 4 } },
    });
    const handOver = actionTitled(claimed, 'Hand over');
    expect(handOver.type).toBe('Action.ShowCard');
    const picker = inputs(handOver.card)[0]!;
    expect(picker).toMatchObject({ type: 'Input.ChoiceSet', id: 'handOverTo', isRequired: true });
    expect(picker.errorMessage).toBe(en.review.actions.pickAgent);
    expect(picker.value).toBeUndefined();
    expect(picker.choices).toEqual(handOverAgents.map((agent) => ({ title: agent.name, value: agent.id })));
    expect(handOver.card.actions[0]).toMatchObject({
      verb: Verbs.reviewHandOver,
      data: { verb: Verbs.reviewHandOver, requestId: 'req-5', version: 4 },
    });

    const open = renderReviewCard(en, callbackReviewView({ claimedByName: undefined }));
    expect(topLevelTitles(open)).toEqual(['Claim', 'Assign', 'Ask for information', 'Approve', 'Reject']);
    expect(topLevelTitles(renderReviewCard(stringsFor('ja'), callbackReviewView()))).toEqual([
      '担当を外れる',
      '担当を引き継ぐ',
      '申請者に質問する',
      '承認',
      '却下',
    ]);
    // Nobody to offer (the directory did not answer, or the group has no one else): no hand-over form.
    expect(topLevelTitles(renderReviewCard(en, callbackReviewView({ handOverTo: [] })))).not.toContain('Hand over');
    expect(topLevelTitles(renderReviewCard(en, callbackReviewView({ handOverTo: undefined })))).not.toContain(
      'Hand over',
    );
    for (const state of ['approved', 'completed', 'rejected'] as const) {
      expect(topLevelTitles(renderReviewCard(en, callbackReviewView({ state }))), state).toEqual([]);
    }
  });

  it('says the risk signals of a decided request are those at the time of the decision', () => {
    const heading = (card: AdaptiveCard) => containerHolding(card, en.review.noRisks)?.items[0].text;
    expect(heading(renderReviewCard(en, minimalReviewView()))).toBe('Risk signals');
    expect(heading(renderReviewCard(en, minimalReviewView({ state: 'completed', risksAtDecision: true })))).toBe(
      'Risk signals at the time of the decision',
    );
    expect(textBlocks(renderReviewCard(stringsFor('ja'), fullReviewView()))).toContain('判断時点のリスクの兆候');
  });

  it('says when no risk signal was found', () => {
    const card = renderReviewCard(en, minimalReviewView());
    expect(textRuns(card)).toContain('No risk signals found');
    expect(ofType(card, 'TextRun').filter((run) => run.color === 'Attention')).toEqual([]);
  });

  it('every risk signal has a line in both languages', () => {
    const kinds = allRiskSignals.map((signal) => signal.kind);
    expect(new Set(kinds).size).toBe(7);
    for (const locale of LOCALES) {
      const strings = stringsFor(locale);
      const lineFor = (signal: RiskSignal): string => {
        const card = renderReviewCard(strings, minimalReviewView({ risks: [signal] }));
        const lines = ofType(card, 'TextRun').filter((run) => run.color === 'Attention');
        expect(lines, `${locale} ${signal.kind}`).toHaveLength(1);
        expect(textRuns(card)).not.toContain(strings.review.noRisks);
        return lines[0]!.text as string;
      };
      const lines = allRiskSignals.map(lineFor);
      expect(new Set(lines).size, locale).toBe(lines.length);
      expect(
        lines.every((line) => !/\{\w+\}/.test(line)),
        locale,
      ).toBe(true);
      expect(lines[0]).toContain('Global Administrator');
      expect(lines[1]).toContain('12');
      expect(lines[2]).toContain('2');
      expect(lines[3]).toContain('7');
      expect(lines[4]).toContain('3');
      const all = renderReviewCard(strings, minimalReviewView({ risks: allRiskSignals }));
      expect(ofType(all, 'TextRun').filter((run) => run.color === 'Attention')).toHaveLength(7);
    }
    expect(lineInEnglish({ kind: 'directoryUnavailable' })).toContain('could not be read');
    expect(lineInEnglish({ kind: 'failedSignIns', count: 12 })).toBe('• Failed sign-ins in the last 24 hours: 12');
  });

  it('warns on a red band under the state when the person reported a possible compromise, with what to check while open', () => {
    for (const locale of LOCALES) {
      const c = stringsFor(locale).review.compromise;
      const card = renderReviewCard(stringsFor(locale), minimalReviewView({ possibleCompromise: true }));
      const band = containerHolding(card, c.heading);
      expect(band?.style, locale).toBe('attention');
      expect(card.body.indexOf(band), locale).toBe(2);
      expect(allText(band), locale).toEqual(
        expect.arrayContaining([c.reported, c.checksHeading, ...c.checks.map((line) => `• ${line}`)]),
      );
      // Decided, it still says what was reported, no longer what to check before approving.
      const decided = renderReviewCard(
        stringsFor(locale),
        minimalReviewView({ possibleCompromise: true, state: 'completed' }),
      );
      expect(allText(decided), locale).toEqual(expect.arrayContaining([c.heading, c.reported]));
      expect(allText(decided), locale).not.toContain(c.checksHeading);
      expect(allText(renderReviewCard(stringsFor(locale), minimalReviewView())), locale).not.toContain(c.heading);
    }
    expect(en.review.compromise.checks.join(' ')).toMatch(/sign-ins.*password.*call back on a number on file/s);
  });

  it("shows the manager's answer and note", () => {
    const card = renderReviewCard(
      en,
      minimalReviewView({ manager: { name: 'Megan Bowen', status: 'declined', note: 'Not expected.' } }),
    );
    expect(textRuns(card)).toEqual(
      expect.arrayContaining([
        'Manager Megan Bowen declined: they did not expect this request',
        "Manager's note: Not expected.",
      ]),
    );
    const waiting = renderReviewCard(
      en,
      minimalReviewView({ manager: { name: 'Megan Bowen', status: 'waiting', note: undefined } }),
    );
    expect(textRuns(waiting)).toContain('Manager Megan Bowen: waiting for their confirmation');
    expect(textRuns(waiting).some((text) => text.startsWith("Manager's note"))).toBe(false);
  });

  it('lists each approval with its verification and time, each numbered question with its answer, and the rejection', () => {
    const runs = textRuns(renderReviewCard(en, fullReviewView()));
    expect(runs).toEqual(
      expect.arrayContaining([
        'Adele Vance · Video call, photo ID checked',
        'Photo ID matched.',
        'Lee Gu · Called back on a phone number already on file',
        'Question 1, from Adele Vance',
        'When did you lose it?',
        'Answer: Yesterday evening.',
        'Question 2, from Lee Gu',
        'No answer yet',
        'Rejected by Lee Gu',
        'Reason: The manager declined.',
      ]),
    );
    expect(textBlocks(renderReviewCard(en, fullReviewView()))).toEqual(
      expect.arrayContaining([
        'Approved {{DATE(2026-11-23T10:00:00Z, SHORT)}} {{TIME(2026-11-23T10:00:00Z)}}',
        'Approved {{DATE(2026-11-23T11:15:00Z, SHORT)}} {{TIME(2026-11-23T11:15:00Z)}}',
      ]),
    );
    const minimal = allText(renderReviewCard(en, minimalReviewView()));
    expect(minimal).not.toContain('Approvals');
    expect(minimal).not.toContain('Questions to the requester');
  });

  it('shows a notice first, on an amber band for a warning, and nothing when there is none', () => {
    const warning = withNotice(renderReviewCard(en, minimalReviewView()), {
      text: 'Already claimed.',
      tone: 'warning',
    });
    expect(warning.body[0]).toEqual({
      type: 'Container',
      style: 'warning',
      items: [{ type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: 'Already claimed.', weight: 'Bolder' }] }],
    });
    const plain = withNotice(renderReviewCard(en, minimalReviewView()), { text: 'Claimed.', tone: 'default' });
    expect(plain.body[0]).toMatchObject({ type: 'Container', style: 'emphasis' });
    expect((renderReviewCard(en, minimalReviewView()).body[0] as any).text).toBe('Reset request SIH-000123');
  });

  it("puts the clicker's notice on a copy: the card everyone sees is shared unchanged", () => {
    const shared = renderReviewCard(en, minimalReviewView());
    const clickers = withNotice(shared, { text: 'Approved.', tone: 'default' });

    expect(renderReviewCard(en, minimalReviewView())).toEqual(shared);
    expect(clickers.body.slice(1)).toEqual(shared.body);
    expect(shared.body).toHaveLength(clickers.body.length - 1);
  });

  it("is drawn from one expansion for every request of the same shape, each with its own texts, none changing another's", () => {
    const alex = renderReviewCard(en, minimalReviewView());
    const other = minimalReviewView({
      requestId: 'req-2',
      reference: 'SIH-000124',
      subject: { ...minimalReviewView().subject, name: 'Megan ${Bowen}', userPrincipalName: 'meganb@contoso.example' },
      contact: '\uE0000\uE001 +65 6000 0000',
      note: 'Lost it \uE0001\uE001 on the train',
    });
    const megan = renderReviewCard(en, other);
    const texts = JSON.stringify(megan);

    expect(texts).toContain('SIH-000124');
    expect(texts).toContain('Megan ${Bowen}');
    expect(texts).toContain('Lost it \uE0001\uE001 on the train');
    expect(texts).toContain('\uE0000\uE001 +65 6000 0000');
    expect(texts).not.toContain('Alex Wilber');
    expect(JSON.stringify(alex)).not.toContain('Megan');
    // A card's own objects can be changed without reaching the next card drawn from the same expansion.
    scribbleOver(alex);
    expect(renderReviewCard(en, other)).toEqual(megan);
  });
});

describe('manager confirmation card', () => {
  it('asks the manager with two buttons that carry the request id, and an optional note', () => {
    const card = renderManagerConfirmationCard(en, managerView({ requestId: 'req-7' }));
    expect(card.actions?.map((action: any) => [action.title, action.verb, action.data])).toEqual([
      ["It's genuine", Verbs.managerConfirm, { verb: Verbs.managerConfirm, requestId: 'req-7' }],
      ['Decline', Verbs.managerDecline, { verb: Verbs.managerDecline, requestId: 'req-7' }],
    ]);
    expect(inputs(card)).toEqual([expect.objectContaining({ type: 'Input.Text', id: 'managerNote', maxLength: 500 })]);
    expect(inputs(card)[0]!.isRequired).toBeFalsy();
    expect(allText(card)).toContain(
      'Please confirm this request is genuine. If you did not expect it, decline: the helpdesk will not reset anything.',
    );
  });

  it('names the direct report and who filed it, and says who asked by who filed it', () => {
    const own = textRuns(renderManagerConfirmationCard(en, managerView()));
    expect(own).toContain('Your direct report 佐藤 由紀 asked the helpdesk to reset their verification methods.');
    expect(own).toContain('佐藤 由紀 themselves');
    expect(own).toContain('SIH-000123');
    expect(own.join(' ')).not.toMatch(/someone/i);
    const byOther = textRuns(renderManagerConfirmationCard(en, managerView({ filerName: 'Lee Gu' })));
    expect(byOther).toContain(
      'Lee Gu asked the helpdesk to reset the verification methods of your direct report 佐藤 由紀.',
    );
    expect(byOther).toContain('Lee Gu');
    expect(byOther).not.toContain('佐藤 由紀 themselves');
    const ownJa = textRuns(renderManagerConfirmationCard(stringsFor('ja'), managerView()));
    expect(ownJa).toContain(
      '直属の部下の佐藤 由紀さんが、自分の本人確認の方法のリセットをヘルプデスクに申請しました。',
    );
    const byOtherJa = textRuns(renderManagerConfirmationCard(stringsFor('ja'), managerView({ filerName: 'Lee Gu' })));
    expect(byOtherJa).toContain(
      'Lee Guさんが、直属の部下の佐藤 由紀さんの本人確認の方法のリセットをヘルプデスクに申請しました。',
    );
  });

  it('the manager card has no buttons once answered', () => {
    const confirmed = renderManagerConfirmationCard(en, managerView({ answered: 'confirmed' }));
    expect(confirmed.actions).toEqual([]);
    expect(inputs(confirmed)).toEqual([]);
    expect(textRuns(confirmed).some((text) => text.startsWith('You confirmed this request'))).toBe(true);
    const declined = renderManagerConfirmationCard(en, managerView({ answered: 'declined' }));
    expect(declined.actions).toEqual([]);
    expect(textRuns(declined).some((text) => text.startsWith('You declined this request'))).toBe(true);
  });

  it('warns the manager of a possible compromise, by the report’s name, while asking them, and not once answered', () => {
    for (const locale of LOCALES) {
      const m = stringsFor(locale).review.manager;
      const card = renderManagerConfirmationCard(stringsFor(locale), managerView({ possibleCompromise: true }));
      const band = containerHolding(card, m.compromise.heading);
      expect(band?.style, locale).toBe('attention');
      expect(new Set(allText(band)), locale).toEqual(
        new Set([
          m.compromise.heading,
          format(m.compromise.reported, { name: '佐藤 由紀' }),
          format(m.compromise.advice, { name: '佐藤 由紀' }),
        ]),
      );
      // Above the question it qualifies.
      const texts = allText(card);
      expect(texts.indexOf(m.compromise.heading), locale).toBeLessThan(texts.indexOf(m.ask));
      expect(card.actions, locale).toHaveLength(2);
      const answered = renderManagerConfirmationCard(
        stringsFor(locale),
        managerView({ possibleCompromise: true, answered: 'confirmed' }),
      );
      expect(allText(answered), locale).not.toContain(m.compromise.heading);
      expect(allText(renderManagerConfirmationCard(stringsFor(locale), managerView())), locale).not.toContain(
        m.compromise.heading,
      );
    }
  });

  it('still asks while the answer is waiting', () => {
    expect(renderManagerConfirmationCard(en, managerView({ answered: 'waiting' })).actions).toHaveLength(2);
  });

  it('keeps the note literal', () => {
    const note = '[x](https://evil) ${subject.name}';
    const card = renderManagerConfirmationCard(en, managerView({ note }));
    expect(textRuns(card)).toContain(note);
    expect(textBlocks(card).filter((text) => text.includes('[x]') || text.includes('${'))).toEqual([]);
  });
});

describe('info request card', () => {
  it('asks with a required answer box and sends the request id and question number', () => {
    const card = renderInfoRequestCard(en, infoView({ requestId: 'req-9', questionNumber: 3 }));
    expect(textRuns(card)).toEqual(
      expect.arrayContaining([
        'The helpdesk has a question about your request SIH-000123.',
        'Question 3, from Adele Vance:',
        'Which office are you in?',
      ]),
    );
    expect(inputs(card)).toEqual([
      expect.objectContaining({ type: 'Input.Text', id: 'answer', isRequired: true, maxLength: 500, value: '' }),
    ]);
    expect(card.actions?.map((action: any) => action.data)).toEqual([
      { verb: Verbs.infoAnswer, requestId: 'req-9', question: 3 },
    ]);
  });

  it('the info card keeps typed text and shows the problem', () => {
    const required = renderInfoRequestCard(en, infoView({ typed: '  ', problem: 'required' }));
    expect(inputs(required)[0]!.value).toBe('  ');
    expect(textBlocks(required)).toContain('Please write an answer.');

    const long = 'y'.repeat(600);
    const tooLong = renderInfoRequestCard(en, infoView({ typed: long, problem: 'tooLong' }));
    expect(inputs(tooLong)[0]!.value).toBe(long);
    expect(textBlocks(tooLong)).toContain('At most 500 characters.');
    expect(textBlocks(renderInfoRequestCard(stringsFor('ja'), infoView({ problem: 'tooLong' })))).toContain(
      '500 文字以内で入力してください。',
    );

    const fresh = renderInfoRequestCard(en, infoView());
    expect(ofType(fresh, 'TextBlock').filter((block) => block.color === 'Attention')).toEqual([]);
  });

  it('shows the answer and no input once answered', () => {
    const card = renderInfoRequestCard(en, infoView({ answer: 'Singapore.' }));
    expect(card.actions).toEqual([]);
    expect(inputs(card)).toEqual([]);
    expect(textBlocks(card)).toContain('Your answer');
    expect(textRuns(card)).toContain('Singapore.');
  });

  it('keeps the question and the answer literal', () => {
    const typed = '[x](https://evil) ${subject.name}';
    const card = renderInfoRequestCard(en, infoView({ question: `q ${typed}`, answer: `a ${typed}` }));
    expect(textRuns(card)).toEqual(expect.arrayContaining([`q ${typed}`, `a ${typed}`]));
    expect(textBlocks(card).filter((text) => text.includes('[x]') || text.includes('${'))).toEqual([]);
  });
});

function lineInEnglish(signal: RiskSignal): string {
  const card = renderReviewCard(en, minimalReviewView({ risks: [signal] }));
  return ofType(card, 'TextRun').find((run) => run.color === 'Attention')!.text;
}

import type { TurnContext } from 'botbuilder';
import { renderDiagnosisRecordCard } from '../../cards/diagnosis-record.js';
import { renderNoticeCard } from '../../cards/notice.js';
import { channelMessageLink, renderQueueCard } from '../../cards/queue.js';
import type { AdaptiveCard } from '../../cards/render-card.js';
import { peopleIn, renderRequestStatusCard, type ViewerContext } from '../../cards/request-status.js';
import { renderStatisticsCard } from '../../cards/statistics.js';
import { format, stringsFor, type Strings } from '../../content/strings/index.js';
import { diagnosisReference } from '../../domain/diagnosis/diagnosis-reference.js';
import type { Locale } from '../../domain/locale.js';
import type { StatisticsPeriod } from '../../domain/requests/statistics.js';
import type { StatusLookup } from '../../domain/requests/status-service.js';
import type { TeamsDeps } from '../deps.js';
import { turnIdentity, turnLocale, type TurnIdentity } from '../turn-context.js';
import { timeFormatter } from '../viewer-time.js';

/**
 * The status answers (my requests, my team, status, queue, statistics, diagnosis look-up): each
 * asks the status service once, looks the people it names up in the directory at once, and draws
 * the card in the viewer's language and time zone.
 */

/** The person's own requests and those they filed, each with its timeline. */
export async function myRequestsCard(context: TurnContext, deps: TeamsDeps): Promise<AdaptiveCard> {
  const asked = askedInPrivate(context, deps);
  if ('card' in asked) return asked.card;
  const { identity, strings } = asked;
  const requests = await deps.status.mine(identity);
  const viewer = await viewerOf(context, deps, peopleIn(requests));
  return renderRequestStatusCard(
    viewer,
    {
      title: strings.requests.title,
      intro: requests.length > 0 ? [strings.status.mineIntro] : [],
      none: strings.requests.none,
      headingWithSubject: false,
    },
    requests,
  );
}

/** The requests about the person's direct reports, as their line manager may see them. */
export async function teamCard(context: TurnContext, deps: TeamsDeps): Promise<AdaptiveCard> {
  const asked = askedInPrivate(context, deps);
  if ('card' in asked) return asked.card;
  const { identity, strings } = asked;
  const result = await deps.status.team(identity);
  if (result.kind === 'directoryUnavailable') return unavailable(strings);
  if (result.kind === 'noReports') {
    return renderNoticeCard({ title: strings.myTeam.noReportsTitle, body: strings.myTeam.noReports, tone: 'default' });
  }
  const viewer = await viewerOf(context, deps, peopleIn(result.requests), result.names);
  const count = String(result.reports);
  return renderRequestStatusCard(
    viewer,
    {
      title: strings.myTeam.title,
      intro: [format(strings.myTeam.intro, { count }), strings.myTeam.privacy],
      none: format(strings.myTeam.none, { count }),
      headingWithSubject: true,
    },
    result.requests,
  );
}

/** One request by the reference the person typed. */
export async function statusCard(context: TurnContext, deps: TeamsDeps, reference: string): Promise<AdaptiveCard> {
  const asked = askedInPrivate(context, deps);
  if ('card' in asked) return asked.card;
  const lookup = await deps.status.status(asked.identity, reference);
  return lookupCard(context, deps, lookup, reference.trim().toUpperCase());
}

/**
 * One request by its id (a button), optionally with a line on top; undefined when the person may
 * not see it, so the caller can answer as it would have.
 */
export async function statusByIdCard(
  context: TurnContext,
  deps: TeamsDeps,
  requestId: unknown,
  notice?: string,
): Promise<AdaptiveCard | undefined> {
  const identity = turnIdentity(context);
  if (!identity) return undefined;
  const lookup = await deps.status.statusById(identity, requestId);
  return lookup.kind === 'shown' ? lookupCard(context, deps, lookup, lookup.status.reference, notice) : undefined;
}

/** The helpdesk queue, for agents and leads. */
export async function queueCard(context: TurnContext, deps: TeamsDeps): Promise<AdaptiveCard> {
  const asked = askedInPrivate(context, deps);
  if ('card' in asked) return asked.card;
  const { identity, strings } = asked;
  const result = await deps.status.queue(identity);
  if (result.kind === 'directoryUnavailable') return unavailable(strings);
  if (result.kind === 'notAllowed') {
    return renderNoticeCard({ title: strings.queue.notAllowedTitle, body: strings.queue.notAllowed, tone: 'warning' });
  }
  const requests = result.sections.flatMap((section) => section.requests);
  const viewer = await viewerOf(context, deps, peopleIn(requests));
  const links = new Map(result.posts.map((post) => [post.requestId, channelMessageLink(post)]));
  return renderQueueCard(viewer, { sections: result.sections, links });
}

/** The statistics of the last `days` days, for leads. */
export async function statisticsCard(
  context: TurnContext,
  deps: TeamsDeps,
  days: StatisticsPeriod,
): Promise<AdaptiveCard> {
  const asked = askedInPrivate(context, deps);
  if ('card' in asked) return asked.card;
  const { identity, strings, locale } = asked;
  const result = await deps.status.statistics(identity, days);
  if (result.kind === 'directoryUnavailable') return unavailable(strings);
  if (result.kind === 'notAllowed') {
    return renderNoticeCard({ title: strings.stats.notAllowedTitle, body: strings.stats.notAllowed, tone: 'warning' });
  }
  const names = await lookUpNames(
    deps,
    result.statistics.decisionsByAgent.map((agent) => agent.agentId),
  );
  return renderStatisticsCard(
    {
      strings,
      locale,
      names,
      outcomeTitle: (id) => {
        const node = deps.knowledge.nodes.find((candidate) => candidate.id === id);
        return node?.kind === 'outcome' ? node.title[locale] : id;
      },
    },
    result.statistics,
  );
}

/** A diagnosis by the DX-… reference a person read out, for the helpdesk. */
export async function diagnosisCard(context: TurnContext, deps: TeamsDeps, reference: string): Promise<AdaptiveCard> {
  const asked = askedInPrivate(context, deps);
  if ('card' in asked) return asked.card;
  const { identity, strings, locale } = asked;
  const normalised = reference.trim().toUpperCase();
  const result = await deps.status.diagnosis(identity, normalised);
  if (result.kind === 'directoryUnavailable') return unavailable(strings);
  if (result.kind === 'notAllowed') {
    return renderNoticeCard({
      title: normalised.slice(0, 20),
      body: strings.diagnosisRecord.notAllowed,
      tone: 'default',
    });
  }
  if (result.kind === 'notFound') {
    return renderNoticeCard({
      title: strings.diagnosisRecord.notFoundTitle,
      body: format(strings.diagnosisRecord.notFound, { reference: normalised.slice(0, 20) }),
      tone: 'default',
    });
  }
  const names = await lookUpNames(
    deps,
    result.diagnoses.map((diagnosis) => diagnosis.userId),
  );
  return renderDiagnosisRecordCard(
    {
      strings,
      locale,
      knowledge: deps.knowledge,
      names,
      formatTime: timeFormatter(context, locale),
      referenceOf: diagnosisReference,
    },
    result.diagnoses,
  );
}

async function lookupCard(
  context: TurnContext,
  deps: TeamsDeps,
  lookup: StatusLookup,
  reference: string,
  notice?: string,
): Promise<AdaptiveCard> {
  const strings = stringsOf(context, deps);
  if (lookup.kind === 'directoryUnavailable') return unavailable(strings);
  if (lookup.kind === 'notFound') {
    return renderNoticeCard({
      title: strings.status.notFoundTitle,
      body: format(strings.status.notFound, { reference: reference.slice(0, 20) }),
      tone: 'default',
    });
  }
  const { status } = lookup;
  const viewer = await viewerOf(context, deps, peopleIn([status]));
  return renderRequestStatusCard(
    viewer,
    {
      title: format(strings.status.title, { reference: status.reference }),
      intro: [],
      none: '',
      notice,
      headingWithSubject: status.audience !== 'requester' || status.filerId !== status.subjectId,
    },
    [status],
  );
}

/** How this viewer reads the people and times on a card. */
async function viewerOf(
  context: TurnContext,
  deps: TeamsDeps,
  people: Iterable<string>,
  known: ReadonlyMap<string, string> = new Map(),
): Promise<ViewerContext> {
  const locale = localeOf(context, deps);
  const missing = [...people].filter((id) => !known.has(id));
  const found = await lookUpNames(deps, missing);
  return {
    strings: stringsFor(locale),
    viewerId: turnIdentity(context)?.userId ?? '',
    names: new Map([...known, ...found]),
    formatTime: timeFormatter(context, locale),
    now: deps.clock.now(),
    reviewSlaMs: deps.config.reviewSlaMs,
  };
}

/** Display names from the directory, all asked at once; a person it does not answer for is left out. */
async function lookUpNames(deps: TeamsDeps, ids: Iterable<string>): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  const directory = deps.directory;
  if (!directory) return new Map();
  const users = await Promise.all(unique.map((id) => directory.getUser(id).catch(() => undefined)));
  return new Map(users.flatMap((user) => (user?.displayName ? [[user.id, user.displayName] as const] : [])));
}

function localeOf(context: TurnContext, deps: TeamsDeps): Locale {
  return turnLocale(context, deps.config.defaultLocale);
}

function stringsOf(context: TurnContext, deps: TeamsDeps): Strings {
  return stringsFor(localeOf(context, deps));
}

function unavailable(strings: Strings): AdaptiveCard {
  return renderNoticeCard({
    title: strings.status.unavailableTitle,
    body: strings.status.directoryUnavailable,
    tone: 'warning',
  });
}

/**
 * Who asks, in their language; or the card that answers instead. Requests are about people's
 * accounts: they are shown in the person's 1:1 chat with the bot, never in a channel or group chat
 * where others read along.
 */
function askedInPrivate(
  context: TurnContext,
  deps: TeamsDeps,
): { identity: TurnIdentity; locale: Locale; strings: Strings } | { card: AdaptiveCard } {
  const identity = turnIdentity(context);
  const locale = localeOf(context, deps);
  const strings = stringsFor(locale);
  if (!identity) {
    return {
      card: renderNoticeCard({ title: strings.errors.title, body: strings.refusals.missingIdentity, tone: 'warning' }),
    };
  }
  if (context.activity.conversation.conversationType !== 'personal') {
    return {
      card: renderNoticeCard({
        title: strings.status.privateOnlyTitle,
        body: strings.status.privateOnly,
        tone: 'default',
      }),
    };
  }
  return { identity, locale, strings };
}

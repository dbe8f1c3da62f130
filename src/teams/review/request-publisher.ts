import { renderNoticeCard } from '../../cards/notice.js';
import { Verbs } from '../../cards/verbs.js';
import { formatHours } from '../../cards/format-time.js';
import { renderOverdueNoticeCard } from '../../cards/overdue-notice.js';
import { channelMessageLink } from '../../cards/queue.js';
import type { OverdueNotifier } from '../../domain/requests/service-levels.js';
import type { ExecutionJobRepository } from '../../domain/requests/ports.js';
import type { AdaptiveCard } from '../../cards/render-card.js';
import {
  renderInfoRequestCard,
  renderManagerConfirmationCard,
  renderReviewCard,
  withNotice,
  type ReviewNotice,
} from '../../cards/review.js';
import { format, stringsFor, type Strings } from '../../content/strings/index.js';
import { resolveLocale, type Locale } from '../../domain/locale.js';
import type { ConversationAddressRepository, Directory } from '../../domain/ports.js';
import type {
  ApprovalChannel,
  ApprovalChannelRepository,
  ChannelPost,
  RequestRepository,
} from '../../domain/requests/ports.js';
import { isOverdue } from '../../domain/requests/queue.js';
import { OPEN_STATES, type RequestState, type ResetRequest } from '../../domain/requests/request.js';
import type { RequestNews, RequestNotifier, ReviewFacts } from '../../domain/requests/review-service.js';
import type { ReviewFactsReader } from '../../domain/requests/review-facts.js';
import type { Clock } from '../../domain/ports.js';
import type { BackgroundTasks } from '../../jobs/background-tasks.js';
import type { Logger } from '../../logging/create-logger.js';
import { KeyedSerialQueue } from '../keyed-serial-queue.js';
import {
  ChannelUnavailableError,
  ConnectorBusyError,
  MessageGoneError,
  type TeamsMessenger,
} from '../proactive/messenger.js';
import {
  buildInfoRequestView,
  buildManagerConfirmationView,
  buildReviewView,
  nameOf,
  type PeopleCache,
} from './review-view.js';

export interface RequestPublisherOptions {
  /** Reads what the card of a request shows. */
  facts: ReviewFactsReader;
  requests: RequestRepository;
  channels: ApprovalChannelRepository;
  addresses: ConversationAddressRepository;
  directory: Directory | undefined;
  messenger: TeamsMessenger;
  tasks: BackgroundTasks;
  clock: Clock;
  logger: Logger;
  /** This instance, as the owner of its claims on posting cards (ApprovalChannelRepository.claimPost). */
  owner: string;
  defaultLocale: Locale;
  /** Where to post before anyone ran `set approval channel`. */
  configuredChannel: { teamId: string; channelId: string } | undefined;
  /** Where the execution of approved requests stands, for the channel card. */
  executionJobs?: ExecutionJobRepository;
  /** Requests expire after this many days; the expiry notice says so. */
  expiryDays: number;
  /** Requests pending review longer than this are overdue (REVIEW_SLA_HOURS). */
  reviewSlaMs: number;
}

/** States in which the card shows how carrying out the reset goes. */
const AFTER_APPROVAL: readonly RequestState[] = ['executing', 'completed', 'failed'];

/** How many waiting requests one backlog run posts. */
const BACKLOG_BATCH = 50;

/**
 * How long a claim on posting a card holds another instance off: far longer than a post takes. A post that failed
 * keeps its claim until then (this instance's retries claim again as its owner); after it, the backlog posts it.
 */
const POST_CLAIM_LEASE_MS = 120_000;

/**
 * How a try to show a request's card in the channel ended: `shown`; `postedElsewhere` when another instance
 * holds the claim on posting it, or posted it meanwhile; `waiting` when it could not be shown now (no channel,
 * the bot removed, the Bot Connector failing), so that it waits for a retry or the backlog.
 */
type CardOutcome = 'shown' | 'postedElsewhere' | 'waiting';

/** The waits before each new try of a channel card the Bot Connector failed on: quick, then backing off. */
export const CHANNEL_RETRY_WAITS_MS: readonly number[] = [5_000, 15_000, 45_000];

/** A `Retry-After` longer than this is left to the backlog job rather than waited for here. */
const LONGEST_CHANNEL_RETRY_WAIT_MS = 60_000;

/**
 * How long to wait before the next try of a channel card, after `retries` earlier retries and
 * with the wait the service asked for, if any; undefined when it is time to stop trying here.
 */
export function channelRetryWait(retries: number, retryAfterMs: number | undefined): number | undefined {
  const backoff = CHANNEL_RETRY_WAITS_MS[retries];
  if (backoff === undefined) return undefined;
  const wait = Math.max(backoff, retryAfterMs ?? 0);
  return wait <= LONGEST_CHANNEL_RETRY_WAIT_MS ? wait : undefined;
}

/** Why a channel card is drawn: `late` once the request's first post was delayed (retries, the backlog). */
interface ChannelAttempt {
  late: boolean;
  /** Retries before this one. */
  retries: number;
}

const FIRST_ATTEMPT: ChannelAttempt = { late: false, retries: 0 };

/** The card everyone sees, as drawn with a click's facts: which request version, for which language. */
interface DrawnCard {
  requestId: string;
  version: number;
  locale: Locale;
  overdue: boolean;
  card: AdaptiveCard;
}

/**
 * Tells people about changes to requests, after the turn that made them has been answered:
 * the request's card in the approval channel (posted once, then updated for everyone) and
 * notices in the 1:1 chats of the requester and, where involved, the subject's manager.
 * Work for one request runs in order, and the card is always drawn from the stored request,
 * so a late update never shows an older state.
 */
export class RequestPublisher implements RequestNotifier, OverdueNotifier {
  private readonly perRequest = new KeyedSerialQueue();
  /** Channel cards the Bot Connector failed on, by request: when to try again and how many retries came before. */
  private readonly channelRetries = new Map<string, { dueAt: number; retries: number }>();
  /** Retries of channel cards in progress. */
  private readonly retriesRunning = new Set<Promise<void>>();
  /**
   * The card a click's answer drew, by the facts the click read: the channel update that follows draws the same
   * stored version with the same facts and takes it, instead of building and expanding it again. Kept as long as
   * those facts are, which is as long as the click's answer and announcement need them.
   */
  private readonly drawnWith = new WeakMap<ReviewFacts, DrawnCard>();

  constructor(private readonly options: RequestPublisherOptions) {}

  announce(request: ResetRequest, news: RequestNews, facts?: ReviewFacts): void {
    const known = facts && { version: request.version, facts };
    this.options.tasks.run(`announce ${news.kind}`, () =>
      this.perRequest.run(request.id, async () => {
        // The channel's card and the people's notices do not wait for each other.
        const [card, notices] = await Promise.allSettled([
          this.refreshChannelCard(request.id, FIRST_ATTEMPT, known),
          this.tellPeople(request, news),
        ]);
        if (card.status === 'rejected') throw card.reason;
        if (notices.status === 'rejected') throw notices.reason;
      }),
    );
  }

  /** The approval channel of the tenant: the one set with the command, else the configured one. */
  async channelFor(tenantId: string): Promise<ApprovalChannel | undefined> {
    const stored = await this.options.channels.find(tenantId);
    if (stored) return stored;
    const configured = this.options.configuredChannel;
    if (!configured) return undefined;
    const serviceUrl = await this.serviceUrlFor(tenantId, configured.teamId);
    if (!serviceUrl) return undefined;
    return {
      tenantId,
      teamId: configured.teamId,
      channelId: configured.channelId,
      serviceUrl,
      locale: this.options.defaultLocale,
      setBy: 'configuration',
      setAt: new Date(0),
      unavailableSince: undefined,
    };
  }

  /**
   * Posts every open request of the tenant that has no card in its channel yet, oldest first.
   * Returns how many were posted; stops at the first failure (the rest wait for the next run).
   */
  async postBacklog(tenantId: string): Promise<number> {
    const channel = await this.channelFor(tenantId);
    if (!channel || channel.unavailableSince) return 0;
    const waiting = await this.options.channels.unposted(tenantId, channel.channelId, [...OPEN_STATES], BACKLOG_BATCH);
    let posted = 0;
    for (const requestId of waiting) {
      const outcome = await this.perRequest.run(requestId, () =>
        this.refreshChannelCard(requestId, { late: true, retries: 0 }),
      );
      // Another instance posts that one (announcing it, or running the backlog too): this one goes on with the next.
      if (outcome === 'waiting') break;
      if (outcome === 'shown') posted += 1;
    }
    return posted;
  }

  /**
   * Tries again, now, the channel cards whose wait after a failure of the Bot Connector is over,
   * and resolves once those tries (and any still running) are done. Returns how many it started.
   */
  async retryDuePosts(): Promise<number> {
    const now = this.options.clock.now().getTime();
    const due = [...this.channelRetries].filter(([, retry]) => retry.dueAt <= now);
    for (const [requestId, { retries }] of due) {
      this.channelRetries.delete(requestId);
      const attempt = new Promise<void>((resolve) =>
        this.options.tasks.run('retry channel card', () =>
          this.perRequest
            .run(requestId, () => this.refreshChannelCard(requestId, { late: true, retries }))
            .then(() => undefined)
            .finally(resolve),
        ),
      );
      this.retriesRunning.add(attempt);
      void attempt.then(() => this.retriesRunning.delete(attempt));
    }
    await Promise.all([...this.retriesRunning]);
    return due.length;
  }

  /** Posts the backlog after the current turn has been answered. */
  postBacklogLater(tenantId: string): void {
    this.options.tasks.run('post backlog', async () => {
      const posted = await this.postBacklog(tenantId);
      if (posted > 0) this.options.logger.info({ tenantId, posted }, 'posted requests that waited for the channel');
    });
  }

  /**
   * The bot was added to a team again: if it holds the tenant's approval channel, which had
   * refused the bot, tell the agents there that it works again and post what waited.
   */
  teamJoined(tenantId: string, teamId: string): void {
    this.options.tasks.run('approval channel back', async () => {
      const { channels, messenger, logger } = this.options;
      const channel = await channels.find(tenantId);
      if (!channel || channel.teamId !== teamId || !channel.unavailableSince) return;
      const available = { ...channel, unavailableSince: undefined };
      const waiting = await channels.unposted(tenantId, channel.channelId, [...OPEN_STATES], 1_000);
      const strings = stringsFor(resolveLocale(channel.locale, this.options.defaultLocale));
      const body = format(strings.approval.channel.backlog, { count: String(waiting.length) });
      await messenger.postCard(
        available,
        renderNoticeCard({ title: strings.approval.channel.backTitle, body, tone: 'default' }),
      );
      await channels.save(available);
      logger.info({ tenantId, waiting: waiting.length }, 'the approval channel works again');
      await this.postBacklog(tenantId);
    });
  }

  /**
   * The request waits for review past the service level: a reply under its card in the channel,
   * and the card redrawn with its overdue mark. False when it has no card in a working channel yet.
   */
  async remindChannel(request: ResetRequest): Promise<boolean> {
    const { channels, messenger, directory } = this.options;
    const channel = await this.channelFor(request.tenantId);
    const post = await channels.findPost(request.id);
    if (!channel || channel.unavailableSince || !post || post.channelId !== channel.channelId) return false;
    const strings = stringsFor(resolveLocale(channel.locale, this.options.defaultLocale));
    const subject = await nameOf(directory, new Map(), request.application.subjectId);
    const card = renderOverdueNoticeCard({
      title: format(strings.overdue.reminderTitle, { reference: request.reference }),
      body: format(strings.overdue.reminderBody, { subject, hours: formatHours(this.options.reviewSlaMs) }),
      link: undefined,
      details: undefined,
    });
    try {
      await messenger.replyInThread(post, card);
    } catch (error) {
      if (error instanceof ChannelUnavailableError) {
        await channels.markUnavailable(request.tenantId, this.options.clock.now());
        return false;
      }
      throw error;
    }
    await this.perRequest.run(request.id, () => this.refreshChannelCard(request.id));
    return true;
  }

  /** Tells each lead, in their 1:1 chat and language, that a request waits twice the service level. */
  async tellLeads(request: ResetRequest, leadIds: readonly string[]): Promise<number> {
    const { addresses, messenger, directory, channels, logger, reviewSlaMs } = this.options;
    const subject = await nameOf(directory, new Map(), request.application.subjectId);
    const post = await channels.findPost(request.id);
    let reached = 0;
    for (const leadId of leadIds) {
      const address = await addresses.find(request.tenantId, `user:${leadId}`);
      if (!address) continue;
      const strings = stringsFor(resolveLocale(address.locale, this.options.defaultLocale));
      const card = renderOverdueNoticeCard({
        title: format(strings.overdue.leadTitle, { reference: request.reference }),
        body: format(strings.overdue.leadBody, {
          subject,
          hours: formatHours(2 * reviewSlaMs),
          sla: formatHours(reviewSlaMs),
        }),
        link: post ? { url: channelMessageLink(post), title: strings.overdue.openInChannel } : undefined,
        details: { title: strings.overdue.details, requestId: request.id },
      });
      try {
        await messenger.sendCard(address.reference, card);
        reached += 1;
      } catch (error) {
        logger.warn({ err: error, requestId: request.id }, 'could not tell a helpdesk lead about an overdue request');
      }
    }
    return reached;
  }

  /**
   * The card of a request now, with a line just for the agent who clicked. `facts` are those the
   * click read (its answer draws the card without asking the directory again); without them they
   * are read now.
   */
  async reviewCard(request: ResetRequest, locale: Locale, notice?: ReviewNotice, facts?: ReviewFacts) {
    const shared = await this.sharedCard(request, locale, facts);
    return notice ? withNotice(shared, notice) : shared;
  }

  /**
   * The card everyone sees. Drawn with a click's facts, it is drawn once for the request's version and language:
   * what else goes into it (the overdue mark, the reset's progress) is checked or left out of the sharing.
   */
  private async sharedCard(request: ResetRequest, locale: Locale, facts: ReviewFacts | undefined) {
    // After approval the card shows the reset's progress, which moves on without a new version of the request.
    const sharable = facts !== undefined && !AFTER_APPROVAL.includes(request.state);
    const drawn = sharable ? this.drawnWith.get(facts) : undefined;
    if (
      drawn?.requestId === request.id &&
      drawn.version === request.version &&
      drawn.locale === locale &&
      drawn.overdue === isOverdue(request, this.options.reviewSlaMs, this.options.clock.now())
    ) {
      return drawn.card;
    }
    const strings = stringsFor(locale);
    const view = await this.view(request, strings, facts);
    const card = renderReviewCard(strings, view);
    if (sharable) {
      const overdue = view.overdueAfterMs !== undefined;
      this.drawnWith.set(facts, { requestId: request.id, version: request.version, locale, overdue, card });
    }
    return card;
  }

  /**
   * Posts the request's card to the channel, or updates the one posted there. Waiting when it
   * could not: no channel yet, or the bot was removed (the request then waits in the backlog), or
   * the Bot Connector failed for a moment (it is tried again within a minute, then left to the
   * backlog). A new card is posted under a claim, so that of several instances one posts it.
   * When a request's first post comes late, its requester hears that it arrived.
   */
  private async refreshChannelCard(
    requestId: string,
    attempt: ChannelAttempt = FIRST_ATTEMPT,
    known?: { version: number; facts: ReviewFacts },
  ): Promise<CardOutcome> {
    const { requests, channels, messenger, logger, clock } = this.options;
    const request = await requests.find(requestId);
    if (!request) return 'waiting';
    const channel = await this.channelFor(request.tenantId);
    if (!channel || channel.unavailableSince) {
      logger.info({ requestId, reference: request.reference }, 'no approval channel yet; the request waits');
      return 'waiting';
    }
    // The facts a click was just checked against, while the request is still the version it made.
    const facts = known?.version === request.version ? known.facts : undefined;
    const card = await this.reviewCard(
      request,
      resolveLocale(channel.locale, this.options.defaultLocale),
      undefined,
      facts,
    );
    const post = await channels.findPost(request.id);
    try {
      const updated =
        post && post.channelId === channel.channelId
          ? await messenger.updateCard(post, card).then(
              () => true,
              (error: unknown) => {
                if (error instanceof MessageGoneError) return false;
                throw error;
              },
            )
          : false;
      if (!updated) {
        if (!(await this.claimPost(request, channel, post))) return 'postedElsewhere';
        const created = await messenger.postCard(channel, card);
        await channels.savePost({ ...created, requestId: request.id, postedAt: clock.now() });
        logger.info({ requestId, reference: request.reference }, 'request posted to the approval channel');
        if (!post && attempt.late && OPEN_STATES.has(request.state)) await this.tellReachedLate(request);
      }
      this.channelRetries.delete(request.id);
      return 'shown';
    } catch (error) {
      if (error instanceof ChannelUnavailableError) {
        await channels.markUnavailable(request.tenantId, clock.now());
        logger.warn(
          { requestId, status: error.status, connectorCode: error.connectorCode },
          'the approval channel refused the bot; requests wait until it is set again',
        );
        return 'waiting';
      }
      if (error instanceof ConnectorBusyError) {
        this.retryLater(request, attempt.retries, error);
        return 'waiting';
      }
      throw error;
    }
  }

  /**
   * Claims posting the request's card to `channel`, where this instance read `seen` as its card: false when
   * another instance holds the claim, or saved a card of its own since (its claim then ended). A claim whose
   * post fails is left to run out, after which the backlog posts the card.
   */
  private async claimPost(request: ResetRequest, channel: ApprovalChannel, seen: ChannelPost | undefined) {
    const { channels, owner, clock, logger } = this.options;
    const now = clock.now();
    const until = new Date(now.getTime() + POST_CLAIM_LEASE_MS);
    const fields = { requestId: request.id, reference: request.reference };
    if (!(await channels.claimPost(request.id, channel.channelId, owner, now, until))) {
      logger.debug(fields, 'another instance is posting the card; it is left to it');
      return false;
    }
    const saved = await channels.findPost(request.id);
    if (saved && saved.channelId === channel.channelId && saved.messageId !== seen?.messageId) {
      // The claim just taken is left to run out: it would only hold off posting that card anew, were it deleted.
      logger.debug(fields, 'another instance posted the card meanwhile');
      return false;
    }
    return true;
  }

  /** Schedules the next try of a request's channel card after the Bot Connector failed, or gives up on it here. */
  private retryLater(request: ResetRequest, retries: number, error: ConnectorBusyError): void {
    const { logger, clock } = this.options;
    const wait = channelRetryWait(retries, error.retryAfterMs);
    const fields = { requestId: request.id, reference: request.reference, status: error.status, retries };
    if (wait === undefined) {
      this.channelRetries.delete(request.id);
      logger.warn(fields, 'the Bot Connector kept failing; the channel card is left to the backlog job');
      return;
    }
    this.channelRetries.set(request.id, { dueAt: clock.now().getTime() + wait, retries: retries + 1 });
    logger.warn({ ...fields, waitMs: wait }, 'the Bot Connector failed for now; the channel card is tried again soon');
  }

  /**
   * The requester was told at submission that the application is on its way to the helpdesk;
   * when getting it there took retries or the backlog, they hear that it has arrived.
   */
  private async tellReachedLate(request: ResetRequest): Promise<void> {
    const { addresses, messenger, logger } = this.options;
    try {
      const address = await addresses.find(request.tenantId, `user:${request.filerId}`);
      if (!address) return;
      const strings = stringsFor(resolveLocale(address.locale, this.options.defaultLocale));
      const values = { reference: request.reference };
      await messenger.sendCard(
        address.reference,
        renderNoticeCard({
          title: format(strings.approval.noticeTitle, values),
          body: format(strings.approval.notices.reachedHelpdesk, values),
          tone: 'default',
        }),
      );
    } catch (error) {
      logger.warn({ err: error, requestId: request.id }, 'could not tell the requester their application arrived');
    }
  }

  private async tellPeople(request: ResetRequest, news: RequestNews): Promise<void> {
    const people: PeopleCache = new Map();
    const requester = request.filerId;
    const managerId = request.review.manager?.managerId;
    const verifierId = request.review.approvals.at(-1)?.agentId;
    const send = async (userId: string, card: (strings: Strings) => Promise<AdaptiveCard> | AdaptiveCard) => {
      const address = await this.options.addresses.find(request.tenantId, `user:${userId}`);
      if (!address) {
        this.options.logger.warn(
          { requestId: request.id, news: news.kind },
          'no chat with this person yet; notice not sent',
        );
        return;
      }
      const strings = stringsFor(resolveLocale(address.locale, this.options.defaultLocale));
      await this.options.messenger.sendCard(address.reference, await card(strings));
    };
    const notice = (title: (s: Strings) => string, body: (s: Strings) => Promise<string> | string) => {
      return async (strings: Strings) =>
        renderNoticeCard({ title: title(strings), body: await body(strings), tone: 'default' });
    };
    const name = (userId: string) => nameOf(this.options.directory, people, userId);
    const nameOrNone = (userId: string | undefined) => (userId ? name(userId) : '');
    const values = async () => {
      // Side by side: with no cache each is a directory call of its own.
      const [subject, manager, agent, verifier] = await Promise.all([
        name(request.application.subjectId),
        nameOrNone(managerId),
        nameOrNone(request.review.claimedBy),
        nameOrNone(verifierId),
      ]);
      const reason = request.review.rejection?.reason ?? '';
      return {
        reference: request.reference,
        subject,
        manager,
        agent,
        reason,
        verifier,
        days: String(this.options.expiryDays),
      };
    };
    const n = (strings: Strings) => strings.approval.notices;
    /** One of the request's notices, in the person's own language. */
    const tell = (userId: string, key: keyof Strings['approval']['notices']) =>
      send(
        userId,
        notice(
          (s) => format(s.approval.noticeTitle, { reference: request.reference }),
          async (s) => format(n(s)[key], await values()),
        ),
      );
    const toRequester = (key: keyof Strings['approval']['notices']) => tell(requester, key);
    const toManager = async () => {
      if (!managerId || managerId === requester) return;
      await send(
        managerId,
        notice(
          (s) => format(s.approval.noticeTitle, { reference: request.reference }),
          async (s) => format(n(s).managerUpdate, { ...(await values()), state: s.requests.states[request.state] }),
        ),
      );
    };

    switch (news.kind) {
      case 'submitted':
        return;
      case 'managerAsked':
        await toRequester('managerAsked');
        if (managerId) {
          const view = await buildManagerConfirmationView(
            request,
            this.options.directory,
            undefined,
            await this.options.facts.reachedPossibleCompromise(request),
          );
          await send(managerId, (strings) => renderManagerConfirmationCard(strings, view));
        }
        return;
      case 'managerConfirmed':
        return toRequester('managerConfirmed');
      case 'managerDeclined':
        return toRequester('managerDeclined');
      case 'claimed':
        return toRequester('claimed');
      case 'released':
        return;
      case 'handedOver':
        // The requester hears who handles it now; the new claimer, unless they took it themselves, that it is theirs.
        await toRequester('claimed');
        if (news.to === news.by) return;
        return send(
          news.to,
          notice(
            (s) => format(s.approval.noticeTitle, { reference: request.reference }),
            async (s) => format(n(s).handedOverToYou, { ...(await values()), by: await name(news.by) }),
          ),
        );
      case 'questionAsked': {
        const question = request.review.questions.find((candidate) => candidate.number === news.number);
        if (!question) return;
        const view = await buildInfoRequestView(request, question, this.options.directory);
        return send(requester, (strings) => renderInfoRequestCard(strings, view));
      }
      case 'questionAnswered':
        return;
      case 'approvalRecorded':
        return toRequester('approvalRecorded');
      case 'approved':
        await toRequester('approved');
        return toManager();
      case 'rejected':
        await toRequester('rejected');
        return toManager();
      case 'cancelled':
        await toRequester('cancelled');
        return toManager();
      case 'expired':
        await toRequester('expired');
        return toManager();
      case 'executionStarted':
      case 'retried':
      case 'recovered':
        return;
      case 'notRecovered': {
        await tell(request.application.subjectId, 'notRecovered');
        return this.tellChannel(request.tenantId, async (strings) =>
          renderNoticeCard({
            title: format(strings.approval.notRecoveredTitle, { reference: request.reference }),
            body: format(strings.approval.notRecoveredBody, await values()),
            tone: 'warning',
          }),
        );
      }
      case 'completed': {
        const issued = news.passTo !== 'subject';
        const issuerId = news.passTo === 'manager' ? managerId : verifierId;
        const subjectId = request.application.subjectId;
        const c = (strings: Strings) => strings.approval.completion;
        const completionValues = async () => ({
          ...(await values()),
          issuer: issuerId ? await name(issuerId) : '',
          filer: await name(requester),
        });
        if (subjectId !== requester) {
          await send(
            requester,
            notice(
              (s) => format(s.approval.noticeTitle, { reference: request.reference }),
              async (s) => format(issued ? c(s).toFilerIssued : c(s).toFilerSubject, await completionValues()),
            ),
          );
        }
        // The person it changed hears of it in their own chat, which whoever filed cannot read,
        // in the second person, with a way to say it was not them.
        await send(subjectId, async (s) => {
          const v = await completionValues();
          return renderNoticeCard({
            title: format(s.approval.noticeTitle, { reference: request.reference }),
            body: [
              format(issued ? c(s).toSubjectIssued : c(s).toSubjectSubject, v),
              ...(subjectId !== requester ? [format(c(s).filedBy, v)] : []),
              c(s).notYou,
            ].join(' '),
            tone: 'default',
            action: { title: c(s).notYouButton, verb: Verbs.requestDispute, requestId: request.id },
          });
        });
        return toManager();
      }
      case 'disputed':
        return this.tellChannelAbout(request, async (strings) =>
          renderNoticeCard({
            title: format(strings.approval.completion.channelTitle, { reference: request.reference }),
            body: format(strings.approval.completion.channelBody, {
              ...(await values()),
              filer: await name(requester),
            }),
            tone: 'warning',
          }),
        );
      case 'passOffered':
        return;
      case 'failed':
        return toRequester('failed');
      case 'executionPaused':
        return this.tellChannel(request.tenantId, (strings) =>
          renderNoticeCard({
            title: strings.approval.pausedTitle,
            body: format(strings.approval.pausedBody, { cap: String(news.cap) }),
            tone: 'warning',
          }),
        );
    }
  }

  /** A reply under the request's card in the approval channel, or a new post when it has no card there. */
  private async tellChannelAbout(
    request: ResetRequest,
    card: (strings: Strings) => AdaptiveCard | Promise<AdaptiveCard>,
  ): Promise<void> {
    const channel = await this.channelFor(request.tenantId);
    if (!channel || channel.unavailableSince) return;
    const post = await this.options.channels.findPost(request.id);
    const strings = stringsFor(resolveLocale(channel.locale, this.options.defaultLocale));
    if (post && post.channelId === channel.channelId) {
      await this.options.messenger.replyInThread(post, await card(strings));
    } else {
      await this.options.messenger.postCard(channel, await card(strings));
    }
  }

  /** A new post in the tenant's approval channel, when it has one that works. */
  private async tellChannel(
    tenantId: string,
    card: (strings: Strings) => AdaptiveCard | Promise<AdaptiveCard>,
  ): Promise<void> {
    const channel = await this.channelFor(tenantId);
    if (!channel || channel.unavailableSince) return;
    const strings = stringsFor(resolveLocale(channel.locale, this.options.defaultLocale));
    await this.options.messenger.postCard(channel, await card(strings));
  }

  private async view(request: ResetRequest, strings: Strings, known?: ReviewFacts) {
    const { facts, executionJobs, clock, reviewSlaMs, directory } = this.options;
    const afterApproval = AFTER_APPROVAL.includes(request.state);
    const [read, job] = await Promise.all([
      known ?? facts.read(request),
      afterApproval ? executionJobs?.find(request.id) : undefined,
    ]);
    return buildReviewView({ request, facts: read, strings, directory, now: clock.now(), reviewSlaMs, job });
  }

  /**
   * The Bot Connector endpoint for the configured channel: from the last conversation in its
   * team, else the last anyone in the tenant had with the bot (Teams gives one endpoint per region).
   */
  private async serviceUrlFor(tenantId: string, teamId: string): Promise<string | undefined> {
    const { addresses } = this.options;
    const latest = (await addresses.latestForTenant(tenantId, teamId)) ?? (await addresses.latestForTenant(tenantId));
    const serviceUrl = latest?.reference.serviceUrl;
    return typeof serviceUrl === 'string' ? serviceUrl : undefined;
  }
}

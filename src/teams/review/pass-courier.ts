import {
  passSummary,
  renderPassCard,
  renderPassClosedCard,
  renderPassOfferCard,
  type PassCardContext,
  type PassReader,
} from '../../cards/pass.js';
import { formatForReader } from '../../cards/format-time.js';
import type { AdaptiveCard } from '../../cards/render-card.js';
import { stringsFor, type Strings } from '../../content/strings/index.js';
import type { Handover, PassCourier } from '../../domain/requests/execution-service.js';
import type { PassCardClosing, PassCardRef } from '../../domain/requests/ports.js';
import type { ResetRequest } from '../../domain/requests/request.js';
import { resolveLocale, type Locale } from '../../domain/locale.js';
import type { ConversationAddressRepository, CreatedTemporaryAccessPass, Directory } from '../../domain/ports.js';
import type { Logger } from '../../logging/create-logger.js';
import type { TeamsMessenger } from '../proactive/messenger.js';
import { nameOf } from './review-view.js';

export interface TeamsPassCourierOptions {
  addresses: ConversationAddressRepository;
  messenger: TeamsMessenger;
  directory: Directory | undefined;
  logger: Logger;
  defaultLocale: Locale;
  securityInfoUrl: string | undefined;
}

/** What the pass cards of a request say about it, names read from the directory. */
export async function passCardContext(
  request: ResetRequest,
  directory: Directory | undefined,
  lifetimeInMinutes: number,
  securityInfoUrl: string | undefined,
): Promise<PassCardContext> {
  const people = new Map<string, Promise<string>>();
  const managerId = request.review.manager?.managerId;
  const [subjectName, managerName] = await Promise.all([
    nameOf(directory, people, request.application.subjectId),
    managerId ? nameOf(directory, people, managerId) : Promise.resolve(''),
  ]);
  return {
    requestId: request.id,
    reference: request.reference,
    subjectName,
    managerName,
    lifetimeInMinutes,
    securityInfoUrl,
  };
}

/**
 * Hands passes over in one person's 1:1 chat with the bot, and nowhere else: the pass itself to
 * the subject (PASS_DELIVERY=subject), or the "Issue the pass now" card to the person who checked
 * who they are; and withdraws those cards once the pass is used or gone. Each message carries a
 * summary without the pass, for notifications. A failed send is logged with its status only: the
 * Bot Connector's error can carry the request, and with it the pass.
 */
export class TeamsPassCourier implements PassCourier {
  constructor(private readonly options: TeamsPassCourierOptions) {}

  async deliver(
    request: ResetRequest,
    pass: CreatedTemporaryAccessPass,
    replacesEarlier: boolean,
  ): Promise<PassCardRef | undefined> {
    const context = await this.context(request, pass.lifetimeInMinutes);
    const validUntil = new Date(pass.startDateTime.getTime() + pass.lifetimeInMinutes * 60_000);
    return this.send(request, request.application.subjectId, 'pass', (strings) =>
      renderPassCard(
        strings,
        { kind: 'subject' },
        context,
        { isUsableOnce: pass.isUsableOnce, validUntil: formatForReader(validUntil), replacesEarlier },
        pass.value,
      ),
    );
  }

  async offer(request: ResetRequest, handover: Handover, lifetimeInMinutes: number): Promise<PassCardRef | undefined> {
    const context = await this.context(request, lifetimeInMinutes);
    const reader = readerOf(handover);
    return this.send(request, handover.userId, 'pass offer', (strings) =>
      renderPassOfferCard(strings, reader, context),
    );
  }

  async withdraw(request: ResetRequest, card: PassCardRef, why: PassCardClosing): Promise<void> {
    const { addresses, messenger, logger } = this.options;
    const address = await addresses.find(request.tenantId, `user:${card.userId}`);
    if (!address) return;
    const strings = stringsFor(resolveLocale(address.locale, this.options.defaultLocale));
    const reader =
      card.userId === request.application.subjectId ? ({ kind: 'subject' } as const) : ({ kind: 'issuer' } as const);
    const context = await this.context(request, 0);
    try {
      await messenger.updateSentCard(
        address.reference,
        card.activityId,
        renderPassClosedCard(strings, reader, context, why),
      );
      logger.info({ requestId: request.id, why }, 'the pass card no longer shows the pass');
    } catch (error) {
      logger.warn({ requestId: request.id, why, status: statusOf(error) }, 'the pass card could not be updated');
    }
  }

  private context(request: ResetRequest, lifetimeInMinutes: number): Promise<PassCardContext> {
    return passCardContext(request, this.options.directory, lifetimeInMinutes, this.options.securityInfoUrl);
  }

  /** Sends one card to one person's 1:1 chat; where it went, or undefined. */
  private async send(
    request: ResetRequest,
    userId: string,
    what: string,
    card: (strings: Strings) => AdaptiveCard,
  ): Promise<PassCardRef | undefined> {
    const { addresses, messenger, logger } = this.options;
    const address = await addresses.find(request.tenantId, `user:${userId}`);
    if (!address || address.kind !== 'personal') {
      logger.info({ requestId: request.id, what }, 'no 1:1 chat to send this in');
      return undefined;
    }
    const strings = stringsFor(resolveLocale(address.locale, this.options.defaultLocale));
    try {
      const activityId = await messenger.sendCard(address.reference, card(strings), {
        summary: passSummary(strings, request.reference),
      });
      logger.info({ requestId: request.id, what }, 'sent privately');
      return { userId, activityId: activityId ?? '' };
    } catch (error) {
      logger.warn({ requestId: request.id, what, status: statusOf(error) }, 'could not be sent');
      return undefined;
    }
  }
}

/** The reader of the cards given to the person who issues the pass. */
export function readerOf(handover: Handover): Exclude<PassReader, { kind: 'subject' }> {
  return handover.kind === 'manager' ? { kind: 'manager' } : { kind: 'agent', verification: handover.verification };
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

import { renderPassCard } from '../../cards/pass.js';
import { stringsFor } from '../../content/strings/index.js';
import type { PassCourier } from '../../domain/requests/execution-service.js';
import type { PassRecipient } from '../../domain/requests/ports.js';
import type { ResetRequest } from '../../domain/requests/request.js';
import { resolveLocale, type Locale } from '../../domain/locale.js';
import type { ConversationAddressRepository, CreatedTemporaryAccessPass, Directory } from '../../domain/ports.js';
import type { Logger } from '../../logging/create-logger.js';
import { formatUtc } from '../../cards/format-time.js';
import type { TeamsMessenger } from '../proactive/messenger.js';

export interface TeamsPassCourierOptions {
  addresses: ConversationAddressRepository;
  messenger: TeamsMessenger;
  directory: Directory | undefined;
  logger: Logger;
  defaultLocale: Locale;
  securityInfoUrl: string | undefined;
}

/**
 * Delivers a pass as one card in the recipient's 1:1 chat with the bot, and nowhere else. A
 * failed send is logged with its status only: the Bot Connector's error can carry the request,
 * and with it the pass.
 */
export class TeamsPassCourier implements PassCourier {
  constructor(private readonly options: TeamsPassCourierOptions) {}

  async deliver(
    request: ResetRequest,
    pass: CreatedTemporaryAccessPass,
    recipient: { kind: PassRecipient; userId: string },
    replacesEarlier: boolean,
  ): Promise<boolean> {
    const { addresses, messenger, directory, logger, defaultLocale, securityInfoUrl } = this.options;
    const address = await addresses.find(`user:${recipient.userId}`);
    if (!address || address.kind !== 'personal') {
      logger.info({ requestId: request.id, recipient: recipient.kind }, 'no 1:1 chat to deliver the pass in');
      return false;
    }
    const subject = await directory?.getUser(request.application.subjectId).catch(() => undefined);
    const strings = stringsFor(resolveLocale(address.locale, defaultLocale));
    const validUntil = new Date(pass.startDateTime.getTime() + pass.lifetimeInMinutes * 60_000);
    const card = renderPassCard(
      strings,
      {
        audience: recipient.kind,
        reference: request.reference,
        subjectName: subject?.displayName ?? request.application.subjectId,
        lifetimeInMinutes: pass.lifetimeInMinutes,
        isUsableOnce: pass.isUsableOnce,
        validUntil: `${formatUtc(validUntil)} UTC`,
        securityInfoUrl,
        replacesEarlier,
      },
      pass.value,
    );
    try {
      await messenger.sendCard(address.reference, card);
    } catch (error) {
      const status = (error as { statusCode?: unknown }).statusCode;
      logger.warn(
        { requestId: request.id, recipient: recipient.kind, status: typeof status === 'number' ? status : undefined },
        'the pass could not be delivered',
      );
      return false;
    }
    logger.info({ requestId: request.id, recipient: recipient.kind }, 'pass delivered privately');
    return true;
  }
}

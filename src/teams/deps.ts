import type { Config } from '../config/load-config.js';
import type { Clock, ConversationAddressRepository, Directory } from '../domain/ports.js';
import type { Logger } from '../logging/create-logger.js';

/** Links the bot shows, from configuration so an organisation can point them at its own pages. */
export interface Links {
  securityInfo: string;
}

/** What the Teams handlers are given; they reach for nothing else. */
export interface TeamsDeps {
  config: Config;
  logger: Logger;
  clock: Clock;
  /** Undefined where no directory is configured yet; handlers then use what Teams sent. */
  directory: Directory | undefined;
  addresses: ConversationAddressRepository;
  links: Links;
}

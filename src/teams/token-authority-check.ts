import { AuthenticationConstants } from 'botframework-connector';
import type { HealthCheck } from '../domain/ports.js';

export interface TokenAuthorityCheckOptions {
  /** The Bot Connector's OpenID metadata (tests point it at a fake authority); the public cloud's by default. */
  metadataUrl?: string;
  /** How long an answer, good or bad, stands before the authority is asked again. */
  cacheMs?: number;
  /** The longest wait for the authority. */
  timeoutMs?: number;
  now?: () => number;
}

const DEFAULT_CACHE_MS = 30_000;
const DEFAULT_TIMEOUT_MS = 2_000;

/**
 * Whether the Bot Framework's token authority answers: the OpenID metadata its inbound tokens are checked
 * against. Asked at most once per `cacheMs` whatever the probes do; probes in between share the last answer
 * (and one question in flight), so a probe never waits on the authority more than once a period.
 */
export class TokenAuthorityCheck implements HealthCheck {
  private readonly metadataUrl: string;
  private readonly cacheMs: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private last: { at: number; answer: Promise<void> } | undefined;

  constructor(options: TokenAuthorityCheckOptions = {}) {
    this.metadataUrl = options.metadataUrl ?? AuthenticationConstants.ToBotFromChannelOpenIdMetadataUrl;
    this.cacheMs = options.cacheMs ?? DEFAULT_CACHE_MS;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.now = options.now ?? Date.now;
  }

  check(): Promise<void> {
    const now = this.now();
    if (!this.last || now - this.last.at >= this.cacheMs) {
      const answer = this.ask();
      // Kept either way; a failure is reported by the probes that read it, not as an unhandled rejection.
      answer.catch(() => undefined);
      this.last = { at: now, answer };
    }
    return this.last.answer;
  }

  private async ask(): Promise<void> {
    const response = await fetch(this.metadataUrl, { signal: AbortSignal.timeout(this.timeoutMs) });
    if (!response.ok) throw new Error(`the Bot Framework token authority answered ${response.status}`);
    const metadata = (await response.json()) as { jwks_uri?: unknown };
    if (typeof metadata.jwks_uri !== 'string') {
      throw new Error('the Bot Framework token authority sent metadata without jwks_uri');
    }
  }
}

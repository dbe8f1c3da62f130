/** Stable codes for the failures the bot knows how to explain. */
export type ErrorCode =
  | 'configuration_invalid'
  | 'storage_etag_conflict'
  | 'demo_tenant_invalid'
  | 'card_template_invalid'
  | 'knowledge_invalid';

/** Base class: every known failure carries a code that logs and tests can match on. */
export class SignInHelpError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A setting is missing or malformed; the message lists each problem as an instruction. */
export class ConfigurationError extends SignInHelpError {
  constructor(readonly problems: readonly string[]) {
    super('configuration_invalid', `Configuration is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * A state write carried an eTag that no longer matches the stored item. The wording matches
 * botbuilder's MemoryStorage so library code that inspects it keeps working.
 */
export class EtagConflictError extends SignInHelpError {
  constructor(readonly key: string) {
    super('storage_etag_conflict', `Storage: error writing "${key}" due to eTag conflict.`);
  }
}

/** The demo tenant data file does not describe a usable tenant. */
export class DemoTenantError extends SignInHelpError {
  constructor(problems: readonly string[]) {
    super('demo_tenant_invalid', `Demo tenant is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** A card template could not be expanded into a card. */
export class CardTemplateError extends SignInHelpError {
  constructor(name: string, reason: string) {
    super('card_template_invalid', `Card template "${name}" could not be rendered: ${reason}`);
  }
}

/** The diagnosis knowledge file is unreadable or describes an unsound graph. */
export class KnowledgeError extends SignInHelpError {
  constructor(
    readonly path: string,
    readonly problems: readonly string[],
  ) {
    super(
      'knowledge_invalid',
      `Diagnosis knowledge ${path} is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
}

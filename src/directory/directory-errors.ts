import { isTransientFailure } from '../domain/directory-failure.js';

/**
 * Failures of a directory request, shaped like Microsoft Graph's error responses (HTTP status plus
 * Graph's error code) so that callers handle the simulated directory and Graph the same way.
 */
export class DirectoryRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Graph's `request-id` response header, for Microsoft support and the audit trail. */
    readonly requestId?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }

  /** Worth trying again later: throttled (429), or the service failed or timed out (5xx). */
  get transient(): boolean {
    return isTransientFailure(this);
  }
}

/** 400: a phone that is the default method cannot be deleted while the user has other methods. */
export class CannotDeleteDefaultMethodError extends DirectoryRequestError {
  constructor(requestId?: string) {
    super(400, 'badRequest', 'Cannot delete default method', requestId);
  }
}

/** 404: the user has no such method (already deleted, or never registered). */
export class MethodNotFoundError extends DirectoryRequestError {
  constructor(
    readonly methodId: string,
    requestId?: string,
  ) {
    super(404, 'itemNotFound', `The authentication method ${methodId} was not found.`, requestId);
  }
}

/** 403: the application may not change this account (e.g. an administrator, without the role to do so). */
export class ForbiddenError extends DirectoryRequestError {
  constructor(message = 'Insufficient privileges to complete the operation.', requestId?: string) {
    super(403, 'Authorization_RequestDenied', message, requestId);
  }
}

/** 404: no user has this id (Graph answers `Request_ResourceNotFound`). */
export class UserNotFoundError extends DirectoryRequestError {
  constructor(readonly userId: string) {
    super(
      404,
      'Request_ResourceNotFound',
      `Resource '${userId}' does not exist or one of its queried reference-property objects are not present.`,
    );
  }
}

/** 429: the service throttled the caller; try again after `retryAfterSeconds` (Graph's Retry-After). */
export class ThrottledError extends DirectoryRequestError {
  constructor(readonly retryAfterSeconds: number) {
    super(429, 'TooManyRequests', `Too many requests; retry after ${retryAfterSeconds} s.`);
  }
}

/** 503: the service is briefly unavailable; `retryAfterSeconds` when the service suggested a wait. */
export class ServiceUnavailableError extends DirectoryRequestError {
  constructor(readonly retryAfterSeconds?: number) {
    super(503, 'serviceNotAvailable', 'The service is temporarily unavailable.');
  }
}

/**
 * Failures of a directory request, shaped like Microsoft Graph's error responses (HTTP status plus
 * Graph's error code) so that callers handle the simulated directory and Graph the same way.
 */
export class DirectoryRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
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

/**
 * How the directory port reports a failure (the directory layer's DirectoryRequestError has this
 * shape): Graph's HTTP status and error code, its message, its request id, and for throttling how
 * long to wait.
 */
export interface DirectoryFailure {
  status: number;
  code: string;
  message: string;
  requestId?: string;
  retryAfterSeconds?: number;
}

/** The error as a directory failure, when it is one. */
export function directoryFailure(error: unknown): DirectoryFailure | undefined {
  const candidate = error as Partial<DirectoryFailure> | undefined;
  return typeof candidate?.status === 'number' && typeof candidate.code === 'string'
    ? (candidate as DirectoryFailure)
    : undefined;
}

/** Worth trying again later: throttled (429), or the service failed or timed out (5xx). */
export function isTransientFailure(failure: Pick<DirectoryFailure, 'status'>): boolean {
  return failure.status === 429 || failure.status >= 500;
}

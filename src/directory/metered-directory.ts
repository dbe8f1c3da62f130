import { directoryFailure } from '../domain/directory-failure.js';
import type { Directory } from '../domain/ports.js';

/** How a directory call ended, by kind: never the person it was about. */
export type DirectoryCallOutcome = 'ok' | 'throttled' | 'not_found' | 'client_error' | 'server_error' | 'failed';

/** Told of every call: its operation (the Directory method's name), how it ended and how long it took. */
export type DirectoryCallObserver = (
  operation: keyof Directory,
  outcome: DirectoryCallOutcome,
  seconds: number,
) => void;

/** The outcome of a failed call: Graph's status where the failure carries one, else `failed` (network, timeout). */
export function outcomeOf(error: unknown): DirectoryCallOutcome {
  const status = directoryFailure(error)?.status;
  if (status === undefined) return 'failed';
  if (status === 429) return 'throttled';
  if (status === 404) return 'not_found';
  return status >= 500 ? 'server_error' : 'client_error';
}

/** Wraps a directory so that each call is timed and reported; answers and failures pass through unchanged. */
export function meteredDirectory(inner: Directory, observe: DirectoryCallObserver): Directory {
  const timed =
    <K extends keyof Directory>(operation: K) =>
    async (...args: Parameters<Directory[K]>): Promise<Awaited<ReturnType<Directory[K]>>> => {
      const started = process.hrtime.bigint();
      const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
      try {
        const call = inner[operation] as (...a: Parameters<Directory[K]>) => ReturnType<Directory[K]>;
        const result = await call.apply(inner, args);
        observe(operation, 'ok', seconds());
        return result as Awaited<ReturnType<Directory[K]>>;
      } catch (error) {
        observe(operation, outcomeOf(error), seconds());
        throw error;
      }
    };
  return {
    getUser: timed('getUser'),
    getAuthenticationMethods: timed('getAuthenticationMethods'),
    getRecentSignIns: timed('getRecentSignIns'),
    getDirectReports: timed('getDirectReports'),
    checkMemberGroups: timed('checkMemberGroups'),
    getGroupMembers: timed('getGroupMembers'),
    getDirectoryRoles: timed('getDirectoryRoles'),
    deleteAuthenticationMethod: timed('deleteAuthenticationMethod'),
    revokeSignInSessions: timed('revokeSignInSessions'),
    createTemporaryAccessPass: timed('createTemporaryAccessPass'),
  };
}

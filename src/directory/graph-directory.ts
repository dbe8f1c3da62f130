import type { TokenCredential } from '@azure/identity';
import {
  AuthenticationHandler,
  Client,
  ResponseType,
  TelemetryHandler,
  type Context,
  type FetchOptions,
  type GraphRequest,
  type Middleware,
} from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js';
import type {
  AuthMethod,
  AuthMethodKind,
  CreatedTemporaryAccessPass,
  Directory,
  DirectoryUser,
  SignInRecord,
  TemporaryAccessPassOptions,
} from '../domain/ports.js';
import { ConfigurationError } from '../errors.js';
import {
  CannotDeleteDefaultMethodError,
  DirectoryRequestError,
  ForbiddenError,
  MethodNotFoundError,
  ServiceUnavailableError,
  ThrottledError,
  UserNotFoundError,
} from './directory-errors.js';

/** The fetch that sends Graph requests: the global one, or (in tests) one that trusts a fake's certificate. */
export type GraphFetch = typeof globalThis.fetch;

/** How to reach Microsoft Graph. */
export interface GraphDirectoryOptions {
  /** Where tokens for `https://graph.microsoft.com/.default` come from (see createGraphCredential). */
  credential: TokenCredential;
  /** An https:// origin; default `https://graph.microsoft.com`. */
  baseUrl?: string;
  /** A request that has not answered after this long fails as 504 `timeout` (default 10,000). */
  timeoutMs?: number;
  /** Extra fetch options for every request (tests). */
  fetchOptions?: FetchOptions;
  /** Sends the requests; default the global fetch. */
  fetch?: GraphFetch;
}

const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
const DEFAULT_BASE_URL = 'https://graph.microsoft.com';
const DEFAULT_TIMEOUT_MS = 10_000;
/** Graph sometimes throttles without Retry-After; its guidance is to wait a few seconds at least. */
const DEFAULT_RETRY_AFTER_SECONDS = 10;
/** checkMemberGroups refuses more ids than this in one call. */
const MAX_GROUP_IDS_PER_CHECK = 20;
/** The sign-in log answers at most this many records per page. */
const MAX_SIGN_INS_PER_PAGE = 1000;
/** Directory object collections answer at most this many per page. */
const MAX_MEMBERS_PER_PAGE = 999;
/** Far beyond any group the bot reads; a nextLink chain longer than this is not followed. */
const MAX_MEMBER_PAGES = 50;

const USER_PROPERTIES = [
  'id',
  'displayName',
  'givenName',
  'surname',
  'userPrincipalName',
  'mail',
  'department',
  'jobTitle',
  'businessPhones',
  'mobilePhone',
  'preferredLanguage',
  'accountEnabled',
  'externalUserState',
  'externalUserStateChangeDateTime',
].join(',');

const KIND_BY_ODATA_TYPE: Readonly<Record<string, AuthMethodKind>> = {
  '#microsoft.graph.passwordAuthenticationMethod': 'password',
  '#microsoft.graph.microsoftAuthenticatorAuthenticationMethod': 'microsoftAuthenticator',
  '#microsoft.graph.phoneAuthenticationMethod': 'phone',
  '#microsoft.graph.softwareOathAuthenticationMethod': 'softwareOath',
  '#microsoft.graph.fido2AuthenticationMethod': 'fido2',
  '#microsoft.graph.emailAuthenticationMethod': 'email',
  '#microsoft.graph.windowsHelloForBusinessAuthenticationMethod': 'windowsHelloForBusiness',
  '#microsoft.graph.temporaryAccessPassAuthenticationMethod': 'temporaryAccessPass',
};

/** The collection under /users/{id}/authentication/ that deletes each kind (the password has none). */
const COLLECTION_BY_KIND: Readonly<Record<Exclude<AuthMethodKind, 'password'>, string>> = {
  microsoftAuthenticator: 'microsoftAuthenticatorMethods',
  phone: 'phoneMethods',
  softwareOath: 'softwareOathMethods',
  fido2: 'fido2Methods',
  email: 'emailMethods',
  windowsHelloForBusiness: 'windowsHelloForBusinessMethods',
  temporaryAccessPass: 'temporaryAccessPassMethods',
};

/** Kinds whose displayName names a device or key. */
const DEVICE_KINDS: ReadonlySet<AuthMethodKind> = new Set([
  'microsoftAuthenticator',
  'fido2',
  'windowsHelloForBusiness',
]);

type MethodMatcher = (method: AuthMethod) => boolean;
const ofKind =
  (kind: AuthMethodKind): MethodMatcher =>
  (method) =>
    method.kind === kind;
const phone =
  (phoneType: AuthMethod['phoneType']): MethodMatcher =>
  (method) =>
    method.kind === 'phone' && method.phoneType === phoneType;

/**
 * Which registered method a value of `userPreferredMethodForSecondaryAuthentication` designates,
 * candidates in order (lower-cased). A code ("oath") comes from a software token if there is one,
 * otherwise from the Authenticator app.
 */
const DEFAULT_METHOD_CANDIDATES: Readonly<Record<string, readonly MethodMatcher[]>> = {
  push: [ofKind('microsoftAuthenticator')],
  oath: [ofKind('softwareOath'), ofKind('microsoftAuthenticator')],
  sms: [phone('mobile')],
  voicemobile: [phone('mobile')],
  voicealternatemobile: [phone('alternateMobile')],
  voiceoffice: [phone('office')],
  fido2: [ofKind('fido2')],
};

/** A JSON object as Graph returns it; every field is checked before use. */
type GraphObject = Record<string, unknown>;

/** An answer from Graph, body already read (JSON, or undefined when empty or not JSON). */
interface GraphResponse {
  status: number;
  headers: Headers;
  body: GraphObject | undefined;
}

/** Builds the error for a 404, given Graph's request id; undefined leaves it a plain DirectoryRequestError. */
type NotFound = ((requestId: string | undefined) => DirectoryRequestError) | undefined;

/** Raised by the last middleware when no answer arrived at all, so it is not mistaken for a token failure. */
class GraphTransportError extends Error {
  override readonly name = 'GraphTransportError';
}

/**
 * The end of the middleware chain: sends the request with the configured fetch. It stands in for
 * the SDK's HTTPMessageHandler, which always calls the global fetch.
 */
class FetchHandler implements Middleware {
  constructor(private readonly send: GraphFetch) {}

  async execute(context: Context): Promise<void> {
    try {
      context.response = await this.send(context.request, context.options);
    } catch (error) {
      throw new GraphTransportError(transportDetail(error));
    }
  }
}

/**
 * The organisation's directory on Microsoft Graph v1.0. The client never retries by itself: the
 * caller (the execution job) owns retries and backoff, so throttling and outages surface at once as
 * the typed errors of directory-errors.ts, with Graph's status, code and request id.
 */
export class GraphDirectory implements Directory {
  private readonly client: Client;
  private readonly timeoutMs: number;

  constructor(options: GraphDirectoryOptions) {
    const baseUrl = httpsOrigin(options.baseUrl ?? DEFAULT_BASE_URL);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const send: GraphFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    const authProvider = new TokenCredentialAuthenticationProvider(options.credential, { scopes: [GRAPH_SCOPE] });
    this.client = Client.initWithMiddleware({
      baseUrl,
      // The SDK attaches the token only to graph.microsoft.com and to these hosts.
      customHosts: new Set([new URL(baseUrl).hostname]),
      fetchOptions: options.fetchOptions,
      // No RetryHandler or RedirectHandler: one call is one request.
      middleware: [new AuthenticationHandler(authProvider), new TelemetryHandler(), new FetchHandler(send)],
    });
  }

  async getUser(id: string): Promise<DirectoryUser | undefined> {
    const [user, manager] = await settleBoth(
      this.request('GET', withQuery(userPath(id), { $select: USER_PROPERTIES })),
      // The manager's name comes with it, so that a card naming both needs one round of calls.
      this.request('GET', withQuery(`${userPath(id)}/manager`, { $select: 'id,displayName' })),
    );
    if (user.status === 404) return undefined;
    const managerBody = manager.status === 404 ? undefined : succeeded(manager).body;
    return {
      ...toDirectoryUser(succeeded(user).body ?? {}, text(managerBody?.id)),
      managerDisplayName: text(managerBody?.displayName),
    };
  }

  async getAuthenticationMethods(userId: string): Promise<AuthMethod[]> {
    const [methods, preferred] = await settleBoth(
      this.list(`${userPath(userId)}/authentication/methods`, userNotFound(userId)),
      this.preferredMethod(userId),
    );
    return markDefault(
      methods.map(toAuthMethod).filter((method) => method !== undefined),
      preferred,
    );
  }

  async getRecentSignIns(userId: string, limit: number): Promise<SignInRecord[]> {
    const wanted = Math.floor(limit);
    if (!(wanted > 0)) return [];
    const path = withQuery('/auditLogs/signIns', {
      $filter: `userId eq '${userId.replaceAll("'", "''")}'`,
      $top: String(Math.min(wanted, MAX_SIGN_INS_PER_PAGE)),
      $orderby: 'createdDateTime desc',
    });
    const records = (await this.list(path, undefined, { limit: wanted })).map(toSignInRecord);
    return records.sort((a, b) => b.at.getTime() - a.at.getTime());
  }

  async getDirectReports(managerId: string): Promise<DirectoryUser[]> {
    const path = withQuery(`${userPath(managerId)}/directReports/microsoft.graph.user`, { $select: USER_PROPERTIES });
    const reports = await this.list(path, userNotFound(managerId));
    return reports.map((report) => toDirectoryUser(report, managerId));
  }

  async checkMemberGroups(userId: string, groupIds: readonly string[]): Promise<string[]> {
    const memberOf = new Set<string>();
    // One chunk after the other: they are few, and a throttled chunk should stop the rest.
    for (let start = 0; start < groupIds.length; start += MAX_GROUP_IDS_PER_CHECK) {
      const chunk = groupIds.slice(start, start + MAX_GROUP_IDS_PER_CHECK);
      const response = await this.request('POST', `${userPath(userId)}/checkMemberGroups`, { groupIds: chunk });
      for (const id of stringsIn(succeeded(response, userNotFound(userId)).body?.value)) memberOf.add(id);
    }
    return groupIds.filter((id) => memberOf.has(id));
  }

  async getGroupMembers(groupId: string): Promise<DirectoryUser[]> {
    const path = withQuery(`${groupPath(groupId)}/transitiveMembers/microsoft.graph.user`, {
      $select: USER_PROPERTIES,
      $top: String(MAX_MEMBERS_PER_PAGE),
    });
    const members = await this.list(path, groupNotFound(groupId), { maxPages: MAX_MEMBER_PAGES });
    return members.map((member) => toDirectoryUser(member, undefined));
  }

  async getDirectoryRoles(userId: string): Promise<string[]> {
    const path = withQuery(`${userPath(userId)}/transitiveMemberOf/microsoft.graph.directoryRole`, {
      $select: 'displayName,id',
    });
    const roles = await this.list(path, userNotFound(userId));
    // Without RoleManagement.Read.Directory Graph lists the roles without their names: each still counts (a role
    // holder must never pass as an ordinary account), named by its id.
    return roles
      .map((role) => text(role.displayName) ?? text(role.id))
      .filter((name): name is string => name !== undefined);
  }

  async deleteAuthenticationMethod(userId: string, method: Pick<AuthMethod, 'id' | 'kind'>): Promise<void> {
    if (method.kind === 'password') {
      throw new DirectoryRequestError(400, 'badRequest', 'The password method cannot be deleted');
    }
    const path = `${userPath(userId)}/authentication/${COLLECTION_BY_KIND[method.kind]}/${encodeURIComponent(method.id)}`;
    const response = await this.request('DELETE', path);
    succeeded(response, (requestId) => new MethodNotFoundError(method.id, requestId));
  }

  async revokeSignInSessions(userId: string): Promise<void> {
    succeeded(await this.request('POST', `${userPath(userId)}/revokeSignInSessions`), userNotFound(userId));
  }

  async createTemporaryAccessPass(
    userId: string,
    options: TemporaryAccessPassOptions,
  ): Promise<CreatedTemporaryAccessPass> {
    const body = { lifetimeInMinutes: options.lifetimeInMinutes, isUsableOnce: options.isUsableOnce };
    const path = `${userPath(userId)}/authentication/temporaryAccessPassMethods`;
    const response = succeeded(await this.request('POST', path, body), userNotFound(userId));
    return toCreatedPass(response, options);
  }

  /**
   * The user's preferred second factor, from the sign-in preferences. Microsoft documents that
   * resource on the beta endpoint only (v1.0 does not know the segment), hence the one beta read.
   * It is a refinement: when Graph refuses it, no method is marked default rather than failing.
   */
  private async preferredMethod(userId: string): Promise<string | undefined> {
    const path = `${userPath(userId)}/authentication/signInPreferences`;
    const response = await this.request('GET', path, undefined, 'beta');
    if (response.status === 400 || response.status === 403 || response.status === 404) return undefined;
    return text(succeeded(response).body?.userPreferredMethodForSecondaryAuthentication);
  }

  /**
   * Every item of a collection, following @odata.nextLink until there are none (or `limit` items).
   * A collection that still has a next page after `maxPages` fails as 502 `tooManyPages`.
   */
  private async list(
    path: string,
    notFound: NotFound,
    { limit = Infinity, maxPages = Infinity }: { limit?: number; maxPages?: number } = {},
  ): Promise<GraphObject[]> {
    const items: GraphObject[] = [];
    let next: string | undefined = path;
    for (let pages = 0; next !== undefined && items.length < limit; pages += 1) {
      const response = succeeded(await this.request('GET', next), notFound);
      items.push(...objectsIn(response.body?.value));
      next = text(response.body?.['@odata.nextLink']);
      if (next !== undefined && pages + 1 >= maxPages && items.length < limit) {
        throw new DirectoryRequestError(
          502,
          'tooManyPages',
          `Microsoft Graph still had more after ${maxPages} pages of ${path.split('?')[0]}; stopped there.`,
          response.headers.get('request-id') ?? undefined,
        );
      }
    }
    return items.slice(0, limit);
  }

  /**
   * One request and its whole answer, within `timeoutMs`. HTTP errors come back as responses (the
   * SDK's RAW response type), so that the caller decides what a 404 means; only a timeout, an
   * unreachable service or a failed token throw here.
   */
  private async request(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body?: unknown,
    version?: 'beta',
  ): Promise<GraphResponse> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    // v1.0 unless told otherwise; a nextLink keeps the version written in it.
    const request = this.client.api(path).responseType(ResponseType.RAW).option('signal', controller.signal);
    if (version) request.version(version);
    try {
      // The race also bounds the token request, which the signal does not reach.
      return await Promise.race([readResponse(send(request, method, body)), whenAborted(controller.signal)]);
    } catch (error) {
      if (controller.signal.aborted) {
        throw new DirectoryRequestError(504, 'timeout', `Microsoft Graph did not answer within ${this.timeoutMs} ms.`);
      }
      throw failureWithoutResponse(error);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Both results once both requests have ended, or the first one's error. Unlike Promise.all it
 * leaves no request running after the call has failed.
 */
async function settleBoth<A, B>(first: Promise<A>, second: Promise<B>): Promise<[A, B]> {
  const [a, b] = await Promise.allSettled([first, second]);
  if (a.status === 'rejected') throw a.reason;
  if (b.status === 'rejected') throw b.reason;
  return [a.value, b.value];
}

function send(request: GraphRequest, method: 'GET' | 'POST' | 'DELETE', body: unknown): Promise<Response> {
  switch (method) {
    case 'GET':
      return request.get();
    case 'POST':
      return request.post(body);
    case 'DELETE':
      return request.delete();
  }
}

async function readResponse(pending: Promise<Response>): Promise<GraphResponse> {
  const response = await pending;
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: parseObject(text) };
}

function parseObject(text: string): GraphObject | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function whenAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
}

/** The response when it is a success, otherwise the typed error for it. */
function succeeded(response: GraphResponse, notFound?: NotFound): GraphResponse {
  if (response.status >= 200 && response.status < 300) return response;
  throw toDirectoryError(response, notFound);
}

/** Graph's error answer as one of the typed errors, carrying its status, code, message and request id. */
function toDirectoryError(response: GraphResponse, notFound: NotFound): DirectoryRequestError {
  const { status, headers } = response;
  const error = isObject(response.body?.error) ? response.body.error : {};
  const innerError = isObject(error.innerError) ? error.innerError : {};
  const requestId = headers.get('request-id') ?? text(innerError['request-id']);
  const code = text(error.code) ?? 'unknownError';
  const message = text(error.message) ?? `Microsoft Graph answered ${status}.`;
  switch (status) {
    case 429:
      return withRequestId(new ThrottledError(retryAfterSeconds(headers) ?? DEFAULT_RETRY_AFTER_SECONDS), requestId);
    case 503:
      return withRequestId(new ServiceUnavailableError(retryAfterSeconds(headers)), requestId);
    case 403:
      return new ForbiddenError(message, requestId);
    case 404:
      if (notFound) return withRequestId(notFound(requestId), requestId);
      break;
    case 400:
      if (/cannot delete default method/i.test(message)) return new CannotDeleteDefaultMethodError(requestId);
      break;
  }
  return new DirectoryRequestError(status, code, message, requestId);
}

/** Some error classes take no request id in their constructor; Graph's id still belongs on them. */
function withRequestId<E extends DirectoryRequestError>(error: E, requestId: string | undefined): E {
  if (requestId !== undefined && error.requestId === undefined) Object.assign(error, { requestId });
  return error;
}

/**
 * A failure before any answer: either no connection (the fetch itself failed) or, since the only
 * other step before sending is the authentication handler, no token.
 */
function failureWithoutResponse(error: unknown): DirectoryRequestError {
  if (error instanceof DirectoryRequestError) return error;
  const { name, message } = describe(error);
  // The SDK wraps what the middleware throws in a GraphError whose code is the original error's name.
  const code = isObject(error) ? text(error.code) : undefined;
  if (name === 'GraphTransportError' || code === 'GraphTransportError') {
    return new DirectoryRequestError(503, 'networkError', `Microsoft Graph could not be reached: ${message}`);
  }
  return new DirectoryRequestError(401, 'authenticationFailed', `No token for Microsoft Graph: ${message}`);
}

function describe(error: unknown): { name: string; message: string } {
  return error instanceof Error ? { name: error.name, message: error.message } : { name: '', message: String(error) };
}

/** The most useful words about a failed fetch: undici hides the socket's error code in `cause`. */
function transportDetail(error: unknown): string {
  const cause = error instanceof Error && isObject(error.cause) ? error.cause : undefined;
  return text(cause?.code) ?? text(cause?.message) ?? describe(error).message;
}

/** Retry-After in seconds (Graph sends seconds; an HTTP date is accepted too). */
function retryAfterSeconds(headers: Headers): number | undefined {
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

function userNotFound(userId: string): NotFound {
  return () => new UserNotFoundError(userId);
}

/** Graph's 404 for any unknown object, with the group's id in it whatever the body said. */
function groupNotFound(groupId: string): NotFound {
  const message = `Resource '${groupId}' does not exist or one of its queried reference-property objects are not present.`;
  return (requestId) => new DirectoryRequestError(404, 'Request_ResourceNotFound', message, requestId);
}

function toDirectoryUser(user: GraphObject, managerId: string | undefined): DirectoryUser {
  const state = user.externalUserState;
  return {
    id: text(user.id) ?? '',
    displayName: text(user.displayName) ?? '',
    givenName: text(user.givenName) ?? '',
    surname: text(user.surname) ?? '',
    userPrincipalName: text(user.userPrincipalName) ?? '',
    mail: text(user.mail) ?? '',
    department: text(user.department) ?? '',
    jobTitle: text(user.jobTitle) ?? '',
    businessPhones: stringsIn(user.businessPhones),
    mobilePhone: text(user.mobilePhone),
    preferredLanguage: text(user.preferredLanguage),
    // Only an explicit false means disabled: a missing value must not send anyone down that path.
    accountEnabled: user.accountEnabled !== false,
    managerId,
    externalUserState: state === 'PendingAcceptance' || state === 'Accepted' ? state : undefined,
    externalUserStateChangedAt: date(user.externalUserStateChangeDateTime),
  };
}

/** A listed method in the port's terms; undefined for kinds the bot does not know. */
function toAuthMethod(method: GraphObject): AuthMethod | undefined {
  const kind = KIND_BY_ODATA_TYPE[String(method['@odata.type'])];
  const id = text(method.id);
  if (kind === undefined || id === undefined) return undefined;
  const phoneType = method.phoneType;
  return {
    id,
    kind,
    displayName: DEVICE_KINDS.has(kind) ? (text(method.displayName) ?? text(method.model)) : undefined,
    phoneNumber: kind === 'phone' ? text(method.phoneNumber) : undefined,
    phoneType:
      kind === 'phone' && (phoneType === 'mobile' || phoneType === 'alternateMobile' || phoneType === 'office')
        ? phoneType
        : undefined,
    emailAddress: kind === 'email' ? text(method.emailAddress) : undefined,
    isDefault: false,
    isUsable: kind === 'temporaryAccessPass' ? method.isUsable === true : undefined,
    createdAt: date(method.createdDateTime),
  };
}

function markDefault(methods: AuthMethod[], preferred: string | undefined): AuthMethod[] {
  const candidates = DEFAULT_METHOD_CANDIDATES[preferred?.toLowerCase() ?? ''] ?? [];
  for (const matches of candidates) {
    const index = methods.findIndex(matches);
    if (index >= 0) return methods.map((method, i) => (i === index ? { ...method, isDefault: true } : method));
  }
  return methods;
}

function toSignInRecord(signIn: GraphObject): SignInRecord {
  const status = isObject(signIn.status) ? signIn.status : {};
  const risk = signIn.riskLevelAggregated;
  return {
    at: date(signIn.createdDateTime) ?? new Date(0),
    errorCode: typeof status.errorCode === 'number' ? status.errorCode : 0,
    riskLevel: risk === 'none' || risk === 'low' || risk === 'medium' || risk === 'high' ? risk : undefined,
  };
}

/** The new pass; its value is checked, never quoted (it must not reach an error message or log). */
function toCreatedPass(response: GraphResponse, options: TemporaryAccessPassOptions): CreatedTemporaryAccessPass {
  const pass = response.body ?? {};
  const id = text(pass.id);
  const value = text(pass.temporaryAccessPass);
  if (id === undefined || value === undefined) {
    throw new DirectoryRequestError(
      502,
      'invalidResponse',
      'Microsoft Graph created a Temporary Access Pass but returned no id or value.',
      response.headers.get('request-id') ?? undefined,
    );
  }
  return {
    id,
    value,
    startDateTime: date(pass.startDateTime) ?? date(pass.createdDateTime) ?? new Date(),
    lifetimeInMinutes: typeof pass.lifetimeInMinutes === 'number' ? pass.lifetimeInMinutes : options.lifetimeInMinutes,
    isUsableOnce: typeof pass.isUsableOnce === 'boolean' ? pass.isUsableOnce : options.isUsableOnce,
  };
}

function userPath(userId: string): string {
  return `/users/${encodeURIComponent(userId)}`;
}

function groupPath(groupId: string): string {
  return `/groups/${encodeURIComponent(groupId)}`;
}

/** A path with its query, each value percent-encoded (the SDK passes query strings through as they are). */
function withQuery(path: string, query: Record<string, string>): string {
  const pairs = Object.entries(query).map(([key, value]) => `${key}=${encodeURIComponent(value)}`);
  return `${path}?${pairs.join('&')}`;
}

/** The origin of an https:// URL; Graph's SDK neither authenticates nor parses anything else. */
function httpsOrigin(baseUrl: string): string {
  let url: URL | undefined;
  try {
    url = new URL(baseUrl);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'https:') {
    throw new ConfigurationError([`The Microsoft Graph base URL must be an https:// URL, not "${baseUrl}".`]);
  }
  return url.origin;
}

function isObject(value: unknown): value is GraphObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function date(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
}

function objectsIn(value: unknown): GraphObject[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function stringsIn(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

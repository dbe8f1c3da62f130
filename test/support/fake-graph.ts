import { execFile } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createServer, request as httpsRequest, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DemoMethod, DemoTenant, DemoUser } from '../../src/directory/demo-tenant.js';
import type { GraphFetch } from '../../src/directory/graph-directory.js';

/** Graph's fixed method ids: the password, the email method and each kind of phone. */
export const GRAPH_METHOD_IDS = {
  password: '28c10230-6103-485e-b985-444c60001490',
  email: '3ddfcfc8-9383-446f-83cc-3ab9be4be18f',
  mobile: '3179e48a-750b-4051-897c-87b9720928f7',
  alternateMobile: 'b6332ec1-7057-4abe-9331-3d72feddfe41',
  office: 'e37fc753-ff3b-4958-9484-eaa9425c82bc',
} as const;

/** One request the fake received, in arrival order. */
export interface GraphCall {
  method: string;
  /** The path as sent, percent-encoding included: `/v1.0/users/a%2Fb/manager`. */
  path: string;
  /** The query parameters, decoded. */
  query: Record<string, string>;
  /** The JSON body, parsed; undefined when there was none. */
  body: unknown;
  authorization: string | undefined;
  headers: IncomingHttpHeaders;
  /** The `request-id` the fake answered with. */
  requestId: string;
}

/** Which calls an injected failure applies to: a predicate, or a method and a path (exact or pattern). */
export type GraphCallMatcher = ((call: GraphCall) => boolean) | { method?: string; path?: string | RegExp };

/** An error answer to inject, as Graph sends it. */
export interface GraphFailure {
  status: number;
  code: string;
  message: string;
  /** Sent as the Retry-After header. */
  retryAfterSeconds?: number;
}

/** A resource as Graph returns it (`@odata.type`, `id` and the type's own properties). */
export type GraphResource = { id: string } & Record<string, unknown>;

/** A person to put in the fake directory. */
export interface FakeUserInput {
  id: string;
  /** The user's Graph properties besides `id` (displayName, mail, accountEnabled, …); unset ones read as null. */
  properties?: Record<string, unknown>;
  managerId?: string;
  /** Display names of the directory roles held (privileged accounts). */
  directoryRoles?: string[];
  /** Registered methods as Graph lists them, besides the password, which every user gets. */
  methods?: GraphResource[];
  /** `userPreferredMethodForSecondaryAuthentication`: push, oath, sms, voiceMobile, voiceOffice, … */
  preferredMethod?: string;
}

/** A person in the fake directory, as the fake holds them; tests read it to see what changed. */
export interface FakeUser {
  resource: GraphResource;
  managerId: string | undefined;
  directoryRoles: string[];
  methods: GraphResource[];
  preferredMethod: string;
}

/** The fake's behaviour switches. */
export interface FakeGraphOptions {
  latencyMs?: number;
  /** Items per page of every collection (Graph's own pages are larger); `$top` makes them smaller. */
  pageSize?: number;
  /** Whether the app holds Privileged Authentication Administrator, which changing an administrator needs. */
  appIsPrivilegedAuthenticationAdministrator?: boolean;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A call held by holdNext(): what it matches, and how the test lets it go. */
interface Hold {
  matches: (call: GraphCall) => boolean;
  arrived: (call: GraphCall) => void;
  decided: Promise<'release' | 'drop'>;
}

/** A call holdNext() holds: resolves `arrived` once it came in; the test then answers or drops it. */
export interface HeldCall {
  arrived: Promise<GraphCall>;
  /** Answers it as if it had never waited. */
  release(): void;
  /** Closes its connection without acting on it, as if it had never reached Graph. */
  drop(): void;
}

interface InjectedFailure {
  matches: (call: GraphCall) => boolean;
  failure: GraphFailure;
}

/** Routing information for one call: the API version and the decoded path segments after it. */
interface Route {
  call: GraphCall;
  version: string;
  segments: string[];
}

const JSON_CONTENT_TYPE = 'application/json;odata.metadata=minimal;odata.streaming=true;charset=utf-8';
const ODATA_TYPE_BY_COLLECTION: Readonly<Record<string, string>> = {
  microsoftAuthenticatorMethods: '#microsoft.graph.microsoftAuthenticatorAuthenticationMethod',
  phoneMethods: '#microsoft.graph.phoneAuthenticationMethod',
  softwareOathMethods: '#microsoft.graph.softwareOathAuthenticationMethod',
  fido2Methods: '#microsoft.graph.fido2AuthenticationMethod',
  emailMethods: '#microsoft.graph.emailAuthenticationMethod',
  windowsHelloForBusinessMethods: '#microsoft.graph.windowsHelloForBusinessAuthenticationMethod',
  temporaryAccessPassMethods: '#microsoft.graph.temporaryAccessPassAuthenticationMethod',
};
const PHONE_TYPE = '#microsoft.graph.phoneAuthenticationMethod';
const PASS_TYPE = '#microsoft.graph.temporaryAccessPassAuthenticationMethod';
const PASSWORD_TYPE = '#microsoft.graph.passwordAuthenticationMethod';
/** The preference values that make a phone the default method, by phone type. */
const PHONE_PREFERENCES: Readonly<Record<string, readonly string[]>> = {
  mobile: ['sms', 'voiceMobile'],
  alternateMobile: ['voiceAlternateMobile'],
  office: ['voiceOffice'],
};
const DAY_MS = 86_400_000;

/**
 * Microsoft Graph v1.0 (and the one beta read) on loopback over HTTPS, as far as the directory
 * uses it: users, managers and reports, authentication methods, sign-in logs, group and role
 * membership, group members, method deletion, session revocation and Temporary Access Passes.
 * Answers with Graph's status codes, error bodies and `request-id` headers, records every call in
 * order, and can be told to be slow or to fail. The certificate is self-signed and made at start;
 * `fetch` trusts it (and only it), so nothing is disabled process-wide.
 */
export class FakeGraph {
  readonly calls: GraphCall[] = [];
  /** Sessions revoked, by revokeSignInSessions or by deleting a usable pass. */
  readonly revocations: Array<{ userId: string; at: Date }> = [];
  /** Every pass created, with its value (which Graph itself returns only once). */
  readonly passes: Array<{ userId: string; id: string; value: string }> = [];
  latencyMs: number;
  pageSize: number;
  appIsPrivilegedAuthenticationAdministrator: boolean;
  /** Whether the app holds RoleManagement.Read.Directory: without it, directory roles come without their names. */
  readsRoleNames = true;
  private readonly users = new Map<string, FakeUser>();
  private readonly groups = new Map<string, Set<string>>();
  private readonly signIns: GraphResource[] = [];
  private readonly failures: InjectedFailure[] = [];
  private readonly holds: Hold[] = [];
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private port = 0;
  private certificate = '';

  constructor(options: FakeGraphOptions = {}) {
    this.latencyMs = options.latencyMs ?? 0;
    this.pageSize = options.pageSize ?? 100;
    this.appIsPrivilegedAuthenticationAdministrator = options.appIsPrivilegedAuthenticationAdministrator ?? false;
  }

  /** The origin to give GraphDirectory as `baseUrl`. */
  get baseUrl(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** The fake's certificate (PEM), for a client that should trust it. */
  get ca(): string {
    return this.certificate;
  }

  /** A fetch over node:https that trusts the fake's certificate; give it to GraphDirectory as `fetch`. */
  get fetch(): GraphFetch {
    return fetchTrusting(this.certificate);
  }

  async start(): Promise<this> {
    const { key, cert } = await selfSignedCertificate();
    this.certificate = cert;
    this.server = createServer({ key, cert }, (req, res) => void this.handle(req, res));
    // Tracked from the first byte: a connection still in its TLS handshake is not yet the HTTP layer's.
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    const closed = new Promise<void>((resolve) => this.server!.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  /** Adds a person (with the password method every account has). */
  addUser(input: FakeUserInput): this {
    const password: GraphResource = {
      '@odata.type': PASSWORD_TYPE,
      id: GRAPH_METHOD_IDS.password,
      password: null,
      createdDateTime: '2024-01-15T08:00:00Z',
    };
    this.users.set(input.id, {
      resource: { ...input.properties, id: input.id },
      managerId: input.managerId,
      directoryRoles: [...(input.directoryRoles ?? [])],
      methods: [password, ...(input.methods ?? []).map((method) => ({ ...method }))],
      preferredMethod: input.preferredMethod ?? 'none',
    });
    return this;
  }

  /** A group and its members: user ids or, for nested groups, group ids. */
  addGroup(id: string, memberIds: readonly string[]): this {
    this.groups.set(id, new Set(memberIds));
    return this;
  }

  /** Sign-in log records as Graph returns them (id, userId, createdDateTime, status.errorCode, riskLevelAggregated). */
  addSignIns(...signIns: GraphResource[]): this {
    this.signIns.push(...signIns);
    return this;
  }

  /** Fills the fake from the demo tenant, its relative times counted back from `now`. */
  seedDemoTenant(tenant: DemoTenant, now: Date = new Date()): this {
    for (const user of tenant.users) {
      this.addUser(fromDemoUser(user, now));
      this.addSignIns(...user.signIns.map((signIn, index) => demoSignIn(user.id, index, signIn, now)));
    }
    for (const group of tenant.groups) this.addGroup(group.id, group.members);
    return this;
  }

  /** The person as the fake holds them now, or undefined. */
  user(id: string): FakeUser | undefined {
    return this.users.get(id);
  }

  /** The next call that matches is answered with this error (once). */
  failNext(matcher: GraphCallMatcher, failure: GraphFailure): void {
    this.failures.push({ matches: toPredicate(matcher), failure });
  }

  /**
   * The next call that matches is recorded and then waits, without a timer, until the test releases or drops it:
   * a worker stopped in the middle of a step, however slow the machine.
   */
  holdNext(matcher: GraphCallMatcher): HeldCall {
    let arrived!: (call: GraphCall) => void;
    let decide!: (decision: 'release' | 'drop') => void;
    const held: HeldCall = {
      arrived: new Promise((resolve) => (arrived = resolve)),
      release: () => decide('release'),
      drop: () => decide('drop'),
    };
    this.holds.push({ matches: toPredicate(matcher), arrived, decided: new Promise((resolve) => (decide = resolve)) });
    return held;
  }

  clearCalls(): void {
    this.calls.length = 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const call: GraphCall = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: parseJson(await readBody(req)),
      authorization: req.headers.authorization,
      headers: req.headers,
      requestId: randomUUID(),
    };
    this.calls.push(call);
    const hold = this.holds.find((candidate) => candidate.matches(call));
    if (hold) {
      this.holds.splice(this.holds.indexOf(hold), 1);
      hold.arrived(call);
      if ((await hold.decided) === 'drop') return void res.destroy();
    }
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    const reply = this.answer(call, req.url ?? '/');
    // The client may have given up (timeout tests); writing to its closed socket is harmless.
    res.on('error', () => undefined);
    if (res.destroyed) return;
    const clientRequestId = req.headers['client-request-id'];
    res.writeHead(reply.status, {
      'request-id': call.requestId,
      'client-request-id': typeof clientRequestId === 'string' ? clientRequestId : call.requestId,
      ...(reply.body === undefined ? {} : { 'content-type': JSON_CONTENT_TYPE }),
      ...reply.headers,
    });
    res.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
  }

  private answer(call: GraphCall, rawUrl: string): Reply {
    if (!/^Bearer \S+/.test(call.authorization ?? '')) {
      return this.error(call, 401, 'InvalidAuthenticationToken', 'Access token is empty.');
    }
    const injected = this.failures.findIndex((failure) => failure.matches(call));
    if (injected >= 0) {
      const [{ failure }] = this.failures.splice(injected, 1) as [InjectedFailure];
      const headers =
        failure.retryAfterSeconds === undefined ? undefined : { 'retry-after': String(failure.retryAfterSeconds) };
      return this.error(call, failure.status, failure.code, failure.message, headers);
    }
    const [, version = '', ...segments] = call.path.split('/').map((segment) => decodeURIComponent(segment));
    if (version !== 'v1.0' && version !== 'beta') {
      return this.error(call, 400, 'BadRequest', `Invalid version: ${version}`);
    }
    return this.route({ call, version, segments }, rawUrl);
  }

  private route(route: Route, rawUrl: string): Reply {
    const { call, segments } = route;
    const [root, userId = '', ...rest] = segments;
    const resource = `${call.method} ${rest.join('/')}`;
    if (root === 'auditLogs' && userId === 'signIns' && rest.length === 0 && call.method === 'GET') {
      return this.listSignIns(route, rawUrl);
    }
    if (root === 'groups') return this.routeGroup(route, rawUrl);
    if (root !== 'users') return this.unknownSegment(route);
    const user = this.users.get(userId);
    if (!user) return this.resourceNotFound(call, userId);
    switch (resource) {
      case 'GET ':
        return this.ok(route, `users/$entity`, select(user.resource, call.query.$select));
      case 'GET manager':
        return this.getManager(route, user);
      case 'GET directReports/microsoft.graph.user':
        return this.page(route, rawUrl, 'users', this.directReports(userId));
      case 'GET authentication/methods':
        return this.page(route, rawUrl, `users('${userId}')/authentication/methods`, user.methods.map(withoutSecrets));
      case 'GET authentication/signInPreferences':
        return this.getSignInPreferences(route, user);
      case 'GET transitiveMemberOf/microsoft.graph.directoryRole':
        return this.page(route, rawUrl, 'directoryRoles', this.directoryRoles(user));
      case 'POST checkMemberGroups':
        return this.checkMemberGroups(route, userId);
      case 'POST revokeSignInSessions':
        this.revocations.push({ userId, at: new Date() });
        return this.ok(route, 'Edm.Boolean', { value: true });
      case 'POST authentication/temporaryAccessPassMethods':
        return this.createPass(route, user);
    }
    if (call.method === 'DELETE' && rest.length === 3 && rest[0] === 'authentication') {
      return this.deleteMethod(route, user, rest[1]!, rest[2]!);
    }
    return this.unknownSegment(route);
  }

  /** `/groups/{id}/…`: only the transitive user members; an unknown group is 404, as any unknown object. */
  private routeGroup(route: Route, rawUrl: string): Reply {
    const [, groupId = '', ...rest] = route.segments;
    if (!this.groups.has(groupId)) return this.resourceNotFound(route.call, groupId);
    if (route.call.method === 'GET' && rest.join('/') === 'transitiveMembers/microsoft.graph.user') {
      return this.page(route, rawUrl, 'users', this.transitiveUsers(groupId));
    }
    return this.unknownSegment(route);
  }

  /** The users in a group and in the groups nested in it, each once; members that are neither are skipped. */
  private transitiveUsers(groupId: string): GraphResource[] {
    const found = new Map<string, GraphResource>();
    const seen = new Set<string>();
    const visit = (id: string): void => {
      if (seen.has(id)) return;
      seen.add(id);
      for (const member of this.groups.get(id) ?? []) {
        const user = this.users.get(member);
        if (user && !found.has(member)) found.set(member, { '@odata.type': '#microsoft.graph.user', ...user.resource });
        if (this.groups.has(member)) visit(member);
      }
    };
    visit(groupId);
    return [...found.values()];
  }

  private getManager(route: Route, user: FakeUser): Reply {
    const manager = user.managerId === undefined ? undefined : this.users.get(user.managerId);
    if (!manager) {
      const message =
        "Resource 'manager' does not exist or one of its queried reference-property objects are not present.";
      return this.error(route.call, 404, 'Request_ResourceNotFound', message);
    }
    const body = { '@odata.type': '#microsoft.graph.user', ...select(manager.resource, route.call.query.$select) };
    return this.ok(route, 'directoryObjects/$entity', body);
  }

  private directReports(managerId: string): GraphResource[] {
    return [...this.users.values()]
      .filter((user) => user.managerId === managerId)
      .map((user) => ({ '@odata.type': '#microsoft.graph.user', ...user.resource }));
  }

  private directoryRoles(user: FakeUser): GraphResource[] {
    return user.directoryRoles.map((displayName) => {
      const id = stableGuid(`role/${displayName}`);
      // Graph returns only the id and type of objects the app has no permission to read.
      if (!this.readsRoleNames) return { '@odata.type': '#microsoft.graph.directoryRole', id };
      return {
        '@odata.type': '#microsoft.graph.directoryRole',
        id,
        displayName,
        roleTemplateId: stableGuid(`role-template/${displayName}`),
      };
    });
  }

  /** Sign-in preferences exist on the beta endpoint only; v1.0 does not know the segment. */
  private getSignInPreferences(route: Route, user: FakeUser): Reply {
    if (route.version !== 'beta') return this.unknownSegment(route);
    return this.ok(route, 'users/authentication/signInPreferences/$entity', {
      isSystemPreferredAuthenticationMethodEnabled: false,
      userPreferredMethodForSecondaryAuthentication: user.preferredMethod,
      systemPreferredAuthenticationMethod: null,
    });
  }

  private checkMemberGroups(route: Route, userId: string): Reply {
    const body = route.call.body as { groupIds?: unknown } | undefined;
    const groupIds = Array.isArray(body?.groupIds) ? body.groupIds.filter((id) => typeof id === 'string') : undefined;
    if (!groupIds) return this.error(route.call, 400, 'Request_BadRequest', 'groupIds is required.');
    if (groupIds.length > 20) {
      const message = 'The request exceeds the limit of 20 groups that can be checked at once.';
      return this.error(route.call, 400, 'Request_BadRequest', message);
    }
    return this.ok(route, 'Collection(Edm.String)', {
      value: groupIds.filter((groupId) => this.isMember(groupId, userId, new Set())),
    });
  }

  /** Membership through nested groups too, as Graph's checkMemberGroups is transitive. */
  private isMember(groupId: string, memberId: string, seen: Set<string>): boolean {
    const members = this.groups.get(groupId);
    if (!members || seen.has(groupId)) return false;
    seen.add(groupId);
    if (members.has(memberId)) return true;
    return [...members].some((member) => this.groups.has(member) && this.isMember(member, memberId, seen));
  }

  private deleteMethod(route: Route, user: FakeUser, collection: string, methodId: string): Reply {
    const odataType = ODATA_TYPE_BY_COLLECTION[collection];
    if (!odataType) return this.unknownSegment(route);
    if (!this.mayChange(user)) return this.forbidden(route.call);
    const method = user.methods.find(
      (candidate) => candidate.id === methodId && candidate['@odata.type'] === odataType,
    );
    if (!method) {
      return this.error(route.call, 404, 'itemNotFound', `Authentication method '${methodId}' was not found.`);
    }
    const others = user.methods.filter((other) => other !== method && other['@odata.type'] !== PASSWORD_TYPE);
    if (isDefaultPhone(user, method) && others.length > 0) {
      return this.error(route.call, 400, 'badRequest', 'Cannot delete default method');
    }
    user.methods = user.methods.filter((other) => other !== method);
    if (method['@odata.type'] === PASS_TYPE && method.isUsable === true) {
      this.revocations.push({ userId: user.resource.id, at: new Date() });
    }
    if (isPreferred(user, method)) user.preferredMethod = nextPreference(user.methods);
    return { status: 204 };
  }

  /** One pass per user: a new one replaces the old (new id, new value). */
  private createPass(route: Route, user: FakeUser): Reply {
    if (!this.mayChange(user)) return this.forbidden(route.call);
    const body = (route.call.body ?? {}) as Record<string, unknown>;
    const lifetime = body.lifetimeInMinutes ?? 60;
    if (typeof lifetime !== 'number' || !Number.isInteger(lifetime) || lifetime < 10 || lifetime > 43_200) {
      const message = 'The lifetime of a Temporary Access Pass must be between 10 and 43200 minutes.';
      return this.error(route.call, 400, 'badRequest', message);
    }
    const now = new Date().toISOString();
    const pass: GraphResource = {
      '@odata.type': PASS_TYPE,
      id: randomUUID(),
      isUsable: true,
      methodUsabilityReason: 'EnabledByPolicy',
      createdDateTime: now,
      startDateTime: typeof body.startDateTime === 'string' ? body.startDateTime : now,
      lifetimeInMinutes: lifetime,
      isUsableOnce: body.isUsableOnce === true,
    };
    const value = passValue();
    user.methods = [...user.methods.filter((method) => method['@odata.type'] !== PASS_TYPE), pass];
    this.passes.push({ userId: user.resource.id, id: pass.id, value });
    const context = `users('${user.resource.id}')/authentication/temporaryAccessPassMethods/$entity`;
    return { ...this.ok(route, context, { ...pass, temporaryAccessPass: value }), status: 201 };
  }

  private listSignIns(route: Route, rawUrl: string): Reply {
    const filter = route.call.query.$filter;
    let userId: string | undefined;
    if (filter !== undefined) {
      const match = /^userId eq '((?:[^']|'')*)'$/.exec(filter);
      if (!match) return this.error(route.call, 400, 'BadRequest', `Invalid filter clause: ${filter}`);
      userId = match[1]!.replaceAll("''", "'");
    }
    const records = this.signIns
      .filter((signIn) => userId === undefined || signIn.userId === userId)
      .sort((a, b) => String(b.createdDateTime).localeCompare(String(a.createdDateTime)));
    return this.page(route, rawUrl, 'auditLogs/signIns', records);
  }

  /**
   * One page of a collection: `$top` (or the fake's page size) items from the `$skiptoken` offset,
   * with an absolute @odata.nextLink while more remain, like Graph.
   */
  private page(route: Route, rawUrl: string, context: string, items: GraphResource[]): Reply {
    const { query } = route.call;
    const offset = query.$skiptoken === undefined ? 0 : Number(Buffer.from(query.$skiptoken, 'base64url').toString());
    const top = query.$top === undefined ? this.pageSize : Math.min(Number(query.$top), this.pageSize);
    const selected = items.slice(offset, offset + top).map((item) => select(item, query.$select, true));
    const body: Record<string, unknown> = { value: selected };
    if (offset + top < items.length) {
      const [path, search = ''] = rawUrl.split('?');
      const kept = search.split('&').filter((pair) => pair !== '' && !pair.startsWith('$skiptoken='));
      const token = Buffer.from(String(offset + top)).toString('base64url');
      body['@odata.nextLink'] = `${this.baseUrl}${path}?${[...kept, `$skiptoken=${token}`].join('&')}`;
    }
    return this.ok(route, context, body);
  }

  /** Changing an administrator's methods takes Privileged Authentication Administrator. */
  private mayChange(user: FakeUser): boolean {
    return user.directoryRoles.length === 0 || this.appIsPrivilegedAuthenticationAdministrator;
  }

  private ok(route: Route, context: string, body: Record<string, unknown>): Reply {
    return {
      status: 200,
      body: { '@odata.context': `${this.baseUrl}/${route.version}/$metadata#${context}`, ...body },
    };
  }

  private forbidden(call: GraphCall): Reply {
    return this.error(call, 403, 'accessDenied', 'Request Authorization failed');
  }

  /** Graph's answer for any directory object (user, group) that does not exist. */
  private resourceNotFound(call: GraphCall, id: string): Reply {
    const message = `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`;
    return this.error(call, 404, 'Request_ResourceNotFound', message);
  }

  private unknownSegment(route: Route): Reply {
    const last = route.segments.at(-1) ?? '';
    return this.error(route.call, 400, 'BadRequest', `Resource not found for the segment '${last}'.`);
  }

  private error(
    call: GraphCall,
    status: number,
    code: string,
    message: string,
    headers?: Record<string, string>,
  ): Reply {
    const innerError = {
      date: new Date().toISOString().slice(0, 19),
      'request-id': call.requestId,
      'client-request-id': call.headers['client-request-id'] ?? call.requestId,
    };
    return { status, headers, body: { error: { code, message, innerError } } };
  }
}

/**
 * A fetch over node:https that trusts exactly this certificate. Node's built-in fetch takes a CA
 * only through undici's dispatcher, and undici is not a dependency here.
 */
export function fetchTrusting(ca: string): GraphFetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    return new Promise<Response>((resolve, reject) => {
      const headers = Object.fromEntries(request.headers);
      const options = { method: request.method, headers, ca, signal: request.signal };
      const outgoing = httpsRequest(request.url, options, (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', reject);
        incoming.on('end', () => resolve(toResponse(incoming, Buffer.concat(chunks))));
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  };
}

function toResponse(incoming: IncomingMessage, body: Buffer): Response {
  const headers = new Headers();
  for (let i = 0; i + 1 < incoming.rawHeaders.length; i += 2) {
    headers.append(incoming.rawHeaders[i]!, incoming.rawHeaders[i + 1]!);
  }
  const status = incoming.statusCode ?? 500;
  // A Response with a null-body status may not carry a body, not even an empty one.
  const nullBody = status === 204 || status === 304;
  return new Response(nullBody ? null : body, { status, statusText: incoming.statusMessage ?? '', headers });
}

const execFileAsync = promisify(execFile);
/** Made once per test process: openssl is quick, but every fake would otherwise make its own. */
let certificate: Promise<{ key: string; cert: string }> | undefined;

/** A self-signed certificate for 127.0.0.1, made with the openssl command line. */
export function selfSignedCertificate(): Promise<{ key: string; cert: string }> {
  certificate ??= makeCertificate();
  return certificate;
}

async function makeCertificate(): Promise<{ key: string; cert: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'fake-graph-'));
  try {
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    await execFileAsync('openssl', [
      'req',
      '-x509',
      ...['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
      ...['-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=127.0.0.1'],
      ...['-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
    ]);
    return { key: await readFile(keyPath, 'utf8'), cert: await readFile(certPath, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function toPredicate(matcher: GraphCallMatcher): (call: GraphCall) => boolean {
  if (typeof matcher === 'function') return matcher;
  return (call) =>
    (matcher.method === undefined || matcher.method === call.method) &&
    (matcher.path === undefined ||
      (typeof matcher.path === 'string' ? matcher.path === call.path : matcher.path.test(call.path)));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  return text === '' ? undefined : JSON.parse(text);
}

/** The properties `$select` names (unset ones as null, as Graph answers), or everything without it. */
function select(resource: GraphResource, $select: string | undefined, keepType = false): GraphResource {
  if ($select === undefined) return resource;
  const picked: Record<string, unknown> = {};
  if (keepType && resource['@odata.type'] !== undefined) picked['@odata.type'] = resource['@odata.type'];
  for (const name of $select.split(',')) picked[name] = resource[name] ?? null;
  return picked as GraphResource;
}

/** A pass is listed without its value: Graph returns the value only when creating it. */
function withoutSecrets(method: GraphResource): GraphResource {
  return method['@odata.type'] === PASS_TYPE ? { ...method, temporaryAccessPass: null } : method;
}

function phoneTypeOf(method: GraphResource): string | undefined {
  return method['@odata.type'] === PHONE_TYPE ? String(method.phoneType) : undefined;
}

function isDefaultPhone(user: FakeUser, method: GraphResource): boolean {
  return phoneTypeOf(method) !== undefined && isPreferred(user, method);
}

function isPreferred(user: FakeUser, method: GraphResource): boolean {
  const phoneType = phoneTypeOf(method);
  if (phoneType !== undefined) return (PHONE_PREFERENCES[phoneType] ?? []).includes(user.preferredMethod);
  return preferenceFor(method) === user.preferredMethod;
}

/** The preference value that designates this method as default, if it can be one. */
function preferenceFor(method: GraphResource): string | undefined {
  const phoneType = phoneTypeOf(method);
  if (phoneType !== undefined) return PHONE_PREFERENCES[phoneType]?.[0];
  if (method['@odata.type'] === '#microsoft.graph.microsoftAuthenticatorAuthenticationMethod') return 'push';
  if (method['@odata.type'] === '#microsoft.graph.softwareOathAuthenticationMethod') return 'oath';
  return undefined;
}

/** After the default method goes, Entra falls back to another one the user has (the fake: the first). */
function nextPreference(methods: readonly GraphResource[]): string {
  for (const method of methods) {
    const preference = preferenceFor(method);
    if (preference !== undefined) return preference;
  }
  return 'none';
}

/** A value shaped like Entra's passes: letters, digits and a few symbols. */
function passValue(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#$%&*+=?@';
  return [...randomBytes(12)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

/** A GUID that is the same on every run for the same name. */
function stableGuid(name: string): string {
  const hex = createHash('sha1').update('fake-graph/').update(name).digest('hex');
  return [hex.slice(0, 8), hex.slice(8, 12), `5${hex.slice(13, 16)}`, `8${hex.slice(17, 20)}`, hex.slice(20, 32)].join(
    '-',
  );
}

function fromDemoUser(user: DemoUser, now: Date): FakeUserInput {
  const changedDaysAgo = user.externalUserStateChangedDaysAgo;
  const defaultMethod = user.methods.find((method) => 'isDefault' in method && method.isDefault);
  return {
    id: user.id,
    properties: {
      displayName: user.displayName,
      givenName: user.givenName,
      surname: user.surname,
      userPrincipalName: user.userPrincipalName,
      mail: user.userPrincipalName,
      department: user.department,
      jobTitle: user.jobTitle,
      // Graph always answers both: an empty list and null when the directory holds no number.
      businessPhones: [...user.businessPhones],
      mobilePhone: user.mobilePhone ?? null,
      preferredLanguage: user.preferredLanguage ?? null,
      accountEnabled: user.accountEnabled,
      externalUserState: user.externalUserState ?? null,
      externalUserStateChangeDateTime:
        changedDaysAgo === undefined ? null : new Date(now.getTime() - changedDaysAgo * DAY_MS).toISOString(),
    },
    managerId: user.managerId,
    directoryRoles: user.directoryRoles,
    methods: user.methods.map((method, index) => demoMethod(user.id, index, method, now)),
    preferredMethod: defaultMethod === undefined ? 'none' : demoPreference(defaultMethod),
  };
}

function demoPreference(method: DemoMethod): string {
  switch (method.kind) {
    case 'microsoftAuthenticator':
      return 'push';
    case 'softwareOath':
      return 'oath';
    case 'phone':
      return PHONE_PREFERENCES[method.phoneType]![0]!;
    default:
      // FIDO2 keys and Windows Hello sign in without a second factor; Graph's preference has no value for them.
      return 'none';
  }
}

function demoMethod(userId: string, index: number, method: DemoMethod, now: Date): GraphResource {
  const id = stableGuid(`${userId}/methods/${index}`);
  // Without a registration date the method is older than any recent-change window.
  const daysAgo = 'registeredDaysAgo' in method ? (method.registeredDaysAgo ?? 400) : 400;
  const createdDateTime = new Date(now.getTime() - daysAgo * DAY_MS).toISOString();
  switch (method.kind) {
    case 'microsoftAuthenticator':
      return {
        '@odata.type': '#microsoft.graph.microsoftAuthenticatorAuthenticationMethod',
        id,
        displayName: method.displayName,
        deviceTag: 'SoftwareTokenActivated',
        phoneAppVersion: '6.8.7',
        createdDateTime,
      };
    case 'phone':
      return {
        '@odata.type': PHONE_TYPE,
        id: GRAPH_METHOD_IDS[method.phoneType],
        phoneNumber: method.phoneNumber,
        phoneType: method.phoneType,
        smsSignInState: 'notAllowedByPolicy',
      };
    case 'softwareOath':
      return { '@odata.type': '#microsoft.graph.softwareOathAuthenticationMethod', id, secretKey: null };
    case 'fido2':
      return {
        '@odata.type': '#microsoft.graph.fido2AuthenticationMethod',
        id,
        displayName: method.displayName,
        model: method.displayName,
        attestationLevel: 'attested',
        createdDateTime,
      };
    case 'windowsHelloForBusiness':
      return {
        '@odata.type': '#microsoft.graph.windowsHelloForBusinessAuthenticationMethod',
        id,
        displayName: method.displayName,
        keyStrength: 'normal',
        createdDateTime,
      };
    case 'email':
      return {
        '@odata.type': '#microsoft.graph.emailAuthenticationMethod',
        id: GRAPH_METHOD_IDS.email,
        emailAddress: method.emailAddress,
      };
    case 'temporaryAccessPass':
      return {
        '@odata.type': PASS_TYPE,
        id,
        isUsable: method.usable,
        methodUsabilityReason: method.usable ? 'EnabledByPolicy' : 'Expired',
        createdDateTime,
        startDateTime: createdDateTime,
        lifetimeInMinutes: 60,
        isUsableOnce: false,
      };
  }
}

function demoSignIn(userId: string, index: number, signIn: DemoUser['signIns'][number], now: Date): GraphResource {
  return {
    id: stableGuid(`${userId}/signIns/${index}`),
    userId,
    createdDateTime: new Date(now.getTime() - signIn.minutesAgo * 60_000).toISOString(),
    status: { errorCode: signIn.errorCode, failureReason: signIn.errorCode === 0 ? null : 'Other.' },
    riskLevelAggregated: signIn.riskLevel,
  };
}

import { Verbs } from '../../src/cards/verbs.js';
import { tenant, type Sender } from './activities.js';

/** A small seeded generator (mulberry32): one seed, the same requests on every run. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  int(below: number): number {
    return Math.floor(this.next() * below);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }
}

/** One request of the fuzz: a body to send as it is, and what it was meant to be, for the failure message. */
export interface FuzzedRequest {
  body: string;
  contentType: string;
  /** The activity type and name or verb it started from, and the mutations applied. */
  label: string;
  /** The invoke's name, when the body is an invoke the bot was never meant to serve. */
  unknownInvoke: boolean;
}

/** What the fuzz knows of the bot under test: where replies go, and ids worth aiming at. */
export interface FuzzTarget {
  serviceUrl: string;
  people: readonly Sender[];
  requestIds: readonly string[];
  approvalChannelId: string;
}

/** Text that has broken parsers, loggers and databases somewhere. */
const AWKWARD_TEXT = [
  'パスワードを忘れました',
  'Ünïcödé ça va',
  '👨‍👩‍👧‍👦🔑',
  '\u202Eevil.exe',
  'nul\u0000byte',
  'lone \uD800 surrogate',
  'zero\u200Bwidth',
  '𝕏𝕐ℤ',
  '\r\n\t',
  '<at>Sign-in Help</at>',
  '${subject.name}',
  '[x](https://evil.example)',
  "'; DROP TABLE requests; --",
  '%s%n%x',
  '__proto__',
  'constructor',
  'status SIH-000001',
  'help',
  'I lost my phone',
  'set approval channel',
  'queue',
  'stats 90',
];

/** Keys that mean something to JavaScript objects. */
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty'];

/** Invoke names Teams sends to bots, most of which this bot does not serve, and some nobody sends. */
const INVOKE_NAMES = [
  'adaptiveCard/action',
  'composeExtension/query',
  'composeExtension/submitAction',
  'task/fetch',
  'task/submit',
  'signin/verifyState',
  'signin/tokenExchange',
  'message/submitAction',
  'handoff/action',
  'config/fetch',
  'actionableMessage/executeAction',
  'fileConsent/invoke',
  'healthCheck',
  '',
  'x'.repeat(300),
];

const VERBS = Object.values(Verbs);
const INPUTS = [
  'verification',
  'verificationNote',
  'rejectReason',
  'question',
  'answer',
  'managerNote',
  'handOverTo',
  'reason',
  'lostMethods',
  'contact',
  'note',
  'subjectId',
  'diagnosisId',
  'node',
  'choice',
  'intent',
  'days',
];

/** Sets a key as an own property, even `__proto__`, so that JSON.stringify writes it. */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** An object nested `depth` levels deep. */
function nested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? { a: value } : [value];
  return value;
}

/** Builds seeded requests to /api/messages: valid activities first, then broken in one to three places. */
export class ActivityFuzzer {
  constructor(
    private readonly random: SeededRandom,
    private readonly target: FuzzTarget,
  ) {}

  /** A value of any JSON type, often one that no field expects. */
  awkwardValue(depth = 0): unknown {
    const r = this.random;
    switch (r.int(15)) {
      case 0:
        return null;
      case 1:
        return r.chance(0.5);
      case 2:
        return r.pick([0, -1, 1.5, 1e308, -1e-308, 2 ** 53 + 1]);
      case 3:
        return '';
      case 4:
        return r.pick(AWKWARD_TEXT);
      case 5:
        return 'x'.repeat(r.int(40_000));
      case 6:
        return [];
      case 7:
        return {};
      case 8:
        return nested(1 + r.int(2_000));
      case 9: {
        const object: Record<string, unknown> = {};
        define(object, r.pick(PROTOTYPE_KEYS), depth < 3 ? this.awkwardValue(depth + 1) : 'x');
        return object;
      }
      case 10:
        return { toString: 'x', valueOf: 'x' };
      case 11:
        return depth < 3 ? [this.awkwardValue(depth + 1), this.awkwardValue(depth + 1)] : ['x'];
      case 12:
        return r.pick(VERBS);
      case 13:
        return r.pick(this.target.requestIds);
      default:
        return String(r.int(1_000_000));
    }
  }

  /** The next request: mostly a mutated activity, sometimes a body that is not an activity at all. */
  next(): FuzzedRequest {
    const r = this.random;
    if (r.chance(0.05)) return this.rawBody();
    const activity = this.activity();
    const mutations: string[] = [];
    const count = r.chance(0.15) ? 0 : 1 + r.int(3);
    for (let i = 0; i < count; i++) mutations.push(this.mutate(activity));
    const name = typeof activity.name === 'string' ? activity.name : undefined;
    return {
      body: JSON.stringify(activity),
      contentType: 'application/json',
      label: `${typeof activity.type === 'string' ? activity.type : '?'} ${name ?? ''} ${describeAction(activity)} [${mutations.join('; ')}]`,
      unknownInvoke: activity.type === 'invoke' && name !== 'adaptiveCard/action',
    };
  }

  private rawBody(): FuzzedRequest {
    const r = this.random;
    const bodies = [
      '',
      'null',
      '[]',
      '"an activity"',
      '42',
      '{',
      '{"type":',
      '['.repeat(50_000),
      `{"a":${'['.repeat(20_000)}${']'.repeat(20_000)}}`,
      JSON.stringify({ type: 'message', text: 'x'.repeat(300_000) }),
      '\uFEFF{}',
      '{"__proto__":{"polluted":true},"type":"message"}',
    ];
    const body = r.pick(bodies);
    const contentType = r.pick([
      'application/json',
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
    ]);
    return { body, contentType, label: `raw ${contentType} ${body.slice(0, 40)}`, unknownInvoke: false };
  }

  private activity(): Record<string, any> {
    const r = this.random;
    const from = r.pick(this.target.people);
    const inChannel = r.chance(0.3);
    const conversation = inChannel
      ? {
          id: `${this.target.approvalChannelId};messageid=${1 + r.int(3)}`,
          conversationType: 'channel',
          isGroup: true,
          tenantId: tenant.tenant.id,
        }
      : { id: `a:fuzz-${from.id}`, conversationType: 'personal', tenantId: tenant.tenant.id };
    const base: Record<string, any> = {
      id: `fuzz-${r.int(1e9)}`,
      timestamp: new Date().toISOString(),
      channelId: 'msteams',
      serviceUrl: this.target.serviceUrl,
      locale: r.pick(['en-US', 'ja-JP', 'fr-FR']),
      from: { id: `29:${from.id}`, name: from.displayName, aadObjectId: from.id },
      recipient: { id: `28:${tenant.bot.id}`, name: tenant.bot.name },
      conversation,
      channelData: {
        tenant: { id: tenant.tenant.id },
        ...(inChannel
          ? { team: { id: tenant.team.id, name: tenant.team.name }, channel: { id: this.target.approvalChannelId } }
          : {}),
      },
    };
    switch (r.int(6)) {
      case 0:
      case 1:
        return {
          ...base,
          type: 'invoke',
          name: 'adaptiveCard/action',
          value: {
            action: { type: 'Action.Execute', verb: r.pick(VERBS), data: this.buttonData() },
            trigger: 'manual',
          },
        };
      case 2:
        return { ...base, type: 'message', value: { verb: r.pick(VERBS), ...this.buttonData() } };
      case 3: {
        const text = r.pick(AWKWARD_TEXT);
        const mentions = r.chance(0.3)
          ? [
              {
                type: 'mention',
                text: '<at>Sign-in Help</at>',
                mentioned: { id: `28:${tenant.bot.id}`, name: tenant.bot.name },
              },
            ]
          : undefined;
        return {
          ...base,
          type: 'message',
          text: mentions ? `<at>Sign-in Help</at> ${text}` : text,
          ...(mentions ? { entities: mentions } : {}),
        };
      }
      case 4:
        return { ...base, type: 'invoke', name: r.pick(INVOKE_NAMES), value: { anything: this.awkwardValue() } };
      default:
        return {
          ...base,
          type: r.pick([
            'conversationUpdate',
            'installationUpdate',
            'messageReaction',
            'typing',
            'event',
            'endOfConversation',
          ]),
          membersAdded: [{ id: `28:${tenant.bot.id}` }],
          action: 'add',
        };
    }
  }

  /** Data a button could carry: a real or made-up request, a version, and some inputs. */
  private buttonData(): Record<string, unknown> {
    const r = this.random;
    const data: Record<string, unknown> = {
      requestId: r.chance(0.7) ? r.pick(this.target.requestIds) : `req-${r.int(100)}`,
      version: 1 + r.int(4),
    };
    for (let i = r.int(4); i > 0; i--) data[r.pick(INPUTS)] = r.chance(0.7) ? r.pick(AWKWARD_TEXT) : 1 + r.int(3);
    return data;
  }

  /** Breaks one place of the activity; says what it did. */
  private mutate(activity: Record<string, any>): string {
    const r = this.random;
    const places = objectsIn(activity);
    const [path, holder] = r.pick(places);
    const keys = Object.keys(holder);
    const key = keys.length > 0 && r.chance(0.8) ? r.pick(keys) : r.pick([...PROTOTYPE_KEYS, 'extra', 'ü']);
    const where = [...path, key].join('.');
    // Replies must only ever go to the fake connector: the service URL is broken by type, never redirected.
    if (where === 'serviceUrl') {
      const value = r.pick([null, 42, {}, [], true]);
      activity.serviceUrl = value;
      return `serviceUrl = ${JSON.stringify(value)}`;
    }
    if (r.chance(0.3) && Object.hasOwn(holder, key)) {
      delete holder[key];
      return `delete ${where}`;
    }
    const value = this.awkwardValue();
    define(holder, key, value);
    return `${where} = ${JSON.stringify(value)?.slice(0, 60) ?? 'undefined'}`;
  }
}

/** Every object in an activity (arrays included), with its path. */
function objectsIn(root: Record<string, any>): Array<[string[], Record<string, any>]> {
  const found: Array<[string[], Record<string, any>]> = [];
  const visit = (value: unknown, path: string[]) => {
    if (typeof value !== 'object' || value === null || path.length > 6) return;
    found.push([path, value as Record<string, any>]);
    for (const [key, child] of Object.entries(value)) visit(child, [...path, key]);
  };
  visit(root, []);
  return found;
}

function describeAction(activity: Record<string, any>): string {
  const verb = activity.value?.action?.verb ?? activity.value?.verb;
  return typeof verb === 'string' ? verb : '';
}

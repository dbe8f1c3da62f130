import type { DemoTenant, DemoUser } from '../src/directory/demo-tenant.js';

/*
 * The people of the status bench: one large tenant and one small one, each a tree of line managers with six to ten
 * direct reports, and their helpdesk agents. Everything here follows from the number of requests and a fixed seed,
 * so a database seeded once can be measured again (BENCH_STATUS_DB) with the same people.
 */

/** A small, fast generator of numbers in [0, 1), the same sequence for the same seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** One tenant's people; a person is an index into `people`. */
export interface BenchTenant {
  id: string;
  name: string;
  /** Its share of the requests. */
  share: number;
  people: string[];
  /** Each person's line manager (an index), -1 for the person at the top. */
  managerOf: Int32Array;
  /** The people who have direct reports, with theirs. */
  reports: Map<number, number[]>;
  managers: number[];
  agents: string[];
}

export interface BenchPopulation {
  main: BenchTenant;
  /** A small second tenant, so that every query has to filter by tenant. */
  other: BenchTenant;
}

const guid = (prefix: string, n: number) => `${prefix}-0000-4000-8000-${String(n).padStart(12, '0')}`;

function tenant(
  id: string,
  name: string,
  share: number,
  size: number,
  agents: number,
  prefix: string,
  random: () => number,
): BenchTenant {
  const people = Array.from({ length: size }, (_, n) => guid(`${prefix}0`, n + 1));
  // Breadth first: person 0 leads, each manager in turn takes the next six to ten people as direct reports.
  const managerOf = new Int32Array(size).fill(-1);
  const reports = new Map<number, number[]>();
  for (let manager = 0, next = 1; next < size; manager++) {
    const team: number[] = [];
    for (let k = 6 + Math.floor(random() * 5); k > 0 && next < size; k--, next++) {
      managerOf[next] = manager;
      team.push(next);
    }
    reports.set(manager, team);
  }
  return {
    id,
    name,
    share,
    people,
    managerOf,
    reports,
    managers: [...reports.keys()],
    agents: Array.from({ length: agents }, (_, n) => guid(`${prefix}a`, n + 1)),
  };
}

/** About one person for every five requests (200,000 for a million), one in a hundred in the second tenant. */
export function benchPopulation(requests: number, mainTenantId: string): BenchPopulation {
  const random = seededRandom(20_240_601);
  const size = Math.max(100, Math.round(requests / 5));
  return {
    main: tenant(mainTenantId, 'main', 0.99, size, 25, 'b100000', random),
    other: tenant(
      'c7a0f00d-0000-4000-8000-000000000002',
      'second',
      0.01,
      Math.max(20, Math.round(size / 100)),
      3,
      'b200000',
      random,
    ),
  };
}

/**
 * The demo tenant with some of the bench's people added, as the simulated directory reads it: `managers` of the
 * tenant with their direct reports, and the tenant's agents in the helpdesk group. Only these, because the simulated
 * directory finds someone's direct reports by looking at every user (13 ms a call with all 200,000), where Graph
 * answers from an index; the views measured ask it about no one else.
 */
export function benchDirectory(demo: DemoTenant, tenant: BenchTenant, managers: readonly number[]): DemoTenant {
  const template = demo.users.find((user) => user.persona === 'requester')!;
  const person = (n: number): DemoUser => ({
    ...template,
    id: tenant.people[n]!,
    displayName: `Person ${n + 1}`,
    givenName: `Person ${n + 1}`,
    surname: 'Bench',
    userPrincipalName: `${tenant.people[n]!}@contoso.example`,
    managerId: tenant.people[tenant.managerOf[n]!],
    methods: [],
    signIns: [],
    inPlayground: false,
    persona: 'bench person',
  });
  const people = new Set(managers.flatMap((manager) => [manager, ...(tenant.reports.get(manager) ?? [])]));
  const agents = tenant.agents.map((id, n) => ({
    ...person(0),
    id,
    displayName: `Agent ${n + 1}`,
    userPrincipalName: `${id}@contoso.example`,
    managerId: undefined,
  }));
  return {
    ...demo,
    users: [...demo.users, ...[...people].map(person), ...agents],
    groups: demo.groups.map((group) =>
      group.purpose === 'helpdesk' ? { ...group, members: [...group.members, ...tenant.agents] } : group,
    ),
  };
}

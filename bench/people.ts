import type { DemoTenant, DemoUser } from '../src/directory/demo-tenant.js';

/** A demo person by persona; the bench's people are made from them. */
export function persona(demo: DemoTenant, name: string): DemoUser {
  const user = demo.users.find((candidate) => candidate.persona === name);
  if (!user) throw new Error(`the demo tenant has no ${name}`);
  return user;
}

/**
 * The diagnosis the bench's people walk, as a copy of Alex walks it: his recent sign-ins stopped at verification,
 * so "I can't sign in" asks what happened to his phone, and "the notification never arrives" leads to its fix.
 */
export const ALEX_DIAGNOSIS = {
  description: "I can't sign in",
  question: 'q-mfa-problem',
  choice: 'no-prompt',
  outcome: 'notifications-not-arriving',
} as const;

/**
 * `count` copies of Alex (two methods, the Authenticator failing), so that every diagnosis does the same work;
 * ids `<prefix>-0000-4000-8000-<n>`, names `<label> <n>`.
 */
export function copiesOfAlex(
  demo: DemoTenant,
  prefix: string,
  label: string,
  count: number,
  changes: Partial<DemoUser> = {},
): DemoUser[] {
  const alex = persona(demo, 'requester');
  return Array.from({ length: count }, (_, n) => ({
    ...alex,
    id: `${prefix}-0000-4000-8000-${String(n + 1).padStart(12, '0')}`,
    displayName: `${label} ${n + 1}`,
    givenName: label,
    surname: String(n + 1),
    userPrincipalName: `${label.toLowerCase().replaceAll(' ', '.')}${n + 1}@contoso.example`,
    inPlayground: false,
    ...changes,
  }));
}

/** The demo tenant with the bench's people added to its users. */
export function withPeople(demo: DemoTenant, ...people: DemoUser[][]): DemoTenant {
  return { ...demo, users: [...demo.users, ...people.flat()] };
}

import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DemoTenantError } from '../errors.js';
import { projectPath } from '../project-root.js';

const id = z.string().min(1);
const isDefault = z.boolean().default(false);
/** When the method was registered, in days before "now"; older than any recent-change window when absent. */
const registeredDaysAgo = z.number().nonnegative().optional();
/** A phone number in international format, as Graph prints them: "+65 6123 4567", "+81 3 5555 0142". */
const directoryPhone = z.string().regex(/^\+\d{1,3} \d[\d ]{5,16}\d$/, 'must look like +65 6123 4567');

/**
 * One registered method, as the demo data writes it. The password is not listed: every account
 * has one, and the simulated directory adds it as Graph does.
 */
const demoMethodSchema = z.discriminatedUnion('kind', [
  z
    .object({ kind: z.literal('microsoftAuthenticator'), displayName: z.string().min(1), isDefault, registeredDaysAgo })
    .strict(),
  z
    .object({
      kind: z.literal('phone'),
      // As Graph prints them: country code, a space, then the number ("+65 9123 4567").
      phoneNumber: z.string().regex(/^\+\d{1,3} \d[\d ]{5,16}\d$/, 'must look like +65 9123 4567'),
      phoneType: z.enum(['mobile', 'alternateMobile', 'office']),
      isDefault,
      registeredDaysAgo,
    })
    .strict(),
  z.object({ kind: z.literal('softwareOath'), isDefault, registeredDaysAgo }).strict(),
  z.object({ kind: z.literal('fido2'), displayName: z.string().min(1), isDefault, registeredDaysAgo }).strict(),
  z
    .object({
      kind: z.literal('windowsHelloForBusiness'),
      displayName: z.string().min(1),
      isDefault,
      registeredDaysAgo,
    })
    .strict(),
  // Email and Temporary Access Pass cannot be a default MFA method, so they take no isDefault.
  z.object({ kind: z.literal('email'), emailAddress: z.string().email() }).strict(),
  z.object({ kind: z.literal('temporaryAccessPass'), usable: z.boolean() }).strict(),
]);

/** One sign-in attempt, placed relative to "now" so the data never ages; normalised to minutes. */
const demoSignInSchema = z
  .object({
    minutesAgo: z.number().nonnegative().optional(),
    hoursAgo: z.number().nonnegative().optional(),
    daysAgo: z.number().nonnegative().optional(),
    errorCode: z.number().int().nonnegative(),
    /** The risk Identity Protection gave the sign-in (Entra ID P2); none when absent. */
    riskLevel: z.enum(['none', 'low', 'medium', 'high']).default('none'),
  })
  .strict()
  .refine(
    (signIn) => [signIn.minutesAgo, signIn.hoursAgo, signIn.daysAgo].filter((ago) => ago !== undefined).length === 1,
    'give exactly one of minutesAgo, hoursAgo, daysAgo',
  )
  .transform((signIn) => ({
    minutesAgo: signIn.minutesAgo ?? (signIn.hoursAgo ?? 0) * 60 + (signIn.daysAgo ?? 0) * 1440,
    errorCode: signIn.errorCode,
    riskLevel: signIn.riskLevel,
  }));

const demoUserSchema = z
  .object({
    id,
    displayName: z.string().min(1),
    givenName: z.string().min(1),
    surname: z.string().min(1),
    userPrincipalName: z.string().email(),
    department: z.string(),
    jobTitle: z.string(),
    /** The numbers the directory keeps (Graph's businessPhones and mobilePhone), written as Graph shows them. */
    businessPhones: z.array(directoryPhone).default([]),
    mobilePhone: directoryPhone.optional(),
    preferredLanguage: z.string().optional(),
    managerId: id.optional(),
    accountEnabled: z.boolean().default(true),
    /** Invited accounts only; the state changed this many days before "now". */
    externalUserState: z.enum(['PendingAcceptance', 'Accepted']).optional(),
    externalUserStateChangedDaysAgo: z.number().nonnegative().optional(),
    directoryRoles: z.array(z.string()).default([]),
    methods: z.array(demoMethodSchema).default([]),
    signIns: z.array(demoSignInSchema).default([]),
    inPlayground: z.boolean().default(true),
    persona: z.string().min(1),
    /** What trying the bot as this person shows, in one line (README and `npm run dev` print it). */
    situation: z.string().min(1),
  })
  .strict();

const demoTenantSchema = z.object({
  tenant: z.object({ id, name: z.string().min(1) }),
  bot: z.object({ id, name: z.string().min(1).max(42) }),
  users: z.array(demoUserSchema).min(1),
  groups: z.array(
    z.object({
      id,
      displayName: z.string().min(1),
      purpose: z.enum(['helpdesk', 'admin', 'lead']),
      members: z.array(id),
    }),
  ),
  team: z.object({
    id: z.string().regex(/^19:.+@thread\.(tacv2|skype)$/, 'must be a Teams channel id (19:...@thread.tacv2)'),
    name: z.string().min(1),
    aadGroupId: id,
    approvalChannel: z.object({
      id: z.string().regex(/^19:.+@thread\.(tacv2|skype)$/, 'must be a Teams channel id (19:...@thread.tacv2)'),
      name: z.string().min(1),
    }),
  }),
  playground: z.object({
    currentUser: id,
    personalChatId: id,
    groupChat: z.object({ id, name: z.string().min(1) }),
  }),
});

/** A person of the demo tenant, as validated (defaults filled in, sign-in times in minutes). */
export type DemoUser = z.infer<typeof demoUserSchema>;
/** One authentication method of a demo user. */
export type DemoMethod = z.infer<typeof demoMethodSchema>;
/** One sign-in attempt of a demo user, `minutesAgo` before the directory's clock. */
export type DemoSignIn = z.infer<typeof demoSignInSchema>;
/** The whole demo tenant file, as validated. */
export type DemoTenant = z.infer<typeof demoTenantSchema>;

/** The Agents Playground shows its current user plus exactly this many others. */
export const PLAYGROUND_OTHER_USERS = 5;

/** Reads and checks the demo tenant file (`demo/tenant.json` by default). */
export function loadDemoTenant(path: string = projectPath('demo', 'tenant.json')): DemoTenant {
  const parsed = demoTenantSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    throw new DemoTenantError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const tenant = parsed.data;
  const problems = findProblems(tenant);
  if (problems.length > 0) throw new DemoTenantError(problems);
  return tenant;
}

/** Users the Playground lists besides its current user. */
export function playgroundUsers(tenant: DemoTenant): DemoUser[] {
  return tenant.users.filter((user) => user.inPlayground && user.id !== tenant.playground.currentUser);
}

/** The part of a user principal name before the @, which `PLAYGROUND_USER` accepts. */
export function upnLocalPart(user: Pick<DemoUser, 'userPrincipalName'>): string {
  return user.userPrincipalName.slice(0, user.userPrincipalName.indexOf('@'));
}

function findProblems(tenant: DemoTenant): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  const localParts = new Set<string>();
  for (const user of tenant.users) {
    if (ids.has(user.id)) problems.push(`users: id ${user.id} appears twice`);
    ids.add(user.id);
    // PLAYGROUND_USER picks people by this, so it must name one person.
    const localPart = upnLocalPart(user).toLowerCase();
    if (localParts.has(localPart)) problems.push(`users: ${user.userPrincipalName} is not the only "${localPart}@"`);
    localParts.add(localPart);
  }
  for (const user of tenant.users) {
    if (user.managerId && !ids.has(user.managerId)) {
      problems.push(`users: ${user.displayName}'s managerId ${user.managerId} is not a user`);
    }
    if (user.managerId === user.id) problems.push(`users: ${user.displayName} is their own manager`);
    problems.push(...methodProblems(user));
    if ((user.externalUserState === undefined) !== (user.externalUserStateChangedDaysAgo === undefined)) {
      problems.push(`users: ${user.displayName} needs both externalUserState and externalUserStateChangedDaysAgo`);
    }
  }
  for (const group of tenant.groups) {
    for (const member of group.members) {
      if (!ids.has(member)) problems.push(`groups: ${group.displayName} lists ${member}, who is not a user`);
    }
  }
  for (const purpose of ['helpdesk', 'admin'] as const) {
    if (!tenant.groups.some((group) => group.purpose === purpose)) problems.push(`groups: no ${purpose} group`);
  }
  const current = tenant.users.find((user) => user.id === tenant.playground.currentUser);
  if (!current?.inPlayground) problems.push('playground.currentUser must be a user shown in the Playground');
  const others = playgroundUsers(tenant).length;
  if (others !== PLAYGROUND_OTHER_USERS) {
    problems.push(
      `the Playground needs exactly ${PLAYGROUND_OTHER_USERS} users besides its current user; ${others} have inPlayground true`,
    );
  }
  return problems;
}

/** The rules Entra itself keeps, so the demo never shows a state the real service cannot be in. */
function methodProblems(user: DemoUser): string[] {
  const problems: string[] = [];
  const where = `users: ${user.displayName}`;
  const defaults = user.methods.filter((method) => 'isDefault' in method && method.isDefault).length;
  const canBeDefault = user.methods.some((method) => 'isDefault' in method);
  if (defaults > 1) problems.push(`${where} has ${defaults} default methods; at most one can be`);
  if (canBeDefault && defaults === 0) problems.push(`${where} has MFA methods but none is the default`);
  for (const phoneType of ['mobile', 'alternateMobile', 'office'] as const) {
    const phones = user.methods.filter((method) => method.kind === 'phone' && method.phoneType === phoneType);
    if (phones.length > 1) problems.push(`${where} has ${phones.length} ${phoneType} phones; Graph allows one`);
  }
  for (const kind of ['temporaryAccessPass', 'email'] as const) {
    const count = user.methods.filter((method) => method.kind === kind).length;
    if (count > 1) problems.push(`${where} has ${count} ${kind} methods; Graph allows one`);
  }
  return problems;
}

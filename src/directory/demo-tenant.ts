import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DemoTenantError } from '../errors.js';
import { projectPath } from '../project-root.js';

const id = z.string().min(1);

const demoUserSchema = z.object({
  id,
  displayName: z.string().min(1),
  givenName: z.string().min(1),
  surname: z.string().min(1),
  userPrincipalName: z.string().email(),
  department: z.string(),
  jobTitle: z.string(),
  preferredLanguage: z.string().optional(),
  managerId: id.optional(),
  accountEnabled: z.boolean().default(true),
  directoryRoles: z.array(z.string()).default([]),
  inPlayground: z.boolean().default(true),
  persona: z.string().min(1),
});

const demoTenantSchema = z.object({
  tenant: z.object({ id, name: z.string().min(1) }),
  bot: z.object({ id, name: z.string().min(1).max(42) }),
  users: z.array(demoUserSchema).min(1),
  groups: z.array(
    z.object({ id, displayName: z.string().min(1), purpose: z.enum(['helpdesk', 'admin']), members: z.array(id) }),
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

export type DemoUser = z.infer<typeof demoUserSchema>;
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

function findProblems(tenant: DemoTenant): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const user of tenant.users) {
    if (ids.has(user.id)) problems.push(`users: id ${user.id} appears twice`);
    ids.add(user.id);
  }
  for (const user of tenant.users) {
    if (user.managerId && !ids.has(user.managerId)) {
      problems.push(`users: ${user.displayName}'s managerId ${user.managerId} is not a user`);
    }
    if (user.managerId === user.id) problems.push(`users: ${user.displayName} is their own manager`);
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

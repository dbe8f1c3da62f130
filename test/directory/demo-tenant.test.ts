import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDemoTenant, PLAYGROUND_OTHER_USERS, upnLocalPart } from '../../src/directory/demo-tenant.js';
import { DemoTenantError } from '../../src/errors.js';
import { projectPath } from '../../src/project-root.js';

type RawUser = Record<string, unknown>;
type RawTenant = { users: RawUser[] } & Record<string, unknown>;

const raw = JSON.parse(readFileSync(projectPath('demo', 'tenant.json'), 'utf8')) as RawTenant;
const folder = mkdtempSync(join(tmpdir(), 'demo-tenant-test-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

let files = 0;
/** Loads the real demo tenant with Diego Siciliani (a user outside the Playground) changed by `change`. */
function loadWithDiego(change: (diego: RawUser) => void) {
  const copy = structuredClone(raw);
  const diego = copy.users.find((user) => user.userPrincipalName === 'diegos@contoso.example');
  if (!diego) throw new Error('Diego Siciliani is not in demo/tenant.json');
  change(diego);
  const path = join(folder, `tenant-${(files += 1)}.json`);
  writeFileSync(path, JSON.stringify(copy));
  return loadDemoTenant(path);
}

/** The message a broken tenant is refused with. */
function refusal(change: (diego: RawUser) => void): string {
  try {
    loadWithDiego(change);
  } catch (error) {
    if (error instanceof DemoTenantError) return error.message;
    throw error;
  }
  throw new Error('the demo tenant was accepted');
}

describe('loadDemoTenant', () => {
  it('loads demo/tenant.json: every person with a situation, six of them in the Playground', () => {
    const tenant = loadDemoTenant();
    expect(tenant.users.length).toBeGreaterThanOrEqual(17);
    expect(tenant.users.every((user) => user.situation.length > 0 && user.persona.length > 0)).toBe(true);
    expect(tenant.users.filter((user) => user.inPlayground)).toHaveLength(PLAYGROUND_OTHER_USERS + 1);
  });

  it("is described in the README's demo tenant table: every person, with the command that tries them", () => {
    const readme = readFileSync(projectPath('README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### The demo tenant'), readme.indexOf('### What the bot answers'));
    const rows = section.split('\n').filter((line) => line.startsWith('| ') && !/^\| (person|-)/.test(line));
    const tenant = loadDemoTenant();
    expect(rows).toHaveLength(tenant.users.length);
    for (const user of tenant.users) {
      const row = rows.find((line) => line.startsWith(`| ${user.displayName} `));
      const command =
        user.id === tenant.playground.currentUser ? '`npm run dev`' : `PLAYGROUND_USER=${upnLocalPart(user)} `;
      expect(row, `README row for ${user.displayName}`).toContain(command);
    }
  });

  it('fills in what the data leaves out: enabled, no methods, no sign-ins, no roles', () => {
    const tenant = loadWithDiego((diego) => {
      delete diego.methods;
      delete diego.signIns;
    });
    expect(tenant.users.find((user) => upnLocalPart(user) === 'diegos')).toMatchObject({
      accountEnabled: true,
      methods: [],
      signIns: [],
      directoryRoles: [],
    });
  });

  it('turns hours and days ago into minutes ago', () => {
    const tenant = loadWithDiego((diego) => {
      diego.signIns = [
        { hoursAgo: 2, errorCode: 0 },
        { daysAgo: 1.5, errorCode: 50126 },
        { minutesAgo: 3, errorCode: 0 },
      ];
    });
    expect(tenant.users.find((user) => upnLocalPart(user) === 'diegos')?.signIns).toEqual([
      { minutesAgo: 120, errorCode: 0, riskLevel: 'none' },
      { minutesAgo: 2160, errorCode: 50126, riskLevel: 'none' },
      { minutesAgo: 3, errorCode: 0, riskLevel: 'none' },
    ]);
  });

  it('refuses a sign-in that says both how many minutes and how many hours ago', () => {
    expect(refusal((diego) => (diego.signIns = [{ minutesAgo: 5, hoursAgo: 1, errorCode: 0 }]))).toMatch(
      /signIns\.0: give exactly one of minutesAgo, hoursAgo, daysAgo/,
    );
  });

  it('refuses a misspelt field instead of silently ignoring it', () => {
    expect(refusal((diego) => (diego.signins = []))).toMatch(/Unrecognized key\(s\) in object: 'signins'/);
  });

  it('refuses a phone number not written like +65 9123 4567', () => {
    expect(
      refusal(
        (diego) => (diego.methods = [{ kind: 'phone', phoneNumber: '91234567', phoneType: 'mobile', isDefault: true }]),
      ),
    ).toMatch(/phoneNumber: must look like \+65 9123 4567/);
  });

  it('refuses two default methods, MFA methods without a default, and two phones of one type', () => {
    const authenticator = { kind: 'microsoftAuthenticator', displayName: 'Pixel 8' };
    const mobile = { kind: 'phone', phoneNumber: '+65 9123 4567', phoneType: 'mobile' };
    expect(
      refusal(
        (diego) =>
          (diego.methods = [
            { ...authenticator, isDefault: true },
            { ...mobile, isDefault: true },
          ]),
      ),
    ).toMatch(/Diego Siciliani has 2 default methods/);
    expect(refusal((diego) => (diego.methods = [authenticator]))).toMatch(
      /Diego Siciliani has MFA methods but none is the default/,
    );
    expect(refusal((diego) => (diego.methods = [{ ...authenticator, isDefault: true }, mobile, mobile]))).toMatch(
      /Diego Siciliani has 2 mobile phones/,
    );
  });

  it('refuses a default Temporary Access Pass, which Entra does not allow', () => {
    expect(
      refusal((diego) => (diego.methods = [{ kind: 'temporaryAccessPass', usable: true, isDefault: true }])),
    ).toMatch(/Unrecognized key\(s\) in object: 'isDefault'/);
  });

  it('refuses an invitation state without its age', () => {
    expect(refusal((diego) => (diego.externalUserState = 'PendingAcceptance'))).toMatch(
      /Diego Siciliani needs both externalUserState and externalUserStateChangedDaysAgo/,
    );
  });

  it('refuses two people whose user principal names start alike, since PLAYGROUND_USER could not tell them apart', () => {
    expect(refusal((diego) => (diego.userPrincipalName = 'AlexW@fabrikam.example'))).toMatch(
      /AlexW@fabrikam\.example is not the only "alexw@"/,
    );
  });
});

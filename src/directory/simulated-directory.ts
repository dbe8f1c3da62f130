import type { Directory, DirectoryUser } from '../domain/ports.js';
import type { DemoTenant } from './demo-tenant.js';

/** The directory of the demo tenant, in memory: local mode and tests use it instead of Graph. */
export class SimulatedDirectory implements Directory {
  private readonly users: ReadonlyMap<string, DirectoryUser>;

  constructor(tenant: DemoTenant) {
    this.users = new Map(
      tenant.users.map((user) => [
        user.id,
        {
          id: user.id,
          displayName: user.displayName,
          givenName: user.givenName,
          userPrincipalName: user.userPrincipalName,
          mail: user.userPrincipalName,
          department: user.department,
          jobTitle: user.jobTitle,
          preferredLanguage: user.preferredLanguage,
          accountEnabled: user.accountEnabled,
          managerId: user.managerId,
        },
      ]),
    );
  }

  async getUser(id: string): Promise<DirectoryUser | undefined> {
    const user = this.users.get(id);
    return user && { ...user };
  }
}

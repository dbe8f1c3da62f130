import type { AccessToken, TokenCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { ENTRA_POSTGRES_SCOPE, createDatabaseTokenSource } from '../../src/directory/database-token.js';

/** A credential that hands out numbered tokens and remembers the scopes it was asked for. */
function countingCredential(answer: (n: number) => AccessToken | null) {
  const scopes: string[] = [];
  const credential: TokenCredential = {
    getToken: async (scope) => {
      scopes.push(String(scope));
      return answer(scopes.length);
    },
  };
  return { credential, scopes };
}

describe('the Entra password of Azure Database for PostgreSQL', () => {
  it("asks the host's identity for a database token each time the driver opens a connection", async () => {
    const { credential, scopes } = countingCredential((n) => ({ token: `token-${n}`, expiresOnTimestamp: 0 }));
    const password = createDatabaseTokenSource(credential);
    expect(await password()).toBe('token-1');
    expect(await password()).toBe('token-2');
    expect(scopes).toEqual([ENTRA_POSTGRES_SCOPE, ENTRA_POSTGRES_SCOPE]);
    expect(ENTRA_POSTGRES_SCOPE).toBe('https://ossrdbms-aad.database.windows.net/.default');
  });

  it('fails the connection with the reason when no token comes', async () => {
    const password = createDatabaseTokenSource(countingCredential(() => null).credential);
    await expect(password()).rejects.toThrow(/no Entra token for https:\/\/ossrdbms-aad/);
  });
});

import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';

/** Azure Database for PostgreSQL accepts Entra access tokens for this scope as passwords. */
export const ENTRA_POSTGRES_SCOPE = 'https://ossrdbms-aad.database.windows.net/.default';

/**
 * The password source for Azure Database for PostgreSQL with Entra authentication (DATABASE_ENTRA_AUTH=true):
 * an access token of the host's identity (managed identity in Azure, the developer's `az login` locally). The
 * driver asks for it on each new connection; the credential caches the token and renews it before it expires.
 * It lives here, with the other Azure identities, so that the store needs no Azure package.
 */
export function createDatabaseTokenSource(credential: TokenCredential = new DefaultAzureCredential()) {
  return async (): Promise<string> => {
    const token = await credential.getToken(ENTRA_POSTGRES_SCOPE);
    if (!token) throw new Error(`no Entra token for ${ENTRA_POSTGRES_SCOPE}: check the host's managed identity`);
    return token.token;
  };
}

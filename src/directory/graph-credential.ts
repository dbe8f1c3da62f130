import {
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  type TokenCredential,
} from '@azure/identity';

/**
 * How the bot proves its identity to Microsoft Graph: an app registration's secret or certificate
 * (a PEM file holding the certificate and its private key), or the managed identity of the host
 * (a user-assigned one when `clientId` is given).
 */
export type GraphCredentialSettings =
  | { kind: 'secret'; tenantId: string; clientId: string; clientSecret: string }
  | { kind: 'certificate'; tenantId: string; clientId: string; certificatePath: string }
  | { kind: 'managedIdentity'; clientId?: string };

/** The Azure Identity credential for these settings; it fetches and caches Graph tokens itself. */
export function createGraphCredential(settings: GraphCredentialSettings): TokenCredential {
  switch (settings.kind) {
    case 'secret':
      return new ClientSecretCredential(settings.tenantId, settings.clientId, settings.clientSecret);
    case 'certificate':
      return new ClientCertificateCredential(settings.tenantId, settings.clientId, {
        certificatePath: settings.certificatePath,
      });
    case 'managedIdentity':
      return settings.clientId === undefined
        ? new ManagedIdentityCredential()
        : new ManagedIdentityCredential({ clientId: settings.clientId });
  }
}

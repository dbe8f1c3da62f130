import type { ConversationAddress, ConversationAddressRepository } from '../../domain/ports.js';
import type { PostgresPool } from './open-pool.js';

interface AddressRow {
  key: string;
  kind: ConversationAddress['kind'];
  tenant_id: string;
  aad_object_id: string | null;
  team_id: string | null;
  locale: string | null;
  reference: string;
  updated_at: Date;
}

/** Conversation addresses in the `conversation_addresses` table, one row per tenant and key. */
export class PostgresConversationAddressRepository implements ConversationAddressRepository {
  constructor(private readonly pool: PostgresPool) {}

  async save(address: ConversationAddress): Promise<void> {
    await this.pool.query(
      `INSERT INTO conversation_addresses (key, kind, tenant_id, aad_object_id, team_id, locale, reference, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (tenant_id, key) DO UPDATE SET kind = excluded.kind,
         aad_object_id = excluded.aad_object_id, team_id = excluded.team_id, locale = excluded.locale,
         reference = excluded.reference, updated_at = excluded.updated_at`,
      [
        address.key,
        address.kind,
        address.tenantId,
        address.aadObjectId ?? null,
        address.teamId ?? null,
        address.locale ?? null,
        JSON.stringify(address.reference),
        address.updatedAt,
      ],
    );
  }

  async find(tenantId: string, key: string): Promise<ConversationAddress | undefined> {
    const { rows } = await this.pool.query<AddressRow>(
      'SELECT * FROM conversation_addresses WHERE tenant_id = $1 AND key = $2',
      [tenantId, key],
    );
    return rows[0] && toAddress(rows[0]);
  }

  async latestForTenant(tenantId: string, teamId?: string): Promise<ConversationAddress | undefined> {
    const { rows } =
      teamId === undefined
        ? await this.pool.query<AddressRow>(
            'SELECT * FROM conversation_addresses WHERE tenant_id = $1 ORDER BY updated_at DESC LIMIT 1',
            [tenantId],
          )
        : await this.pool.query<AddressRow>(
            'SELECT * FROM conversation_addresses WHERE tenant_id = $1 AND team_id = $2 ORDER BY updated_at DESC LIMIT 1',
            [tenantId, teamId],
          );
    return rows[0] && toAddress(rows[0]);
  }
}

function toAddress(row: AddressRow): ConversationAddress {
  return {
    key: row.key,
    kind: row.kind,
    tenantId: row.tenant_id,
    aadObjectId: row.aad_object_id ?? undefined,
    teamId: row.team_id ?? undefined,
    locale: row.locale ?? undefined,
    reference: JSON.parse(row.reference) as Record<string, unknown>,
    updatedAt: row.updated_at,
  };
}

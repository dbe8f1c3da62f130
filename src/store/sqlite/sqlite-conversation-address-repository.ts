import type { ConversationAddress, ConversationAddressRepository } from '../../domain/ports.js';
import type { SqliteDatabase } from './open-database.js';

interface AddressRow {
  key: string;
  kind: ConversationAddress['kind'];
  tenant_id: string;
  aad_object_id: string | null;
  team_id: string | null;
  locale: string | null;
  reference: string;
  updated_at: string;
}

/** Conversation addresses in the `conversation_addresses` table, one row per tenant and key. */
export class SqliteConversationAddressRepository implements ConversationAddressRepository {
  private readonly upsert;
  private readonly selectOne;
  private readonly selectLatest;
  private readonly selectLatestInTeam;

  constructor(db: SqliteDatabase) {
    this.upsert = db.prepare<[AddressRow]>(
      `INSERT INTO conversation_addresses (key, kind, tenant_id, aad_object_id, team_id, locale, reference, updated_at)
       VALUES (@key, @kind, @tenant_id, @aad_object_id, @team_id, @locale, @reference, @updated_at)
       ON CONFLICT (tenant_id, key) DO UPDATE SET kind = excluded.kind,
         aad_object_id = excluded.aad_object_id, team_id = excluded.team_id, locale = excluded.locale,
         reference = excluded.reference, updated_at = excluded.updated_at`,
    );
    this.selectOne = db.prepare<[string, string], AddressRow>(
      'SELECT * FROM conversation_addresses WHERE tenant_id = ? AND key = ?',
    );
    this.selectLatest = db.prepare<[string], AddressRow>(
      'SELECT * FROM conversation_addresses WHERE tenant_id = ? ORDER BY updated_at DESC LIMIT 1',
    );
    this.selectLatestInTeam = db.prepare<[string, string], AddressRow>(
      'SELECT * FROM conversation_addresses WHERE tenant_id = ? AND team_id = ? ORDER BY updated_at DESC LIMIT 1',
    );
  }

  async save(address: ConversationAddress): Promise<void> {
    this.upsert.run({
      key: address.key,
      kind: address.kind,
      tenant_id: address.tenantId,
      aad_object_id: address.aadObjectId ?? null,
      team_id: address.teamId ?? null,
      locale: address.locale ?? null,
      reference: JSON.stringify(address.reference),
      updated_at: address.updatedAt.toISOString(),
    });
  }

  async find(tenantId: string, key: string): Promise<ConversationAddress | undefined> {
    const row = this.selectOne.get(tenantId, key);
    return row && toAddress(row);
  }

  async latestForTenant(tenantId: string, teamId?: string): Promise<ConversationAddress | undefined> {
    const row = teamId === undefined ? this.selectLatest.get(tenantId) : this.selectLatestInTeam.get(tenantId, teamId);
    return row && toAddress(row);
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
    updatedAt: new Date(row.updated_at),
  };
}

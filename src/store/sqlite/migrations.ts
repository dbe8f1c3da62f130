/** One schema change, applied once and in order; `version` is stored in PRAGMA user_version. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The schema's history. Append only: never edit a migration that has shipped. */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'bot state and conversation addresses',
    sql: `
      CREATE TABLE bot_state (
        key        TEXT PRIMARY KEY,
        value      TEXT NOT NULL,
        etag       INTEGER NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE conversation_addresses (
        key           TEXT PRIMARY KEY,
        kind          TEXT NOT NULL CHECK (kind IN ('personal', 'channel', 'groupChat')),
        tenant_id     TEXT NOT NULL,
        aad_object_id TEXT,
        team_id       TEXT,
        locale        TEXT,
        reference     TEXT NOT NULL,
        updated_at    TEXT NOT NULL
      ) STRICT;
    `,
  },
];

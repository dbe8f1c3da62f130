import type { SqliteDatabase } from './open-database.js';
import { backfillTallies } from './sqlite-statistics-repository.js';

/** One schema change, applied once and in order; `version` is stored in PRAGMA user_version. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** Work SQL alone cannot do (filling a new table from the old ones), run after `sql` in the same transaction. */
  run?: (db: SqliteDatabase) => void;
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
  {
    version: 2,
    name: 'diagnosis records',
    sql: `
      CREATE TABLE diagnoses (
        id              TEXT PRIMARY KEY,
        tenant_id       TEXT NOT NULL,
        user_id         TEXT NOT NULL,
        locale          TEXT NOT NULL,
        entry           TEXT NOT NULL,
        started_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL,
        path            TEXT NOT NULL,
        outcome         TEXT,
        result          TEXT NOT NULL CHECK (result IN ('open', 'resolved', 'notResolved', 'applied', 'abandoned')),
        questions_asked INTEGER NOT NULL,
        evidence_gaps   TEXT NOT NULL
      ) STRICT;
      CREATE INDEX diagnoses_by_user ON diagnoses (tenant_id, user_id, started_at);
      CREATE INDEX diagnoses_by_outcome ON diagnoses (tenant_id, outcome, result);
    `,
  },
  {
    version: 3,
    name: 'reset requests and their hash-chained audit trail',
    // The state lists are spelled out, not generated from REQUEST_STATES: a shipped migration must
    // never change when the code does. A later state needs a new migration.
    sql: `
      CREATE TABLE requests (
        id          TEXT PRIMARY KEY,
        reference   TEXT NOT NULL UNIQUE,
        sequence    INTEGER NOT NULL UNIQUE,
        tenant_id   TEXT NOT NULL,
        filer_id    TEXT NOT NULL,
        subject_id  TEXT NOT NULL,
        state       TEXT NOT NULL CHECK (state IN ('submitted', 'awaiting_manager', 'pending_review', 'approved',
                      'executing', 'completed', 'rejected', 'cancelled', 'expired', 'failed')),
        version     INTEGER NOT NULL CHECK (version >= 1),
        application TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
      ) STRICT;
      CREATE INDEX requests_by_subject ON requests (tenant_id, subject_id, state);
      CREATE INDEX requests_by_filer ON requests (tenant_id, filer_id, created_at);
      CREATE INDEX requests_by_state ON requests (state, updated_at);

      -- No foreign key to requests: refusals of unknown request ids are audited too.
      CREATE TABLE request_events (
        sequence      INTEGER PRIMARY KEY AUTOINCREMENT,
        request_id    TEXT NOT NULL,
        tenant_id     TEXT NOT NULL,
        actor         TEXT NOT NULL,
        at            TEXT NOT NULL,
        from_state    TEXT CHECK (from_state IN ('submitted', 'awaiting_manager', 'pending_review', 'approved',
                        'executing', 'completed', 'rejected', 'cancelled', 'expired', 'failed')),
        to_state      TEXT NOT NULL CHECK (to_state IN ('submitted', 'awaiting_manager', 'pending_review', 'approved',
                        'executing', 'completed', 'rejected', 'cancelled', 'expired', 'failed', 'refused')),
        reason        TEXT NOT NULL,
        graph_request_id TEXT,
        previous_hash TEXT NOT NULL,
        hash          TEXT NOT NULL
      ) STRICT;
      CREATE INDEX request_events_by_request ON request_events (request_id, sequence);

      -- The application only ever appends; rewriting history takes someone who bypasses the schema,
      -- and the hash chain shows what they did.
      CREATE TRIGGER request_events_no_update BEFORE UPDATE ON request_events
      BEGIN
        SELECT RAISE(ABORT, 'request_events is append-only: events cannot be changed');
      END;
      CREATE TRIGGER request_events_no_delete BEFORE DELETE ON request_events
      BEGIN
        SELECT RAISE(ABORT, 'request_events is append-only: events cannot be deleted');
      END;
    `,
  },
  {
    version: 4,
    name: 'request reviews, the approval channel and its posted cards',
    sql: `
      -- Claims, questions, the manager's answer, approvals and the rejection, as JSON; it changes only
      -- together with the request's version.
      ALTER TABLE requests ADD COLUMN review TEXT NOT NULL DEFAULT '{}';
      CREATE INDEX requests_by_tenant_state ON requests (tenant_id, state, sequence);
      CREATE INDEX conversation_addresses_by_tenant ON conversation_addresses (tenant_id, updated_at);

      -- Where each tenant's helpdesk decides. unavailable_since is set when posting there failed
      -- because the bot was removed; new requests then wait until the channel works again.
      CREATE TABLE approval_channels (
        tenant_id         TEXT PRIMARY KEY,
        team_id           TEXT NOT NULL,
        channel_id        TEXT NOT NULL,
        service_url       TEXT NOT NULL,
        locale            TEXT NOT NULL,
        set_by            TEXT NOT NULL,
        set_at            TEXT NOT NULL,
        unavailable_since TEXT
      ) STRICT;

      -- The card of each request in the approval channel: the thread and the message to update.
      CREATE TABLE channel_posts (
        request_id      TEXT PRIMARY KEY,
        tenant_id       TEXT NOT NULL,
        channel_id      TEXT NOT NULL,
        conversation_id TEXT NOT NULL,
        message_id      TEXT NOT NULL,
        service_url     TEXT NOT NULL,
        posted_at       TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 5,
    name: 'the execution outbox',
    sql: `
      -- One row per approved request: written in the transaction that approves it, leased by a
      -- worker, and carrying the steps done so far (never a pass value) so a retry continues there.
      -- After the reset it waits as followUp until the pass has expired, for the recovery check.
      CREATE TABLE execution_jobs (
        request_id      TEXT PRIMARY KEY REFERENCES requests (id),
        tenant_id       TEXT NOT NULL,
        status          TEXT NOT NULL CHECK (status IN ('pending', 'followUp', 'done', 'failed')),
        progress        TEXT NOT NULL DEFAULT '{}',
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        lease_owner     TEXT,
        lease_until     TEXT,
        last_error      TEXT,
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL
      ) STRICT;
      CREATE INDEX execution_jobs_due ON execution_jobs (status, next_attempt_at);
      -- The hourly cap counts the executions a tenant started in the last hour.
      CREATE INDEX request_events_by_tenant_transition ON request_events (tenant_id, to_state, at);
    `,
  },
  {
    version: 6,
    name: 'status views, statistics counters, record views and overdue notices',
    sql: `
      -- Who claimed it (for the queue's sections) and since when it waits for review (for the service level),
      -- kept with every change of the request.
      ALTER TABLE requests ADD COLUMN claimed_by TEXT;
      ALTER TABLE requests ADD COLUMN pending_since TEXT;
      UPDATE requests SET claimed_by = json_extract(review, '$.claimedBy');
      UPDATE requests SET pending_since = (
        SELECT MAX(at) FROM request_events e
         WHERE e.request_id = requests.id AND e.to_state = 'pending_review' AND e.from_state <> 'pending_review'
      ) WHERE state = 'pending_review';
      UPDATE requests SET pending_since = updated_at WHERE state = 'pending_review' AND pending_since IS NULL;
      -- A manager's team: the requests of a few subjects, newest first.
      CREATE INDEX requests_by_subject_sequence ON requests (tenant_id, subject_id, sequence);
      -- A request's timeline reads its events. The trail is in time order, so one request's events lie on
      -- several pages; an index that holds what a timeline reads keeps them together (it replaces
      -- request_events_by_request, whose columns it starts with).
      CREATE INDEX request_events_timeline ON request_events
        (request_id, sequence, tenant_id, actor, at, from_state, to_state, reason, graph_request_id);
      DROP INDEX request_events_by_request;
      -- The service level: requests in review, longest waiting first.
      CREATE INDEX requests_by_pending_since ON requests (state, pending_since);

      -- The statistics: counters per tenant, UTC day, metric and key, changed in the transaction of what they count.
      CREATE TABLE request_tallies (
        tenant_id TEXT NOT NULL,
        day       TEXT NOT NULL,
        metric    TEXT NOT NULL,
        key       TEXT NOT NULL,
        count     INTEGER NOT NULL,
        PRIMARY KEY (tenant_id, day, metric, key)
      ) STRICT, WITHOUT ROWID;

      -- Who looked at someone else's request or diagnosis, when and as whom. Append-only, like the audit trail.
      CREATE TABLE record_views (
        sequence  INTEGER PRIMARY KEY AUTOINCREMENT,
        tenant_id TEXT NOT NULL,
        record_id TEXT NOT NULL,
        viewer_id TEXT NOT NULL,
        audience  TEXT NOT NULL CHECK (audience IN ('requester', 'manager', 'helpdesk')),
        route     TEXT NOT NULL CHECK (route IN ('status', 'team', 'queue', 'diagnosis', 'oldCard')),
        at        TEXT NOT NULL
      ) STRICT;
      CREATE INDEX record_views_by_record ON record_views (record_id, sequence);
      CREATE TRIGGER record_views_no_update BEFORE UPDATE ON record_views
      BEGIN
        SELECT RAISE(ABORT, 'record_views is append-only: views cannot be changed');
      END;
      CREATE TRIGGER record_views_no_delete BEFORE DELETE ON record_views
      BEGIN
        SELECT RAISE(ABORT, 'record_views is append-only: views cannot be deleted');
      END;

      -- The overdue notices of a request: taken by one instance until lease_until, then sent once.
      CREATE TABLE overdue_notices (
        request_id  TEXT NOT NULL,
        kind        TEXT NOT NULL CHECK (kind IN ('reminder', 'escalation')),
        owner       TEXT NOT NULL,
        lease_until TEXT NOT NULL,
        sent_at     TEXT,
        PRIMARY KEY (request_id, kind)
      ) STRICT, WITHOUT ROWID;

      -- What the directory showed when a diagnosis started: facts and the kinds of method (JSON).
      ALTER TABLE diagnoses ADD COLUMN evidence TEXT;
    `,
    run: backfillTallies,
  },
  {
    version: 7,
    name: "the simulated directory's changes (local mode)",
    sql: `
      -- Local mode only: what the demo did to a person in the simulated directory (methods deleted, passes
      -- created, sessions revoked; JSON, never a pass value), so that a restart shows the directory the
      -- stored requests left behind. Empty in production, where the directory is Microsoft Graph.
      CREATE TABLE simulated_directory_changes (
        user_id    TEXT PRIMARY KEY,
        changes    TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 8,
    name: 'the latest address in a team',
    sql: `
      -- The approval channel's Bot Connector endpoint is read from the latest conversation in its team. By tenant
      -- alone, the newest personal chats came first and every one was skipped until a team's row turned up.
      CREATE INDEX conversation_addresses_by_team ON conversation_addresses (tenant_id, team_id, updated_at);
    `,
  },
  {
    version: 9,
    name: 'a keyed audit trail, its anchors and the retention of personal data',
    sql: `
      -- From here on every event is signed (HMAC-SHA-256 with AUDIT_KEY) and names its key; events written
      -- before keep key_id NULL and verify as before (SHA-256). personal_digest: a keyed digest of the request's
      -- application and review after the event (contact details and notes), so the chain covers them without
      -- holding them, and still verifies once the retention period removed them.
      ALTER TABLE request_events ADD COLUMN key_id TEXT;
      ALTER TABLE request_events ADD COLUMN personal_digest TEXT;

      -- Where keying began: events from keyed_from on must be signed, so that a signed event cannot be
      -- rewritten as an unsigned one. One row. seal: the audit key's signature over keyed_from and the hash of
      -- the last event before it (written by the bot when it first starts with a key), so that neither moving
      -- keyed_from nor rewriting the unsigned events before it (SHA-256 can be recomputed) goes unnoticed.
      CREATE TABLE audit_chain (
        id          INTEGER PRIMARY KEY CHECK (id = 1),
        keyed_from  INTEGER NOT NULL,
        seal        TEXT,
        seal_key_id TEXT
      ) STRICT;
      INSERT INTO audit_chain (id, keyed_from)
        SELECT 1, COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'request_events'), 0) + 1;

      -- The heads published in each tenant's approval channel and the log (tenant ''): so that the daily one
      -- goes out once a day across instances and restarts. The proof is where they were published, not here.
      CREATE TABLE audit_anchors (
        tenant_id    TEXT NOT NULL,
        sequence     INTEGER NOT NULL,
        hash         TEXT NOT NULL,
        key_id       TEXT,
        at           TEXT NOT NULL,
        kind         TEXT NOT NULL CHECK (kind IN ('daily', 'asked')),
        requested_by TEXT
      ) STRICT;
      CREATE INDEX audit_anchors_by_tenant ON audit_anchors (tenant_id, at);

      -- When the contact details and notes were removed, RETENTION_DAYS after the request finished.
      ALTER TABLE requests ADD COLUMN purged_at TEXT;
      -- Finished requests still holding personal data, oldest change first: what the purge reads.
      CREATE INDEX requests_to_purge ON requests (updated_at)
        WHERE purged_at IS NULL AND state IN ('completed', 'rejected', 'cancelled', 'expired');
    `,
  },
  {
    version: 10,
    name: 'conversation addresses by tenant',
    sql: `
      -- An address is found by tenant and key: an object id or a conversation that two tenants both know gets one
      -- address in each, instead of one tenant's overwriting the other's. The rows move as they are; their tenant
      -- was already stored with them.
      CREATE TABLE conversation_addresses_v10 (
        tenant_id     TEXT NOT NULL,
        key           TEXT NOT NULL,
        kind          TEXT NOT NULL CHECK (kind IN ('personal', 'channel', 'groupChat')),
        aad_object_id TEXT,
        team_id       TEXT,
        locale        TEXT,
        reference     TEXT NOT NULL,
        updated_at    TEXT NOT NULL,
        PRIMARY KEY (tenant_id, key)
      ) STRICT;
      INSERT INTO conversation_addresses_v10 (tenant_id, key, kind, aad_object_id, team_id, locale, reference, updated_at)
        SELECT tenant_id, key, kind, aad_object_id, team_id, locale, reference, updated_at FROM conversation_addresses;
      DROP TABLE conversation_addresses;
      ALTER TABLE conversation_addresses_v10 RENAME TO conversation_addresses;
      CREATE INDEX conversation_addresses_by_tenant ON conversation_addresses (tenant_id, updated_at);
      CREATE INDEX conversation_addresses_by_team ON conversation_addresses (tenant_id, team_id, updated_at);
    `,
  },
  {
    version: 11,
    name: 'claims on posting cards',
    sql: `
      -- Which instance is posting a request's card to a channel, until lease_until: of two that both read "no card
      -- yet", only the holder posts. Saving the post (channel_posts) deletes the claim; one whose instance died
      -- runs out. Not in channel_posts: a claim has no message yet, and a card already posted may be posted anew.
      CREATE TABLE channel_post_claims (
        request_id  TEXT NOT NULL,
        channel_id  TEXT NOT NULL,
        owner       TEXT NOT NULL,
        lease_until TEXT NOT NULL,
        PRIMARY KEY (request_id, channel_id)
      ) STRICT, WITHOUT ROWID;
    `,
  },
];

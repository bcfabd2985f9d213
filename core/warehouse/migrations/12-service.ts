import type { Migration } from "../migrations.ts";

/**
 * The service's users (service/auth): bcrypt password hashes and roles, and API tokens stored
 * as their sha256 (a token is 32 random bytes, so a fast hash is enough; the token itself is
 * shown once). Roles: viewer < approver < operator < admin.
 */
export const serviceMigration: Migration = {
  version: 12,
  name: "service users and API tokens",
  sql: `
    CREATE TABLE ops.users (
      username VARCHAR PRIMARY KEY,
      password_hash VARCHAR NOT NULL,     -- bcrypt
      role VARCHAR NOT NULL,              -- viewer | approver | operator | admin
      created_at TIMESTAMPTZ NOT NULL,
      updated_at TIMESTAMPTZ NOT NULL,
      disabled BOOLEAN NOT NULL DEFAULT false
    );
    CREATE TABLE ops.api_tokens (
      token_id VARCHAR PRIMARY KEY,       -- the public prefix of the token
      username VARCHAR NOT NULL,
      name VARCHAR NOT NULL,
      token_sha256 VARCHAR NOT NULL,
      role VARCHAR NOT NULL,              -- at most the user's role when created
      created_at TIMESTAMPTZ NOT NULL,
      expires_at TIMESTAMPTZ,
      last_used_at TIMESTAMPTZ,
      revoked_at TIMESTAMPTZ
    );`,
};

/**
 * API tokens for scripts and scrapers: `cco_<id>_<secret>`, the id public (it names the token in
 * lists and the audit log), the secret 32 random bytes. ops.api_tokens keeps the sha256 of the
 * whole token (the token is random, so a fast hash is enough); the token is shown once.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { UsageError } from "../../core/errors.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";
import { appendAudit } from "../../actions/audit/log.ts";
import { findUser } from "./users.ts";
import { atLeast, isRole, lowerOf, ROLES, type Role } from "./roles.ts";

export const TOKEN_FORMAT = /^cco_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface TokenInfo {
  token_id: string;
  username: string;
  name: string;
  role: Role;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

export async function createToken(
  warehouse: Warehouse,
  input: { username: string; name: string; role?: string; expiresDays?: number },
  by: string,
  now = new Date(),
): Promise<{ token: string; token_id: string; role: Role; expires_at: string | null }> {
  const user = await findUser(warehouse, input.username);
  if (!user) throw new UsageError(`no user ${input.username} (cco users list shows them)`);
  if (user.disabled) throw new UsageError(`user ${input.username} is disabled`);
  const role = input.role ?? user.role;
  if (!isRole(role)) throw new UsageError(`role '${role}': expected one of ${ROLES.join(", ")}`);
  if (!atLeast(user.role, role))
    throw new UsageError(`a token of ${input.username} (${user.role}) cannot have the role ${role}`);
  if (!input.name.trim()) throw new UsageError("name the token (what uses it: --name prometheus)");
  const tokenId = randomBytes(6).toString("hex");
  const token = `cco_${tokenId}_${randomBytes(32).toString("base64url")}`;
  const expiresAt =
    input.expiresDays === undefined
      ? null
      : new Date(now.getTime() + input.expiresDays * 86_400_000).toISOString();
  await warehouse.transaction(async (tx) => {
    await tx.run(
      `insert into ops.api_tokens (token_id, username, name, token_sha256, role, created_at, expires_at)
       values ($1, $2, $3, $4, $5, $6::timestamptz, $7::timestamptz)`,
      [tokenId, input.username, input.name.trim(), sha256(token), role, now.toISOString(), expiresAt],
    );
    await appendAudit(tx, {
      actor: by,
      event: "token.created",
      subject: tokenId,
      detail: { username: input.username, name: input.name.trim(), role, expires_at: expiresAt },
    });
  });
  return { token, token_id: tokenId, role, expires_at: expiresAt };
}

export interface TokenIdentity {
  tokenId: string;
  username: string;
  /** The token's role, never above its user's current one. */
  role: Role;
  /** When it stops working (epoch ms); null: when revoked. */
  expiresMs: number | null;
}

/** Who a presented token speaks for, or why it does not: unknown, revoked, expired, its user disabled. */
export async function verifyToken(
  db: Pick<Warehouse, "all">,
  token: string,
  now = new Date(),
): Promise<TokenIdentity | { refused: string }> {
  const m = TOKEN_FORMAT.exec(token);
  if (!m) return { refused: "not a cco API token" };
  const [row] = await db.all<{
    token_sha256: string;
    username: string;
    role: Role;
    expires_ms: number | null;
    revoked: boolean;
    user_role: Role | null;
    user_disabled: boolean | null;
  }>(
    `select t.token_sha256, t.username, t.role, epoch_ms(t.expires_at) as expires_ms, t.revoked_at is not null as revoked,
       u.role as user_role, u.disabled as user_disabled
     from ops.api_tokens t left join ops.users u using (username) where t.token_id = $1`,
    [m[1]!],
  );
  const presented = Buffer.from(sha256(token), "hex");
  if (!row || !timingSafeEqual(presented, Buffer.from(row.token_sha256, "hex")))
    return { refused: "unknown token" };
  if (row.revoked) return { refused: "token revoked" };
  if (row.expires_ms !== null && Number(row.expires_ms) <= now.getTime()) return { refused: "token expired" };
  if (!row.user_role || row.user_disabled) return { refused: "the token's user is disabled or gone" };
  return {
    tokenId: m[1]!,
    username: row.username,
    role: lowerOf(row.role, row.user_role),
    expiresMs: row.expires_ms === null ? null : Number(row.expires_ms),
  };
}

export async function listTokens(db: Pick<Warehouse, "all">, username?: string): Promise<TokenInfo[]> {
  return db.all<TokenInfo>(
    `select token_id, username, name, role, created_at::varchar as created_at, expires_at::varchar as expires_at,
       last_used_at::varchar as last_used_at, revoked_at::varchar as revoked_at
     from ops.api_tokens ${username === undefined ? "" : "where username = $1"} order by created_at, token_id`,
    username === undefined ? [] : [username],
  );
}

/** Revoke a token (idempotent); false when there is no such token. */
export async function revokeToken(warehouse: Warehouse, tokenId: string, by: string): Promise<boolean> {
  return warehouse.transaction(async (tx) => {
    const [row] = await tx.all<{ revoked: boolean }>(
      "select revoked_at is not null as revoked from ops.api_tokens where token_id = $1",
      [tokenId],
    );
    if (!row) return false;
    if (row.revoked) return true;
    await tx.run("update ops.api_tokens set revoked_at = now() where token_id = $1", [tokenId]);
    await appendAudit(tx, { actor: by, event: "token.revoked", subject: tokenId });
    return true;
  });
}

/** Record a token's use; the service calls it at most once a minute per token. */
export async function touchToken(warehouse: Warehouse, tokenId: string, now = new Date()): Promise<void> {
  await warehouse.run("update ops.api_tokens set last_used_at = $2::timestamptz where token_id = $1", [
    tokenId,
    now.toISOString(),
  ]);
}

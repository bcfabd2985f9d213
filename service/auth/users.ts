/**
 * ops.users: the service's people, their bcrypt hashes and roles. Used by `cco users` and the
 * /api/v1/users routes alike; every change is audited (never the password or its hash).
 */
import { UsageError } from "../../core/errors.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";
import { appendAudit } from "../../actions/audit/log.ts";
import { hashPassword, passwordProblem } from "./passwords.ts";
import { isRole, ROLES, type Role } from "./roles.ts";

export interface User {
  username: string;
  role: Role;
  disabled: boolean;
  created_at: string;
  updated_at: string;
}

export interface StoredUser extends User {
  password_hash: string;
}

/** Letters, digits and . _ @ - (an e-mail address fits), 1 to 64 characters. */
export const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/** The user, with the hash (never sent anywhere), or undefined. */
export async function findUser(
  db: Pick<Warehouse, "all">,
  username: string,
): Promise<StoredUser | undefined> {
  const [row] = await db.all<StoredUser>(
    `select username, password_hash, role, disabled, created_at::varchar as created_at, updated_at::varchar as updated_at
     from ops.users where username = $1`,
    [username],
  );
  return row;
}

export async function listUsers(db: Pick<Warehouse, "all">): Promise<User[]> {
  return db.all<User>(
    `select username, role, disabled, created_at::varchar as created_at, updated_at::varchar as updated_at
     from ops.users order by username`,
  );
}

function checkRole(role: string): Role {
  if (!isRole(role)) throw new UsageError(`role '${role}': expected one of ${ROLES.join(", ")}`);
  return role;
}

function checkPassword(password: string): void {
  const problem = passwordProblem(password);
  if (problem) throw new UsageError(problem);
}

export async function addUser(
  warehouse: Warehouse,
  input: { username: string; password: string; role: string },
  by: string,
  options: { cost?: number } = {},
): Promise<User> {
  if (!USERNAME.test(input.username))
    throw new UsageError(
      `user name '${input.username}': use letters, digits and . _ @ - (up to 64 characters)`,
    );
  const role = checkRole(input.role);
  checkPassword(input.password);
  const hash = await hashPassword(input.password, options.cost);
  const now = new Date().toISOString();
  await warehouse.transaction(async (tx) => {
    const [existing] = await tx.all("select 1 from ops.users where username = $1", [input.username]);
    if (existing)
      throw new UsageError(`user ${input.username} exists already (cco users passwd changes a password)`);
    await tx.run("insert into ops.users values ($1, $2, $3, $4::timestamptz, $4::timestamptz, false)", [
      input.username,
      hash,
      role,
      now,
    ]);
    await appendAudit(tx, { actor: by, event: "user.added", subject: input.username, detail: { role } });
  });
  return { username: input.username, role, disabled: false, created_at: now, updated_at: now };
}

/**
 * Change a password, role or the disabled flag. updated_at moves, which ends the sessions signed
 * before it (service/auth/sessions.ts): a new password or a lower role takes effect at once.
 */
export async function updateUser(
  warehouse: Warehouse,
  username: string,
  change: { password?: string; role?: string; disabled?: boolean },
  by: string,
  options: { cost?: number } = {},
): Promise<User> {
  const role = change.role === undefined ? undefined : checkRole(change.role);
  if (change.password !== undefined) checkPassword(change.password);
  const hash = change.password === undefined ? undefined : await hashPassword(change.password, options.cost);
  const now = new Date().toISOString();
  await warehouse.transaction(async (tx) => {
    const [existing] = await tx.all("select 1 from ops.users where username = $1", [username]);
    if (!existing) throw new UsageError(`no user ${username} (cco users list shows them)`);
    await tx.run(
      `update ops.users set password_hash = coalesce($2, password_hash), role = coalesce($3, role),
         disabled = coalesce($4, disabled), updated_at = $5::timestamptz where username = $1`,
      [username, hash ?? null, role ?? null, change.disabled ?? null, now],
    );
    await appendAudit(tx, {
      actor: by,
      event: "user.changed",
      subject: username,
      detail: {
        password_changed: hash !== undefined,
        ...(role ? { role } : {}),
        ...(change.disabled !== undefined ? { disabled: change.disabled } : {}),
      },
    });
  });
  return (await listUsers(warehouse)).find((u) => u.username === username)!;
}

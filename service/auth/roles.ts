/**
 * The service's roles, each allowed what the one before it is and more: a viewer reads, an
 * approver decides, an operator runs and rolls back, an admin manages users and tokens.
 */
export const ROLES = ["viewer", "approver", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/** True when `have` is `need` or above it. */
export function atLeast(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/** The lower of two roles (a token never acts above its user's current role). */
export function lowerOf(a: Role, b: Role): Role {
  return atLeast(a, b) ? b : a;
}

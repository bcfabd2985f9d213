/**
 * Password hashing with bcrypt (bcryptjs: pure JS, its async hash yields to the event loop).
 * Cost 12 by default; tests pass a lower one. A login for an unknown user still runs one
 * compare against a fixed hash, so the answer takes about as long as a wrong password.
 */
import bcrypt from "bcryptjs";

export const DEFAULT_BCRYPT_COST = 12;
export const MIN_PASSWORD_LENGTH = 10;

/** Why a password cannot be used, or undefined when it can. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH)
    return `a password needs ${MIN_PASSWORD_LENGTH} characters or more`;
  // bcrypt reads 72 bytes and ignores the rest: a longer password would match its own prefix.
  if (Buffer.byteLength(password, "utf8") > 72) return "a password may be 72 bytes at most";
  return undefined;
}

export function hashPassword(password: string, cost = DEFAULT_BCRYPT_COST): Promise<string> {
  return bcrypt.hash(password, cost);
}

let decoy: Promise<string> | undefined;

/** Compare with `hash`, or (no such user) with a decoy hash of the same cost, and answer false. */
export async function verifyPassword(password: string, hash: string | undefined): Promise<boolean> {
  if (hash) return bcrypt.compare(password, hash);
  decoy ??= bcrypt.hash("decoy password, never matches", DEFAULT_BCRYPT_COST);
  await bcrypt.compare(password, await decoy);
  return false;
}

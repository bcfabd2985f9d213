/**
 * Session tokens: JWTs (HS256) naming the user, valid for service.session_hours. The secret is
 * service.jwt_secret (or env CCO_JWT_SECRET), 32 characters or more; unset, a random one per
 * process (sessions then end when the service restarts). A session signed before its user's last
 * change (new password, role, disabled) no longer counts.
 */
import { randomBytes } from "node:crypto";
import jwt from "jsonwebtoken";
import type { Config } from "../../core/config.ts";
import { ConfigError } from "../../core/errors.ts";

export const MIN_SECRET_LENGTH = 32;
export const SESSION_COOKIE = "cco_session";

export function resolveJwtSecret(
  config: Pick<Config, "service" | "source">,
  env: NodeJS.ProcessEnv,
  warn: (message: string) => void,
): string {
  const fromConfig = config.service.jwt_secret;
  const secret = fromConfig ?? env.CCO_JWT_SECRET;
  if (secret === undefined || secret === "") {
    warn(
      "no service.jwt_secret (or CCO_JWT_SECRET): signing sessions with a random secret, so they end when the service restarts",
    );
    return randomBytes(48).toString("base64url");
  }
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(
      fromConfig !== undefined ? config.source : "environment",
      fromConfig !== undefined ? "service.jwt_secret" : "CCO_JWT_SECRET",
      `${secret.length} characters: a session secret needs ${MIN_SECRET_LENGTH} or more (openssl rand -base64 48 makes one)`,
    );
  }
  return secret;
}

export function signSession(
  secret: string,
  username: string,
  hours: number,
  now = new Date(),
): { token: string; expiresAt: Date } {
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + Math.round(hours * 3600);
  // `at`: the sign-in time to the millisecond (iat has seconds), to compare with the user's last change.
  const token = jwt.sign({ sub: username, iat, exp, at: now.getTime(), typ: "session" }, secret, {
    algorithm: "HS256",
  });
  return { token, expiresAt: new Date(exp * 1000) };
}

export type SessionCheck = { username: string; issuedAtMs: number } | { refused: string };

/** The session's user and when it was signed (milliseconds), or why it is refused. */
export function verifySession(secret: string, token: string, now = new Date()): SessionCheck {
  try {
    const claims = jwt.verify(token, secret, {
      algorithms: ["HS256"],
      clockTimestamp: Math.floor(now.getTime() / 1000),
    });
    if (typeof claims !== "object" || claims.typ !== "session" || typeof claims.sub !== "string")
      return { refused: "not a session token" };
    return {
      username: claims.sub,
      issuedAtMs: typeof claims.at === "number" ? claims.at : Number(claims.iat) * 1000,
    };
  } catch (error) {
    if (error instanceof jwt.TokenExpiredError) return { refused: "session expired: sign in again" };
    return { refused: "invalid session token" };
  }
}

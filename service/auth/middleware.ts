/**
 * Who sent a request: `Authorization: Bearer cco_…` (an API token), `Authorization: Bearer <jwt>`
 * (a session, as the login returned it) or the cco_session cookie. Refused credentials do not
 * fail the request here (the login page must still load with a stale cookie): the route's access
 * check answers 401 with the reason.
 */
import type { RequestHandler } from "express";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";
import type { Role } from "./roles.ts";
import { SESSION_COOKIE, verifySession } from "./sessions.ts";
import { type TokenIdentity, touchToken, verifyToken } from "./tokens.ts";

/**
 * Who a credential was found to be, kept a few seconds so a busy client costs no warehouse read
 * per request. Only successes are kept (a flood of made-up tokens fills nothing); any change to
 * users or tokens made through this service clears it, so a revocation takes effect at once.
 */
export class IdentityCache {
  private readonly tokens = new Map<string, { identity: TokenIdentity; until: number }>();
  private readonly users = new Map<string, { user: SessionUser; until: number }>();

  constructor(private readonly ttlMs = 5000) {}

  token(token: string, now: number): TokenIdentity | undefined {
    const hit = this.tokens.get(token);
    return hit && hit.until > now ? hit.identity : undefined;
  }

  keepToken(token: string, identity: TokenIdentity, now: number): void {
    if (this.tokens.size > 10_000) this.tokens.clear();
    this.tokens.set(token, { identity, until: Math.min(now + this.ttlMs, identity.expiresMs ?? Infinity) });
  }

  user(username: string, now: number): SessionUser | undefined {
    const hit = this.users.get(username);
    return hit && hit.until > now ? hit.user : undefined;
  }

  keepUser(username: string, user: SessionUser, now: number): void {
    if (this.users.size > 10_000) this.users.clear();
    this.users.set(username, { user, until: now + this.ttlMs });
  }

  clear(): void {
    this.tokens.clear();
    this.users.clear();
  }
}

interface SessionUser {
  role: Role;
  disabled: boolean;
  updated_ms: number;
}

export interface AuthDeps {
  jwtSecret: string;
  /** Reads users and tokens. */
  reader: Pick<Warehouse, "all">;
  /** Records a token's last use. */
  writer: Warehouse;
  now?: () => Date;
  cache?: IdentityCache;
  onError?: (error: unknown) => void;
}

/** Cookie header -> name/value pairs (the few cookies this service sets need no more). */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq < 1) continue;
    const name = part.slice(0, eq).trim();
    try {
      out[name] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      // A malformed value is not ours: skip it.
    }
  }
  return out;
}

const TOUCH_EVERY_MS = 60_000;

export function authenticate(deps: AuthDeps): RequestHandler {
  const now = deps.now ?? (() => new Date());
  const cache = deps.cache ?? new IdentityCache(0);
  const touched = new Map<string, number>();
  return async (req, _res, next) => {
    const header = req.get("authorization");
    let credential: string | undefined;
    let cookie = false;
    if (header !== undefined) {
      const m = /^Bearer +(\S+)$/i.exec(header.trim());
      if (!m) {
        req.authRefused = "Authorization: expected 'Bearer <token>'";
        return next();
      }
      credential = m[1]!;
    } else {
      credential = parseCookies(req.get("cookie"))[SESSION_COOKIE];
      cookie = credential !== undefined;
    }
    if (!credential) return next();
    const at = now();
    if (credential.startsWith("cco_")) {
      let identity: TokenIdentity | { refused: string } | undefined = cache.token(credential, at.getTime());
      if (!identity) {
        identity = await verifyToken(deps.reader, credential, at);
        if ("refused" in identity) {
          req.authRefused = identity.refused;
          return next();
        }
        cache.keepToken(credential, identity, at.getTime());
      }
      req.auth = {
        username: identity.username,
        role: identity.role,
        via: "token",
        cookie,
        tokenId: identity.tokenId,
      };
      if (at.getTime() - (touched.get(identity.tokenId) ?? 0) >= TOUCH_EVERY_MS) {
        touched.set(identity.tokenId, at.getTime());
        touchToken(deps.writer, identity.tokenId, at).catch((error) => deps.onError?.(error));
      }
      return next();
    }
    const session = verifySession(deps.jwtSecret, credential, at);
    if ("refused" in session) {
      req.authRefused = session.refused;
      return next();
    }
    let user = cache.user(session.username, at.getTime());
    if (!user) {
      [user] = await deps.reader.all<SessionUser>(
        "select role, disabled, epoch_ms(updated_at) as updated_ms from ops.users where username = $1",
        [session.username],
      );
      if (user) cache.keepUser(session.username, user, at.getTime());
    }
    if (!user || user.disabled) req.authRefused = "the session's user is disabled or gone";
    else if (session.issuedAtMs < Number(user.updated_ms))
      req.authRefused = "the user changed (password, role) since this session began: sign in again";
    else req.auth = { username: session.username, role: user.role, via: "session", cookie };
    next();
  };
}

/**
 * Sign-in and out. A login answers the session token and sets it as an HttpOnly, SameSite=Strict
 * cookie (the grid's); a wrong user name or password gets one message whichever was wrong, after
 * a bcrypt compare either way.
 */
import { z } from "zod";
import { verifyPassword } from "../auth/passwords.ts";
import { ROLES } from "../auth/roles.ts";
import { SESSION_COOKIE, signSession } from "../auth/sessions.ts";
import { findUser } from "../auth/users.ts";
import { ApiError } from "../http/errors.ts";
import type { RouteContext } from "./context.ts";

const userSchema = z.object({ username: z.string(), role: z.enum(ROLES) });

export function register({ api, reader, config, jwtSecret, logger, now }: RouteContext): void {
  api.route(
    {
      method: "post",
      path: "/api/v1/auth/login",
      tag: "auth",
      summary: "Sign in: a session token (also set as the cco_session cookie)",
      access: "public",
      body: z.strictObject({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) }),
      response: z.object({ token: z.string(), expires_at: z.string(), user: userSchema }),
    },
    async ({ body, req, res }) => {
      const user = await findUser(reader(), body.username);
      const matches = await verifyPassword(body.password, user?.password_hash);
      if (!user || !matches || user.disabled) {
        logger.warn({ request_id: req.id, username: body.username }, "sign-in refused");
        throw new ApiError("unauthorized", "wrong user name or password");
      }
      const { token, expiresAt } = signSession(jwtSecret, user.username, config.service.session_hours, now());
      res.cookie(SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: "strict",
        path: "/",
        secure: req.secure,
        expires: expiresAt,
      });
      logger.info({ request_id: req.id, username: user.username }, "signed in");
      return {
        token,
        expires_at: expiresAt.toISOString(),
        user: { username: user.username, role: user.role },
      };
    },
  );

  api.route(
    {
      method: "post",
      path: "/api/v1/auth/logout",
      tag: "auth",
      summary: "Sign out: clears the session cookie",
      access: "public",
      status: 204,
    },
    ({ req, res }) => {
      res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: "strict", path: "/", secure: req.secure });
      return undefined;
    },
  );

  api.route(
    {
      method: "get",
      path: "/api/v1/me",
      tag: "auth",
      summary: "Who is signed in, with which role, and how (session or token)",
      access: "viewer",
      response: userSchema.extend({ via: z.enum(["session", "token"]) }),
    },
    ({ auth }) => ({ username: auth.username, role: auth.role, via: auth.via }),
  );
}

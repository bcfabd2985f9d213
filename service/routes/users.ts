/**
 * /api/v1/users (admin) and /api/v1/tokens: people and API tokens, through the same store as
 * `cco users` (service/auth). Anyone signed in manages their own tokens; an admin, anyone's.
 */
import { z } from "zod";
import { UsageError } from "../../core/errors.ts";
import { ROLES } from "../auth/roles.ts";
import { createToken, listTokens, revokeToken } from "../auth/tokens.ts";
import { addUser, listUsers, updateUser } from "../auth/users.ts";
import { ApiError } from "../http/errors.ts";
import type { RouteContext } from "./context.ts";

const usernameParams = z.strictObject({ username: z.string().min(1).max(64) });

/** A store's UsageError is the client's mistake: 409 when the thing exists already, 404 when it does not, else 400. */
function asApiError(error: unknown): never {
  if (error instanceof UsageError) {
    if (/exists already/.test(error.message)) throw new ApiError("conflict", error.message);
    if (/^no user /.test(error.message)) throw new ApiError("not_found", error.message);
    throw new ApiError("bad_request", error.message);
  }
  throw error;
}

export function register({ api, warehouse, reader, bcryptCost, authChanged }: RouteContext): void {
  api.route(
    {
      method: "get",
      path: "/api/v1/users",
      tag: "users",
      summary: "Every user and their role",
      access: "admin",
    },
    async () => ({ items: await listUsers(reader()) }),
  );

  api.route(
    {
      method: "post",
      path: "/api/v1/users",
      tag: "users",
      summary: "Add a user",
      access: "admin",
      status: 201,
      body: z.strictObject({
        username: z.string().min(1).max(64),
        password: z.string().min(1).max(200),
        role: z.enum(ROLES),
      }),
    },
    ({ body, auth }) => addUser(warehouse, body, auth.username, { cost: bcryptCost }).catch(asApiError),
  );

  api.route(
    {
      method: "patch",
      path: "/api/v1/users/:username",
      tag: "users",
      summary: "Change a user's role or password, or disable them (their sessions end)",
      access: "admin",
      params: usernameParams,
      body: z
        .strictObject({
          role: z.enum(ROLES).optional(),
          password: z.string().min(1).max(200).optional(),
          disabled: z.boolean().optional(),
        })
        .refine((b) => Object.keys(b).length > 0, { error: "change something: role, password or disabled" }),
    },
    async ({ params, body, auth }) => {
      const user = await updateUser(warehouse, params.username, body, auth.username, {
        cost: bcryptCost,
      }).catch(asApiError);
      authChanged();
      return user;
    },
  );

  api.route(
    {
      method: "get",
      path: "/api/v1/tokens",
      tag: "tokens",
      summary: "API tokens (never their secret): your own, or everyone's for an admin",
      access: "viewer",
    },
    async ({ auth }) => ({
      items: await listTokens(reader(), auth.role === "admin" ? undefined : auth.username),
    }),
  );

  api.route(
    {
      method: "post",
      path: "/api/v1/tokens",
      tag: "tokens",
      summary: "Create an API token (shown once) for yourself, or for another user as an admin",
      access: "viewer",
      status: 201,
      body: z.strictObject({
        name: z.string().min(1).max(100),
        role: z.enum(ROLES).optional(),
        expires_days: z.number().positive().max(3650).optional(),
        username: z.string().min(1).max(64).optional(),
      }),
      response: z.object({
        token: z.string(),
        token_id: z.string(),
        role: z.enum(ROLES),
        expires_at: z.string().nullable(),
      }),
    },
    async ({ body, auth }) => {
      const username = body.username ?? auth.username;
      if (username !== auth.username && auth.role !== "admin")
        throw new ApiError("forbidden", "only an admin creates tokens for another user");
      // A token never outranks the one asking for it (a token cannot mint an admin token).
      if (body.role && ROLES.indexOf(body.role) > ROLES.indexOf(auth.role))
        throw new ApiError("forbidden", `a ${auth.role} cannot create a ${body.role} token`);
      return createToken(
        warehouse,
        {
          username,
          name: body.name,
          role: body.role ?? (username === auth.username ? auth.role : undefined),
          expiresDays: body.expires_days,
        },
        auth.username,
      ).catch(asApiError);
    },
  );

  api.route(
    {
      method: "delete",
      path: "/api/v1/tokens/:id",
      tag: "tokens",
      summary: "Revoke an API token: yours, or anyone's as an admin",
      access: "viewer",
      params: z.strictObject({
        id: z.string().regex(/^[0-9a-f]{12}$/, { error: "expected a token id (12 hex digits)" }),
      }),
    },
    async ({ params, auth }) => {
      const [owner] = await warehouse.all<{ username: string }>(
        "select username from ops.api_tokens where token_id = $1",
        [params.id],
      );
      // Someone else's token is "not found" to a non-admin: ids are not confirmed to strangers.
      if (!owner || (owner.username !== auth.username && auth.role !== "admin"))
        throw new ApiError("not_found", `no token ${params.id}`);
      await revokeToken(warehouse, params.id, auth.username);
      authChanged();
      return undefined;
    },
  );
}

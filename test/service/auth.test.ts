import jwt from "jsonwebtoken";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken, TOKEN_FORMAT } from "../../service/auth/tokens.ts";
import { call, login, PASSWORD, SECRET, serviceWorld, type World } from "./world.ts";

let w: World;
beforeAll(async () => {
  w = await serviceWorld();
});
afterAll(() => w.close());

const me = (token?: string, cookie?: string) => call(w.url, "GET", "/api/v1/me", { token, cookie });

describe("sign-in", () => {
  it("answers a session token, sets an HttpOnly SameSite=Strict cookie, and /me names the user", async () => {
    const r = await call(w.url, "POST", "/api/v1/auth/login", {
      body: { username: "alice", password: PASSWORD },
    });
    expect(r.status).toBe(200);
    expect(r.body.user).toEqual({ username: "alice", role: "approver" });
    expect(new Date(r.body.expires_at).getTime()).toBeGreaterThan(Date.now() + 11 * 3_600_000);
    const cookie = r.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^cco_session=[^;]+; Path=\/; Expires=.+; HttpOnly; SameSite=Strict$/);
    expect(cookie).toContain(r.body.token);
    expect((await me(r.body.token)).body).toEqual({ username: "alice", role: "approver", via: "session" });
    const byCookie = await me(undefined, cookie.split(";")[0]);
    expect(byCookie.body).toEqual({ username: "alice", role: "approver", via: "session" });
  });

  it("gives one message for a wrong password and an unknown user", async () => {
    const wrong = await call(w.url, "POST", "/api/v1/auth/login", {
      body: { username: "alice", password: "not it at all" },
    });
    const unknown = await call(w.url, "POST", "/api/v1/auth/login", {
      body: { username: "nobody", password: PASSWORD },
    });
    for (const r of [wrong, unknown]) {
      expect(r.status).toBe(401);
      expect(r.body.error).toEqual({ code: "unauthorized", message: "wrong user name or password" });
      expect(r.headers.get("set-cookie")).toBeNull();
    }
  });

  it("logout clears the cookie", async () => {
    const r = await call(w.url, "POST", "/api/v1/auth/logout");
    expect(r.status).toBe(204);
    expect(r.headers.get("set-cookie")).toMatch(/^cco_session=; Path=\/; Expires=Thu, 01 Jan 1970/);
  });
});

describe("credentials refused", () => {
  it("answers 401 without credentials, naming how to sign in", async () => {
    const r = await me();
    expect(r.status).toBe(401);
    expect(r.body.error.message).toMatch(/POST \/api\/v1\/auth\/login/);
  });

  it("refuses an expired session", async () => {
    const past = Math.floor(Date.now() / 1000) - 7200;
    const expired = jwt.sign({ sub: "ada", typ: "session", iat: past, exp: past + 3600 }, SECRET);
    const r = await me(expired);
    expect(r.status).toBe(401);
    expect(r.body.error.message).toBe("session expired: sign in again");
  });

  it("refuses a tampered session, one signed with another secret, and one that is not HS256", async () => {
    const token = await login(w.url, "vera");
    const [head, , sig] = token.split(".");
    const claims = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString());
    const promoted = Buffer.from(JSON.stringify({ ...claims, sub: "ada" })).toString("base64url");
    const forged = jwt.sign({ sub: "ada", typ: "session" }, "another secret of thirty-two characters");
    const none = `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${promoted}.`;
    for (const bad of [`${head}.${promoted}.${sig}`, forged, none]) {
      const r = await me(bad);
      expect(r.status).toBe(401);
      expect(r.body.error.message).toBe("invalid session token");
    }
  });

  it("refuses a malformed Authorization header", async () => {
    const r = await call(w.url, "GET", "/api/v1/me", { headers: { authorization: "Basic YWRhOng=" } });
    expect(r.status).toBe(401);
    expect(r.body.error.message).toMatch(/expected 'Bearer <token>'/);
  });

  it("ends the sessions signed before a user's password or role changed", async () => {
    const before = await login(w.url, "vera");
    expect((await me(before)).status).toBe(200);
    const admin = await login(w.url, "ada");
    const patched = await call(w.url, "PATCH", "/api/v1/users/vera", {
      token: admin,
      body: { password: `${PASSWORD}!` },
    });
    expect(patched.status).toBe(200);
    const r = await me(before);
    expect(r.status).toBe(401);
    expect(r.body.error.message).toMatch(/changed .* since this session began/);
    expect((await me(await login(w.url, "vera", `${PASSWORD}!`))).status).toBe(200);
    // and a disabled user can neither use a session nor sign in
    await call(w.url, "PATCH", "/api/v1/users/vera", { token: admin, body: { disabled: true } });
    expect(
      (
        await call(w.url, "POST", "/api/v1/auth/login", {
          body: { username: "vera", password: `${PASSWORD}!` },
        })
      ).status,
    ).toBe(401);
    await call(w.url, "PATCH", "/api/v1/users/vera", {
      token: admin,
      body: { disabled: false, password: PASSWORD },
    });
  });
});

describe("API tokens", () => {
  it("work as Bearer cco_…, are listed without their secret, and stop at once when revoked", async () => {
    const session = await login(w.url, "otto");
    const created = await call(w.url, "POST", "/api/v1/tokens", {
      token: session,
      body: { name: "ci", role: "viewer" },
    });
    expect(created.status).toBe(201);
    const { token, token_id } = created.body;
    expect(token).toMatch(/^cco_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect((await me(token)).body).toEqual({ username: "otto", role: "viewer", via: "token" });
    const list = await call(w.url, "GET", "/api/v1/tokens", { token: session });
    expect(list.text).not.toContain(TOKEN_FORMAT.exec(token)![2]!);
    expect(list.body.items.map((t: { token_id: string }) => t.token_id)).toContain(token_id);
    const stored = await w.warehouse.all<{ token_sha256: string; last_used_at: string | null }>(
      "select token_sha256, last_used_at::varchar as last_used_at from ops.api_tokens where token_id = $1",
      [token_id],
    );
    expect(stored[0]!.token_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(stored[0]!.last_used_at).not.toBeNull();
    expect((await call(w.url, "DELETE", `/api/v1/tokens/${token_id}`, { token: session })).status).toBe(204);
    const revoked = await me(token);
    expect(revoked.status).toBe(401);
    expect(revoked.body.error.message).toBe("token revoked");
  });

  it("refuses an expired token, a made-up one, and one whose user is disabled", async () => {
    const expired = await createToken(
      w.warehouse,
      { username: "alice", name: "old", expiresDays: 1 },
      "test",
      new Date(Date.now() - 2 * 86_400_000),
    );
    expect((await me(expired.token)).body.error.message).toBe("token expired");
    const madeUp = `cco_${expired.token_id}_${"A".repeat(43)}`;
    expect((await me(madeUp)).body.error.message).toBe("unknown token");
    const otto = await createToken(w.warehouse, { username: "otto", name: "x" }, "test");
    const admin = await login(w.url, "ada");
    await call(w.url, "PATCH", "/api/v1/users/otto", { token: admin, body: { disabled: true } });
    expect((await me(otto.token)).body.error.message).toMatch(/disabled/);
    await call(w.url, "PATCH", "/api/v1/users/otto", { token: admin, body: { disabled: false } });
    expect((await me(otto.token)).status).toBe(200);
  });

  it("never outranks its user or its maker, and only an admin makes one for someone else", async () => {
    const viewer = await login(w.url, "vera");
    const approver = await login(w.url, "alice");
    expect(
      (await call(w.url, "POST", "/api/v1/tokens", { token: viewer, body: { name: "x", role: "admin" } }))
        .status,
    ).toBe(403);
    expect(
      (
        await call(w.url, "POST", "/api/v1/tokens", {
          token: approver,
          body: { name: "x", username: "vera" },
        })
      ).status,
    ).toBe(403);
    const admin = await login(w.url, "ada");
    const tooHigh = await call(w.url, "POST", "/api/v1/tokens", {
      token: admin,
      body: { name: "x", username: "vera", role: "operator" },
    });
    expect(tooHigh.status).toBe(400);
    expect(tooHigh.body.error.message).toMatch(/cannot have the role operator/);
    const forVera = await call(w.url, "POST", "/api/v1/tokens", {
      token: admin,
      body: { name: "x", username: "vera" },
    });
    expect(forVera.body.role).toBe("viewer");
    // someone else's token is not found to a non-admin
    expect(
      (await call(w.url, "DELETE", `/api/v1/tokens/${forVera.body.token_id}`, { token: approver })).status,
    ).toBe(404);
  });
});

describe("the CSRF rule", () => {
  it("refuses a state-changing request signed in by cookie without x-cco-csrf: 1", async () => {
    const r = await call(w.url, "POST", "/api/v1/auth/login", {
      body: { username: "alice", password: PASSWORD },
    });
    const cookie = r.headers.get("set-cookie")!.split(";")[0]!;
    const body = { decisions: [{ recommendation_id: "rec-low-2", decision: "defer" }] };
    const refused = await call(w.url, "POST", "/api/v1/approvals/decide", { cookie, body });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/x-cco-csrf: 1/);
    expect(
      await w.warehouse.all("select 1 from ops.approvals where recommendation_id = 'rec-low-2'"),
    ).toHaveLength(0);
    const allowed = await call(w.url, "POST", "/api/v1/approvals/decide", {
      cookie,
      body,
      headers: { "x-cco-csrf": "1" },
    });
    expect(allowed.status).toBe(200);
    // a bearer token needs no header: a cross-site form cannot send one
    const bearer = await call(w.url, "POST", "/api/v1/approvals/decide", { token: r.body.token, body });
    expect(bearer.status).toBe(200);
    // reads by cookie need none either
    expect((await me(undefined, cookie)).status).toBe(200);
  });
});

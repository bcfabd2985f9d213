/**
 * Every role boundary of the contract: each route called by each role, answered 403 below the
 * route's role and anything but 401/403 at or above it (the work itself may then refuse, say a
 * 404 for an id that does not exist: the boundary is what is tested here).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROLES, type Role } from "../../service/auth/roles.ts";
import { call, login, ROLE_USERS, serviceWorld, type World } from "./world.ts";

let w: World;
const tokens = {} as Record<Role, string>;
beforeAll(async () => {
  w = await serviceWorld();
  for (const role of ROLES) tokens[role] = await login(w.url, ROLE_USERS[role]);
});
afterAll(() => w.close());

/** method, path, body, the lowest role allowed. */
const ROUTES: [string, string, Role, unknown][] = [
  ["GET", "/api/v1/me", "viewer", undefined],
  ["GET", "/api/v1/recommendations", "viewer", undefined],
  ["GET", "/api/v1/recommendations/rec-low-1", "viewer", undefined],
  ["GET", "/api/v1/approvals", "viewer", undefined],
  ["GET", "/api/v1/actions", "viewer", undefined],
  ["GET", "/api/v1/actions/no-such-action", "viewer", undefined],
  ["GET", "/api/v1/anomalies", "viewer", undefined],
  ["GET", "/api/v1/audit", "viewer", undefined],
  ["GET", "/api/v1/runs", "viewer", undefined],
  ["GET", "/api/v1/runs/1", "viewer", undefined],
  ["GET", "/api/v1/tokens", "viewer", undefined],
  ["POST", "/api/v1/ask", "viewer", { question: "what did we spend?" }],
  [
    "POST",
    "/api/v1/approvals/decide",
    "approver",
    { decisions: [{ recommendation_id: "rec-address", decision: "defer" }] },
  ],
  ["POST", "/api/v1/anomalies/no-such-anomaly/ack", "approver", { note: "seen" }],
  ["POST", "/api/v1/actions/plan", "operator", undefined],
  ["POST", "/api/v1/actions/no-such-action/rollback", "operator", { reason: "test" }],
  ["POST", "/api/v1/actions/pause", "operator", { reason: "test" }],
  ["POST", "/api/v1/actions/resume", "operator", { reason: "test" }],
  ["POST", "/api/v1/runs", "operator", { only: ["snapshot"] }],
  ["GET", "/api/v1/users", "admin", undefined],
  [
    "POST",
    "/api/v1/users",
    "admin",
    { username: "newbie", password: "long enough password", role: "viewer" },
  ],
  ["PATCH", "/api/v1/users/newbie", "admin", { role: "viewer" }],
  ["GET", "/api/v1/audit/verify", "admin", undefined],
];

describe("role boundaries", () => {
  it.each(ROUTES)("%s %s needs %s or above", async (method, path, needed, body) => {
    for (const role of ROLES) {
      const r = await call(w.url, method, path, { token: tokens[role], body });
      const allowed = ROLES.indexOf(role) >= ROLES.indexOf(needed);
      if (allowed) expect([401, 403], `${role} ${method} ${path}: ${r.text}`).not.toContain(r.status);
      else {
        expect(r.status, `${role} ${method} ${path}`).toBe(403);
        expect(r.body.error.code).toBe("forbidden");
        expect(r.body.error.message).toContain(`needs the role ${needed}`);
      }
    }
  });

  it("leaves nothing behind a refused request: a viewer's approval is not recorded", async () => {
    const body = { decisions: [{ recommendation_id: "rec-low-1", decision: "approve" }] };
    expect(
      (await call(w.url, "POST", "/api/v1/approvals/decide", { token: tokens.viewer, body })).status,
    ).toBe(403);
    expect(
      await w.warehouse.all("select 1 from ops.approvals where recommendation_id = 'rec-low-1'"),
    ).toHaveLength(0);
  });

  it("runs the operator's plan as a dry run now, recorded as started by the API", async () => {
    const r = await call(w.url, "POST", "/api/v1/actions/plan", { token: tokens.operator });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ mode: "dry_run", trigger: "api", started: 0 });
    const [run] = await w.warehouse.all("select mode, triggered_by from ops.action_runs where run_id = $1", [
      r.body.run_id,
    ]);
    expect(run).toEqual({ mode: "dry_run", triggered_by: "api" });
  });

  it("answers 401, not 403, to a request without credentials on every role-bound route", async () => {
    for (const [method, path, , body] of ROUTES) {
      const r = await call(w.url, method, path, { body });
      expect(r.status, `${method} ${path}`).toBe(401);
    }
  });
});

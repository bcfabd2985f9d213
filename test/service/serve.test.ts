/**
 * The must-show: `cco serve` starts with one command on a demo warehouse; a user added
 * with `cco users add` signs in through the API, approves a low-risk recommendation, and the
 * executor's schedule (every 2 s here) executes it in the sandbox cloud; SIGTERM then stops the
 * service cleanly (exit 0, lock released).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeWarehouse } from "../../core/warehouse/warehouse.ts";
import { runDemo } from "../helpers/demo.ts";
import { ccoSync, serveProcess } from "./cli.ts";
import { call } from "./world.ts";

const SECRET = "must-show-secret-0123456789abcdefghijkl";
const PASSWORD = "approver passphrase 1";
let dataDir: string;
let configFile: string;
let served: ReturnType<typeof serveProcess> | undefined;

beforeAll(async () => {
  ({ dataDir } = await runDemo(
    'generate:\n  resources: 150\n  days: 45\nactions:\n  mode: execute\n  schedule: {cron: "*/2 * * * * *", timezone: UTC}\n',
  ));
  configFile = path.join(dataDir, "cco.config.yaml");
  await closeWarehouse();
}, 600_000);

afterAll(() => {
  if (served && served.child.exitCode === null) served.child.kill("SIGKILL");
});

const env = () => ({ CCO_JWT_SECRET: SECRET, CCO_DATA_DIR: dataDir });

describe("cco serve on the demo warehouse", () => {
  it("adds a user with cco users add, reading the password from stdin", () => {
    const r = ccoSync(
      ["--config", configFile, "users", "add", "alice", "--role", "approver", "--password-stdin"],
      {
        env: env(),
        input: `${PASSWORD}\n`,
      },
    );
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("added alice (approver)\n");
    expect(r.status).toBe(0);
  });

  it("serves, lets alice approve a low-risk row, and the scheduled executor runs it in the sandbox; SIGTERM exits 0", async () => {
    served = serveProcess(["--config", configFile], env());
    const url = await served.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(served.logLines().find((l) => l.msg === "listening")).toMatchObject({ url });
    expect(existsSync(path.join(dataDir, "warehouse.duckdb.lock"))).toBe(true);

    const login = await call(url, "POST", "/api/v1/auth/login", {
      body: { username: "alice", password: PASSWORD },
    });
    expect(login.status).toBe(200);
    const token = login.body.token as string;
    const queue = await call(url, "GET", "/api/v1/approvals?state=waiting", { token });
    const row = queue.body.find(
      (q: { risk_level: string; required: number; action_kind: string | null; irreversible: boolean }) =>
        q.risk_level === "low" &&
        q.required === 1 &&
        ["stop_vm", "resize_vm", "schedule_vm"].includes(q.action_kind ?? "") &&
        !q.irreversible,
    );
    expect(row, "a low-risk VM row waiting for one approval").toBeDefined();
    const decided = await call(url, "POST", "/api/v1/approvals/decide", {
      token,
      body: {
        decisions: [
          {
            recommendation_id: row.recommendation_id,
            decision: "approve",
            version: row.version,
            note: "via the API",
          },
        ],
      },
    });
    expect(decided.body.results).toEqual([
      { recommendation_id: row.recommendation_id, ok: true, state: "approved", approvals: 1, required: 1 },
    ]);

    // The schedule fires every 2 s: the approved row becomes an executed action.
    let action: { action_id: string; state: string; mode: string } | undefined;
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      const list = await call(
        url,
        "GET",
        `/api/v1/actions?recommendation_id=${row.recommendation_id}&mode=execute`,
        { token },
      );
      action = list.body.items[0];
      if (action && ["verifying", "succeeded"].includes(action.state)) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    expect(action, JSON.stringify(served.output().stdout.slice(-2000))).toMatchObject({ mode: "execute" });
    expect(["verifying", "succeeded"]).toContain(action!.state);
    const detail = await call(url, "GET", `/api/v1/actions/${action!.action_id}`, { token });
    expect(detail.body.provider).toBe(row.provider);
    expect(detail.body.events.some((e: { call: string | null }) => e.call === row.action_kind)).toBe(true);
    // The run that executed it was the schedule's (not the pipeline's, not the API's).
    const audit = await call(url, "GET", `/api/v1/audit?subject=${detail.body.run_id}&event=executor.run`, {
      token,
    });
    const started = audit.body.items.find((e: { event: string }) => e.event === "executor.run");
    expect(started.detail).toMatchObject({ mode: "execute", trigger: "schedule" });

    // One writer per warehouse: a second service, or a pipeline run, is refused naming the holder.
    const second = ccoSync(["--config", configFile, "serve", "--port", "0"], { env: env() });
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`locked by 'cco serve' \\(PID ${served.child.pid}\\)`));

    served.child.kill("SIGTERM");
    expect(await served.exited).toBe(0);
    const lines = served.logLines();
    expect(lines.at(-1)).toMatchObject({ msg: "stopped" });
    expect(lines.some((l) => l.msg === "executor run" && l.trigger === "schedule")).toBe(true);
    expect(served.output().stdout).not.toContain(PASSWORD);
    expect(served.output().stdout).not.toContain(token);
    expect(existsSync(path.join(dataDir, "warehouse.duckdb.lock"))).toBe(false);
  }, 180_000);

  it("refuses a session secret shorter than 32 characters before opening anything (exit 2)", () => {
    const r = ccoSync(["--config", configFile, "serve", "--port", "0"], {
      env: { ...env(), CCO_JWT_SECRET: "too-short" },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      "cco: environment: CCO_JWT_SECRET: 9 characters: a session secret needs 32 or more (openssl rand -base64 48 makes one)\n",
    );
  });
});

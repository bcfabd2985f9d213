import path from "node:path";
import { describe, expect, it } from "vitest";
import { Warehouse } from "../../core/warehouse/warehouse.ts";
import { verifyPassword } from "../../service/auth/passwords.ts";
import { verifyToken } from "../../service/auth/tokens.ts";
import { addUser, findUser } from "../../service/auth/users.ts";
import { tempDir } from "../helpers/tmp.ts";
import { ccoSync } from "./cli.ts";

const dataDir = tempDir("cco-users-");
const env = { CCO_DATA_DIR: dataDir, CCO_PASSWORD: "" };
const cco = (args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}) =>
  ccoSync(args, { env: { ...env, ...options.env }, input: options.input, cwd: dataDir });

async function withWarehouse<T>(work: (w: Warehouse) => Promise<T>): Promise<T> {
  const w = await Warehouse.open({ path: path.join(dataDir, "warehouse.duckdb") });
  try {
    return await work(w);
  } finally {
    await w.close();
  }
}

describe("cco users", () => {
  it("adds users with the password from stdin or CCO_PASSWORD, stored as a bcrypt hash of cost 12", async () => {
    const fromStdin = cco(["users", "add", "ada", "--role", "admin", "--password-stdin"], {
      input: "first passphrase\n",
    });
    expect(fromStdin.stdout).toBe("added ada (admin)\n");
    expect(fromStdin.status).toBe(0);
    const fromEnv = cco(["--json", "users", "add", "bob", "--role", "viewer"], {
      env: { CCO_PASSWORD: "second passphrase" },
    });
    expect(JSON.parse(fromEnv.stdout)).toMatchObject({ username: "bob", role: "viewer", disabled: false });
    await withWarehouse(async (w) => {
      const ada = await findUser(w, "ada");
      expect(ada!.password_hash).toMatch(/^\$2[ab]\$12\$/);
      expect(await verifyPassword("first passphrase", ada!.password_hash)).toBe(true);
    });
  });

  it("never takes a password as an argument, and says how to give one", () => {
    const asArgument = cco(["users", "add", "eve", "hunter2hunter2", "--role", "viewer"]);
    expect(asArgument.status).toBe(2);
    const none = cco(["users", "add", "eve", "--role", "viewer"]);
    expect(none.status).toBe(2);
    expect(none.stderr).toBe(
      "cco: no password: pipe it with --password-stdin, set CCO_PASSWORD, or run on a terminal\n",
    );
  });

  it("refuses a short password and a taken name (exit 2)", () => {
    expect(
      cco(["users", "add", "eve", "--role", "viewer", "--password-stdin"], { input: "short" }).stderr,
    ).toBe("cco: a password needs 10 characters or more\n");
    const taken = cco(["users", "add", "ada", "--role", "viewer", "--password-stdin"], {
      input: "long enough pass",
    });
    expect(taken.status).toBe(2);
    expect(taken.stderr).toMatch(/user ada exists already/);
  });

  it("changes a password, disables a user, and lists users without their hashes", async () => {
    expect(cco(["users", "passwd", "bob", "--password-stdin"], { input: "third passphrase\n" }).stdout).toBe(
      "password of bob changed\n",
    );
    expect(cco(["users", "disable", "bob"]).stdout).toBe("bob disabled\n");
    const list = cco(["--json", "users", "list"]);
    expect(list.status).toBe(0);
    expect(list.stdout).not.toMatch(/\$2[ab]\$/);
    expect(JSON.parse(list.stdout).users).toEqual([
      expect.objectContaining({ username: "ada", role: "admin", disabled: false }),
      expect.objectContaining({ username: "bob", role: "viewer", disabled: true }),
    ]);
    await withWarehouse(async (w) => {
      expect(await verifyPassword("third passphrase", (await findUser(w, "bob"))!.password_hash)).toBe(true);
    });
    expect(
      cco(["users", "passwd", "nobody", "--password-stdin"], { input: "long enough pass" }).stderr,
    ).toMatch(/no user nobody/);
  });

  it("prints a token once, which then authenticates as its user at its role; revoke ends it", async () => {
    const r = cco([
      "users",
      "token",
      "ada",
      "--name",
      "prometheus",
      "--role",
      "viewer",
      "--expires-days",
      "30",
    ]);
    expect(r.status).toBe(0);
    const token = r.stdout.split("\n")[0]!;
    expect(token).toMatch(/^cco_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(r.stdout).toMatch(/shown once/);
    const id = token.split("_")[1]!;
    expect(cco(["users", "list"]).stdout).not.toContain(token);
    expect(cco(["users", "token", "bob", "--name", "x"]).stderr).toMatch(/user bob is disabled/);
    await withWarehouse(async (w) => {
      expect(await verifyToken(w, token)).toMatchObject({ tokenId: id, username: "ada", role: "viewer" });
    });
    expect(cco(["users", "revoke", id]).stdout).toBe(`token ${id} revoked\n`);
    await withWarehouse(async (w) => {
      expect(await verifyToken(w, token)).toEqual({ refused: "token revoked" });
    });
  });
});

describe("the user store", () => {
  it("refuses a name outside letters, digits and . _ @ -, an unknown role, and a password over 72 bytes", async () => {
    const w = await Warehouse.open({ path: path.join(tempDir(), "store.duckdb") });
    try {
      for (const username of ["a b", "-lead", "x".repeat(65), "ä"])
        await expect(
          addUser(w, { username, password: "long enough pass", role: "viewer" }, "t", { cost: 4 }),
        ).rejects.toThrow(/use letters, digits and/);
      await expect(
        addUser(w, { username: "eve", password: "long enough pass", role: "root" }, "t", { cost: 4 }),
      ).rejects.toThrow("role 'root': expected one of viewer, approver, operator, admin");
      await expect(
        addUser(w, { username: "eve", password: "é".repeat(37), role: "viewer" }, "t", { cost: 4 }),
      ).rejects.toThrow("a password may be 72 bytes at most");
      const eve = await addUser(
        w,
        { username: "eve@example.com", password: "long enough pass", role: "viewer" },
        "t",
        { cost: 4 },
      );
      expect(eve.username).toBe("eve@example.com");
      const [audit] = await w.all<{ event: string; detail: string }>(
        "select event, detail::varchar as detail from ops.audit_log",
      );
      expect(audit).toEqual({ event: "user.added", detail: '{"role":"viewer"}' });
    } finally {
      await w.close();
    }
  });
});

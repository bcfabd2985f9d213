import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { InputError } from "../../../core/errors.ts";
import { internalError, reportError } from "../../../orchestrator/cli/index.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { cco, ROOT, STACK_FRAME } from "./run-cli.ts";

describe("cco", () => {
  it("has --help on every command and subcommand, exiting 0", () => {
    for (const command of [
      [],
      ["generate"],
      ["ingest"],
      ["models"],
      ["models", "build"],
      ["models", "run"],
      ["models", "test"],
      ["models", "compile"],
      ["models", "docs"],
      ["models", "focus-check"],
      ["models", "bigquery-sources"],
      ["ml"],
      ["ml", "forecast"],
      ["ml", "anomalies"],
      ["ml", "anomalies", "ack"],
      ["ml", "utilization"],
      ["ml", "evaluate"],
      ["recommend"],
      ["recommend", "evaluate"],
      ["recommend", "dismiss"],
      ["report"],
      ["report", "build"],
      ["report", "serve"],
      ["report", "publish"],
      ["approvals"],
      ["approvals", "export"],
      ["approvals", "import"],
      ["approvals", "status"],
      ["approvals", "decide"],
      ["audit"],
      ["audit", "verify"],
      ["audit", "log"],
      ["actions"],
      ["actions", "plan"],
      ["actions", "policy"],
      ["actions", "run"],
      ["actions", "status"],
      ["actions", "rollback"],
      ["actions", "pause"],
      ["actions", "resume"],
      ["run"],
      ["sandbox"],
      ["sandbox", "status"],
      ["sandbox", "advance"],
      ["sandbox", "reset"],
      ["schedule"],
      ["schedule", "list"],
      ["serve"],
      ["users"],
      ["users", "add"],
      ["users", "passwd"],
      ["users", "role"],
      ["users", "disable"],
      ["users", "enable"],
      ["users", "list"],
      ["users", "token"],
      ["users", "revoke"],
      ["explain"],
      ["ask"],
      ["sql"],
      ["config"],
      ["help"],
    ]) {
      const r = cco([...command, "--help"]);
      expect(r.status, command.join(" ")).toBe(0);
      expect(r.stdout, command.join(" ")).toMatch(new RegExp(`^Usage: cco ${command.join(" ")}`));
    }
  });

  it("prints the formats and remote sources in ingest's help, also through `cco help ingest`", () => {
    for (const args of [
      ["ingest", "--help"],
      ["help", "ingest"],
    ]) {
      const r = cco(args);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/Formats \(detected from the columns\):\n {2}aws_cur2 /);
      expect(r.stdout).toMatch(/choices: "aws_cur2"/);
      expect(r.stdout).toMatch(/s3:\/\/<bucket>\/<prefix>/);
    }
    expect(cco(["help", "models", "focus-check"]).stdout).toMatch(/comma-separated \(\d+ exist\)/);
  });

  it("prints the package version", () => {
    const { version } = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
    for (const flag of ["--version", "-V"]) {
      const r = cco([flag]);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`${version}\n`);
    }
  });

  it("exits 2 on an unknown command, option or option value, before any work", () => {
    expect(cco(["frobnicate"]).status).toBe(2);
    expect(cco(["generate", "--no-such-flag"]).status).toBe(2);
    expect(cco(["help", "frobnicate"]).status).toBe(2);
    const badPort = cco(["serve", "--port", "70000"]);
    expect(badPort.status).toBe(2);
    expect(badPort.stderr).toMatch(
      /option '--port <n>' argument '70000' is invalid\. expected a port number 0-65535/,
    );
    expect(badPort.stdout).toBe("");
  });

  it("exits 2 naming the file and key of a bad config", () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "bad.yaml"), "warehouse:\n  threads: many\n");
    const r = cco(["--config", path.join(dir, "bad.yaml"), "config"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml: warehouse\.threads/);
  });

  it("exits 2 naming the file and key of a date that does not exist, before any work", () => {
    for (const date of ["2026-13-45", "2026-02-30"]) {
      const cwd = tempDir();
      writeFileSync(path.join(cwd, "cco.config.yaml"), `generate:\n  end_date: ${date}\n`);
      for (const command of [["config"], ["generate"], ["run", "--demo"]]) {
        const r = cco(command, { cwd });
        expect(r.status, `${date} ${command}`).toBe(2);
        expect(r.stderr).toBe(
          `cco: ${path.join(cwd, "cco.config.yaml")}: generate.end_date: ${date} is not a date (expected YYYY-MM-DD)\n`,
        );
      }
    }
  });

  // Plausible mistakes: each gets one clear line on stderr and the right exit code, never a stack trace.
  it.each([
    [
      ["generate", "--end-date", "2026-02-30"],
      2,
      /option '--end-date <YYYY-MM-DD>' argument '2026-02-30' is invalid/,
    ],
    [
      ["generate", "--days", "0"],
      2,
      /option '--days <n>' argument '0' is invalid\. expected a whole number above 0/,
    ],
    [["generate", "--seed", "-1"], 2, /option '--seed <n>' argument '-1' is invalid/],
    [
      ["ingest", "--since", "2026-13", "costexplorer://"],
      2,
      /option '--since <YYYY-MM>' argument '2026-13' is invalid/,
    ],
    [["ingest", "no-such-export.csv"], 2, /^cco: no-such-export\.csv: no such file or folder$/m],
    [["ingest", "--format", "csv", "x.csv"], 2, /option '--format <id>' argument 'csv' is invalid/],
    [["models", "build", "--select", "no_such_model"], 2, /^cco: --select no_such_model matches no model$/m],
    [["models", "compile", "--select", "tag:nothing"], 2, /^cco: --select tag:nothing matches no model$/m],
    [["models", "focus-check", "--file", "missing.csv"], 2, /^cco: --file missing\.csv: no such file$/m],
    [["models", "focus-check", "--relation", "x; drop"], 2, /expected a table or view name/],
    [["models", "focus-check", "--criteria", "REGION"], 2, /^cco: --criteria: unknown REGION; one of /m],
    [["recommend"], 2, /^cco: marts\.cost_daily does not exist: build the models first/m],
    [
      ["recommend", "evaluate", "--truth", "missing.json"],
      2,
      /^cco: missing\.json: cannot read the truth file/m,
    ],
    [
      ["recommend", "dismiss", "abc", "--reason", "x"],
      2,
      /^cco: marts\.recommendations does not exist: run cco recommend/m,
    ],
    [["approvals", "export"], 2, /^cco: marts\.recommendations does not exist: run cco recommend/m],
    [["report"], 2, /^cco: no Parquet snapshot of marts\.cost_daily, marts\.recommendations in /m],
    [
      ["run"],
      2,
      /^cco: nothing to ingest: pass export paths, list them in pipeline\.sources of the config, or use --demo$/m,
    ],
    [["run", "no-such-folder"], 2, /^cco: no-such-folder: no such file or folder$/m],
    [["--config", "missing.yaml", "config"], 2, /missing\.yaml: config file not found$/m],
    [["sql", ""], 2, /^cco: sql: no statement to run$/m],
  ])("cco %j exits %i with a clear message", (args, status, message) => {
    const dataDir = tempDir();
    const r = cco(args as string[], { env: { CCO_DATA_DIR: dataDir }, cwd: dataDir });
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(STACK_FRAME);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.status).toBe(status);
  });

  it("honours CCO_WAREHOUSE", () => {
    const wh = path.join(tempDir(), "env.duckdb");
    const r = cco(["--json", "config"], { env: { CCO_WAREHOUSE: wh } });
    expect(JSON.parse(r.stdout).warehouse.path).toBe(wh);
  });
});

describe("errors reaching main()", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const stderrOf = (work: () => number) => {
    let written = "";
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      written += String(chunk);
      return true;
    });
    const code = work();
    vi.restoreAllMocks();
    return { code, written };
  };

  it("shows a file-system error as its path and reason, exit 1", () => {
    const error = Object.assign(new Error("EACCES: permission denied, open '/srv/x'"), {
      code: "EACCES",
      syscall: "open",
      path: "/srv/x",
    });
    expect(stderrOf(() => reportError(error))).toEqual({
      code: 1,
      written: "cco: /srv/x: permission denied\n",
    });
  });

  it("shows an input error as its message, and with CCO_DEBUG=1 the library error underneath", () => {
    const previous = process.env.CCO_DEBUG;
    const sdk = Object.assign(new Error("Access Denied"), { name: "AccessDenied" });
    const error = new InputError(
      "s3://bills/cur",
      "cannot read from S3: AccessDenied: Access Denied",
      {},
      { cause: sdk },
    );
    try {
      delete process.env.CCO_DEBUG;
      expect(stderrOf(() => reportError(error))).toEqual({
        code: 1,
        written: "cco: s3://bills/cur: cannot read from S3: AccessDenied: Access Denied\n",
      });
      process.env.CCO_DEBUG = "1";
      const { code, written } = stderrOf(() => reportError(error));
      expect(code).toBe(1);
      expect(written).toMatch(/\ncaused by: AccessDenied: Access Denied\n\s+at /);
    } finally {
      if (previous === undefined) delete process.env.CCO_DEBUG;
      else process.env.CCO_DEBUG = previous;
    }
  });

  it("shows a bug as one line and keeps its stack trace in a file, exit 70", () => {
    const previous = process.env.CCO_DEBUG;
    delete process.env.CCO_DEBUG;
    try {
      const { code, written } = stderrOf(() => internalError(new TypeError("x.y is not a function")));
      expect(code).toBe(70);
      expect(written).toMatch(/^cco: internal error \(a bug in cco\): x\.y is not a function\n {2}details: /);
      expect(written).not.toMatch(STACK_FRAME);
      const file = /details: (\S+)/.exec(written)![1]!;
      expect(readFileSync(file, "utf8")).toMatch(/TypeError: x\.y is not a function\n\s+at /);
      rmSync(file);
    } finally {
      if (previous !== undefined) process.env.CCO_DEBUG = previous;
    }
  });
});

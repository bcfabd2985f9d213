/**
 * `cco users`: the service's users and API tokens (service/auth). A password never goes on the
 * command line (it would sit in the shell history and the process list): it is read from stdin
 * (--password-stdin), from CCO_PASSWORD, or asked for on the terminal without echo.
 */
import os from "node:os";
import { type Command, InvalidArgumentError } from "commander";
import { UsageError } from "../../../core/errors.ts";
import { context, positiveInt, print, warehouseFor } from "../context.ts";

const ROLE_CHOICES = ["viewer", "approver", "operator", "admin"];

function role(value: string): string {
  if (!ROLE_CHOICES.includes(value))
    throw new InvalidArgumentError(`expected one of ${ROLE_CHOICES.join(", ")}`);
  return value;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // One trailing newline (echo, a file) is not part of the password.
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

/** A line typed on the terminal, not echoed. */
async function askHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding("utf8");
  try {
    return await new Promise<string>((resolve, reject) => {
      let typed = "";
      const onData = (data: string) => {
        for (const ch of data) {
          if (ch === "\r" || ch === "\n" || ch === "\u0004") {
            stdin.off("data", onData);
            process.stderr.write("\n");
            return resolve(typed);
          }
          if (ch === "\u0003") {
            stdin.off("data", onData);
            process.stderr.write("\n");
            return reject(new UsageError("cancelled"));
          }
          if (ch === "\u007f" || ch === "\b") typed = typed.slice(0, -1);
          else typed += ch;
        }
      };
      stdin.on("data", onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
  }
}

async function newPassword(opts: { passwordStdin?: boolean }): Promise<string> {
  if (opts.passwordStdin) return readStdin();
  if (process.env.CCO_PASSWORD) return process.env.CCO_PASSWORD;
  if (!process.stdin.isTTY)
    throw new UsageError(
      "no password: pipe it with --password-stdin, set CCO_PASSWORD, or run on a terminal",
    );
  const first = await askHidden("Password: ");
  const again = await askHidden("Again: ");
  if (first !== again) throw new UsageError("the two passwords differ; nothing changed");
  return first;
}

const actor = () => os.userInfo().username;

export function register(program: Command): void {
  const users = program
    .command("users")
    .description("The service's users (viewer < approver < operator < admin) and their API tokens");

  users
    .command("add")
    .description("add a user (the password is asked for, or read from stdin or CCO_PASSWORD)")
    .argument("<name>", "user name: letters, digits and . _ @ -")
    .requiredOption("--role <role>", `one of ${ROLE_CHOICES.join(", ")}`, role)
    .option("--password-stdin", "read the password from stdin (one line)")
    .action(async (name: string, opts: { role: string; passwordStdin?: boolean }, cmd: Command) => {
      const { config, json } = await context(cmd);
      const password = await newPassword(opts);
      const { addUser } = await import("../../../service/auth/users.ts");
      const user = await addUser(
        await warehouseFor(config),
        { username: name, password, role: opts.role },
        actor(),
      );
      print(json, user, `added ${user.username} (${user.role})`);
    });

  users
    .command("passwd")
    .description("set a user's password (their sessions end)")
    .argument("<name>", "user name")
    .option("--password-stdin", "read the password from stdin (one line)")
    .action(async (name: string, opts: { passwordStdin?: boolean }, cmd: Command) => {
      const { config, json } = await context(cmd);
      const password = await newPassword(opts);
      const { updateUser } = await import("../../../service/auth/users.ts");
      const user = await updateUser(await warehouseFor(config), name, { password }, actor());
      print(json, user, `password of ${user.username} changed`);
    });

  users
    .command("role")
    .description("change a user's role (their sessions end)")
    .argument("<name>", "user name")
    .argument("<role>", `one of ${ROLE_CHOICES.join(", ")}`, role)
    .action(async (name: string, newRole: string, _opts, cmd: Command) => {
      const { config, json } = await context(cmd);
      const { updateUser } = await import("../../../service/auth/users.ts");
      const user = await updateUser(await warehouseFor(config), name, { role: newRole }, actor());
      print(json, user, `${user.username} is now ${user.role}`);
    });

  for (const [name, disabled] of [
    ["disable", true],
    ["enable", false],
  ] as const) {
    users
      .command(name)
      .description(
        disabled ? "disable a user: their sessions and tokens stop working" : "enable a disabled user again",
      )
      .argument("<name>", "user name")
      .action(async (username: string, _opts, cmd: Command) => {
        const { config, json } = await context(cmd);
        const { updateUser } = await import("../../../service/auth/users.ts");
        const user = await updateUser(await warehouseFor(config), username, { disabled }, actor());
        print(json, user, `${user.username} ${disabled ? "disabled" : "enabled"}`);
      });
  }

  users
    .command("list")
    .description("every user, their role, and their API tokens")
    .action(async (_opts, cmd: Command) => {
      const { config, json } = await context(cmd);
      const { listUsers } = await import("../../../service/auth/users.ts");
      const { listTokens } = await import("../../../service/auth/tokens.ts");
      const warehouse = await warehouseFor(config);
      const list = await listUsers(warehouse);
      const tokens = await listTokens(warehouse);
      const human = list.length
        ? list
            .map((u) => {
              const own = tokens.filter((t) => t.username === u.username && !t.revoked_at);
              return `${u.username.padEnd(24)} ${u.role.padEnd(9)}${u.disabled ? " disabled" : ""}${own.length ? `  tokens: ${own.map((t) => `${t.token_id} (${t.name}, ${t.role})`).join(", ")}` : ""}`;
            })
            .join("\n")
        : "no users yet: cco users add <name> --role admin";
      print(json, { users: list, tokens }, human);
    });

  users
    .command("token")
    .description("create an API token for a user (printed once: store it now)")
    .argument("<name>", "user name")
    .requiredOption("--name <label>", "what uses it (prometheus, ci, …)")
    .option("--role <role>", "at most the user's role (default: theirs)", role)
    .option("--expires-days <n>", "valid this many days (default: until revoked)", positiveInt)
    .action(
      async (username: string, opts: { name: string; role?: string; expiresDays?: number }, cmd: Command) => {
        const { config, json } = await context(cmd);
        const { createToken } = await import("../../../service/auth/tokens.ts");
        const created = await createToken(
          await warehouseFor(config),
          { username, name: opts.name, role: opts.role, expiresDays: opts.expiresDays },
          actor(),
        );
        print(
          json,
          created,
          `${created.token}\n(token ${created.token_id}, ${created.role}${created.expires_at ? `, expires ${created.expires_at}` : ""}: shown once; send it as Authorization: Bearer <token>)`,
        );
      },
    );

  users
    .command("revoke")
    .description("revoke an API token by its id (cco users list shows them)")
    .argument("<token-id>", "the token's id")
    .action(async (tokenId: string, _opts, cmd: Command) => {
      const { config, json } = await context(cmd);
      const { revokeToken } = await import("../../../service/auth/tokens.ts");
      if (!(await revokeToken(await warehouseFor(config), tokenId, actor())))
        throw new UsageError(`no token ${tokenId} (cco users list shows them)`);
      print(json, { token_id: tokenId, revoked: true }, `token ${tokenId} revoked`);
    });
}

// Compiles the TypeScript sources the CLI runs to JavaScript in dist/, once: at install
// (npm's `prepare`) and again when a source is newer than the last build (bin/cco.js asks
// isStale() on every start; it costs a stat per source file and folder). Tests and tools
// that run TypeScript directly (vitest, tsx) keep using the sources.
//
//   node bin/compile.js          compile when stale
//   node bin/compile.js --force  compile now
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The checkout; every function takes another root (tests compile a scratch tree). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const distOf = (root) => path.join(root, "dist");
/** Written last by a build; its mtime is the time that build started reading the sources. */
const stampOf = (root) => path.join(root, "dist", ".stamp");
const lockOf = (root) => path.join(root, "dist", ".lock");

/** Folders compiled whole (tests and benchmarks run from their sources), and folders whose top level only is. */
const TREES = ["actions", "assistant", "core", "ingest", "ml", "orchestrator", "service"];
const TOP_LEVEL_ONLY = ["reports"];
const SOURCE = /(?<!\.d)\.ts$/;

/** Every source file (data files are read from the checkout through core/paths.ts), and the folders holding them (a folder's mtime moves when a file is added, renamed or removed). */
function walk(root) {
  const files = [];
  const folders = [];
  const visit = (dir, deep) => {
    folders.push(dir);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (deep && entry.name !== "node_modules" && !entry.name.startsWith(".")) visit(full, deep);
      } else if (SOURCE.test(entry.name)) files.push(full);
    }
  };
  for (const tree of TREES) if (existsSync(path.join(root, tree))) visit(path.join(root, tree), true);
  for (const dir of TOP_LEVEL_ONLY) if (existsSync(path.join(root, dir))) visit(path.join(root, dir), false);
  return { files, folders };
}

function mtime(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/** True when dist/ is missing or older than a source file, a source folder, or this compiler. */
export function isStale(root = ROOT) {
  const built = mtime(stampOf(root));
  if (built === undefined) return true;
  const { files, folders } = walk(root);
  for (const p of [...files, ...folders, fileURLToPath(import.meta.url)]) {
    if ((mtime(p) ?? Number.POSITIVE_INFINITY) > built) return true;
  }
  return false;
}

/** Relative `.ts` specifiers become `.js`; every import stays an import (nothing is bundled). */
const keepImports = {
  name: "keep-imports",
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === "entry-point") return undefined;
      if (/^\.\.?\//.test(args.path)) return { path: args.path.replace(/\.ts$/, ".js"), external: true };
      return { path: args.path, external: true };
    });
  },
};

function writeIfChanged(file, contents) {
  try {
    if (Buffer.compare(readFileSync(file), contents) === 0) return;
  } catch {}
  mkdirSync(path.dirname(file), { recursive: true });
  // Write beside, then rename: a process starting meanwhile sees the old file or the new one.
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, contents);
  renameSync(partial, file);
}

/** Outputs whose source is gone (renamed or deleted) are removed. */
function removeOrphans(dir, expected) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.name.startsWith(".")) continue;
    if (entry.isDirectory()) {
      removeOrphans(full, expected);
      if (readdirSync(full).length === 0) rmSync(full, { recursive: true });
    } else if (!expected.has(full)) rmSync(full, { force: true });
  }
}

/** Compile every source to dist/, preserving the tree. Throws esbuild's message (file:line) on a syntax error. */
export async function compile(root = ROOT) {
  const started = Date.now();
  const { files } = walk(root);
  const sources = files.filter((f) => SOURCE.test(f));
  const esbuild = await import("esbuild");
  const result = await esbuild
    .build({
      entryPoints: sources,
      absWorkingDir: root,
      outdir: distOf(root),
      outbase: root,
      bundle: true,
      plugins: [keepImports],
      platform: "node",
      format: "esm",
      target: "node20",
      sourcemap: "linked",
      sourcesContent: false,
      write: false,
      logLevel: "silent",
      tsconfig: path.join(ROOT, "tsconfig.json"),
    })
    // esbuild's service process would outlive this one briefly; stop it now.
    .finally(() => esbuild.stop());
  const expected = new Set();
  for (const out of result.outputFiles) {
    expected.add(out.path);
    writeIfChanged(out.path, Buffer.from(out.contents));
  }
  removeOrphans(distOf(root), expected);
  const stamp = stampOf(root);
  writeFileSync(stamp, `${JSON.stringify({ sources: sources.length })}\n`);
  // A source saved while this build read the tree is newer than the stamp: the next start rebuilds.
  const at = new Date(started);
  utimesSync(stamp, at, at);
  return sources.length;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** True when the lock's holder is gone (killed mid-build) or the lock is older than a minute. */
function abandoned(lock) {
  let holder;
  try {
    holder = Number(readFileSync(path.join(lock, "pid"), "utf8"));
  } catch {
    // Taken an instant ago and its pid not written yet, or already released.
    return Date.now() - (mtime(lock) ?? Date.now()) > 60_000;
  }
  try {
    process.kill(holder, 0);
  } catch (error) {
    if (error.code === "ESRCH") return true;
  }
  return Date.now() - (mtime(lock) ?? Date.now()) > 60_000;
}

/**
 * Compile when stale. Processes starting together build once: one takes dist/.lock (a folder
 * holding its pid) and the others wait for it, then find dist/ fresh. The lock of a process
 * that died mid-build, or older than a minute, is taken over.
 */
export async function ensureCompiled({ root = ROOT, force = false } = {}) {
  if (!force && !isStale(root)) return false;
  const lock = lockOf(root);
  mkdirSync(distOf(root), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(path.join(lock, "pid"), String(process.pid));
      break;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
      if (abandoned(lock)) rmSync(lock, { recursive: true, force: true });
      else await sleep(50);
    }
  }
  try {
    if (!force && !isStale(root)) return false;
    await compile(root);
    return true;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** esbuild's errors as `file:line:column: message` (the file from the root), one a line. */
export function describeBuildError(error) {
  if (Array.isArray(error?.errors) && error.errors.length) {
    return error.errors
      .map((e) =>
        e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ${e.text}` : e.text,
      )
      .join("\n");
  }
  return error instanceof Error ? error.message : String(error);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const force = process.argv.includes("--force");
    const t0 = performance.now();
    const built = await ensureCompiled({ force });
    process.stdout.write(
      built
        ? `compiled the sources to ${path.relative(process.cwd(), distOf(ROOT)) || distOf(ROOT)} in ${((performance.now() - t0) / 1000).toFixed(2)} s\n`
        : "dist/ is up to date\n",
    );
  } catch (error) {
    process.stderr.write(`compile failed:\n${describeBuildError(error)}\n`);
    process.exitCode = 1;
  }
}

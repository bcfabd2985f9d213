#!/usr/bin/env node
// The `cco` command. It runs the JavaScript compiled from the sources into dist/ (at install
// by npm's `prepare`, and here again when a source file is newer than the last build), so
// no TypeScript is transpiled at start-up.
import { describeBuildError, ensureCompiled } from "./compile.js";

process.setSourceMapsEnabled(true);
try {
  await ensureCompiled();
} catch (error) {
  process.stderr.write(`cco: the sources do not compile:\n${describeBuildError(error)}\n`);
  process.exit(70);
}
// A reader that stops reading (`cco sql … | head`) is not an error.
process.stdout.on("error", (error) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});
const { main, internalError } = await import("../dist/orchestrator/cli/index.js");
// Whatever escapes main() (an error in a stream's callback, say) is reported as main() reports a bug.
process.on("uncaughtException", (error) => process.exit(internalError(error)));
process.on("unhandledRejection", (error) => process.exit(internalError(error)));
process.exitCode = await main(process.argv.slice(2));

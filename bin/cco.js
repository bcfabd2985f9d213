#!/usr/bin/env node
// The `cco` command: runs the TypeScript sources through tsx (a dependency), so
// `npx cco ...` works right after `npm install` with no build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../orchestrator/cli/index.ts");
process.exitCode = await main(process.argv.slice(2));

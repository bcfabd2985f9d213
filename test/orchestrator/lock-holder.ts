/**
 * A second process for the lock tests (`node --import tsx lock-holder.ts <warehouse> <command>`):
 * takes the warehouse's lock, prints "held" (or the error), and keeps it until stdin closes
 * or "release" is written to it; exits without releasing when killed.
 */
import { acquireWarehouseLock } from "../../orchestrator/lock.ts";

const [warehouse, command] = process.argv.slice(2) as [string, string];
try {
  const lock = acquireWarehouseLock(warehouse, command, {
    staleMinutes: 240,
    warn: (m) => process.stdout.write(`warning: ${m}\n`),
  });
  process.stdout.write("held\n");
  process.stdin.on("data", (chunk) => {
    if (String(chunk).includes("release")) {
      lock.release();
      process.stdout.write("released\n");
    }
  });
  process.stdin.on("end", () => process.exit(0));
} catch (error) {
  process.stdout.write(`error: ${(error as Error).message}\n`);
  process.exit(1);
}

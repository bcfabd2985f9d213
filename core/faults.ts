/**
 * Fault injection for crash tests: `CCO_FAULT=<point>[@<n>]` kills the process (SIGKILL, as
 * an out-of-memory killer or a power cut would) the n-th time (default: first) execution
 * reaches `faultPoint(<point>)`. Points sit between the steps whose ordering makes a stage
 * crash-safe, so tests can crash exactly there instead of guessing with timers. Unset, a
 * point costs one environment lookup.
 */
const hits = new Map<string, number>();

export function faultPoint(point: string): void {
  const spec = process.env.CCO_FAULT;
  if (!spec) return;
  const [name, nth = "1"] = spec.split("@");
  if (name !== point) return;
  const count = (hits.get(point) ?? 0) + 1;
  hits.set(point, count);
  if (count === Number(nth)) process.kill(process.pid, "SIGKILL");
}

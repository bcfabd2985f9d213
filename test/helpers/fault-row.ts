/** One row of a fault matrix (bench/fault-matrix.ts prints them): an action kind under one fault. */
export interface FaultRow {
  provider: string;
  kind: string;
  fault: string;
  outcome: string;
  /** Actions left in a state a crash leaves (preflight, executing, rolling_back). */
  unknown: number;
  /** Operations the provider applied twice. */
  appliedTwice: number;
  /** The resource ends as the action says: changed, or back at its recorded prior state. */
  restored: boolean;
  auditIntact: boolean;
}

/**
 * faultMatrixAws(): every tested kind under every fault, one executor run each against the
 * replay server, as rows for bench/fault-matrix.ts's table.
 */
import { FAULTS, type FaultRow, KINDS_TESTED, runScenario } from "./scenario.ts";

export type { FaultRow } from "./scenario.ts";

export async function faultMatrixAws(): Promise<FaultRow[]> {
  const rows: FaultRow[] = [];
  for (const kind of KINDS_TESTED)
    for (const fault of FAULTS) {
      const result = await runScenario(kind, fault);
      rows.push(result.row);
      await result.close();
    }
  return rows;
}

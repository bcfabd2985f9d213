/** A process that appends audit entries, for the kill tests: `append-child.ts <warehouse> <appends> <entries per append>`. */
import { appendAudit } from "../../../actions/audit/log.ts";
import { Warehouse } from "../../../core/warehouse/warehouse.ts";

const [file, appends, perAppend] = process.argv.slice(2);
const warehouse = await Warehouse.open({ path: file as string, threads: 1 });
for (let i = 0; i < Number(appends); i++) {
  const entries = Array.from({ length: Number(perAppend) }, (_, j) => ({
    actor: "cco:executor",
    event: "action.state",
    subject: `act-${i}`,
    detail: { step: j },
  }));
  await appendAudit(warehouse, ...entries);
}
await warehouse.close();

/** dbt's generic tests as SQL that returns the failing rows. */
import { ConfigError } from "../errors.ts";
import { ident, litList } from "../sql.ts";
import type { ColumnTest } from "./project.ts";

export function compileTest(
  relation: string,
  column: string,
  test: ColumnTest,
  relationOfModel: (name: string) => string | undefined,
): { sql: string } {
  const col = ident(column);
  switch (test.name) {
    case "not_null":
      return { sql: `SELECT * FROM ${relation} WHERE ${col} IS NULL` };
    case "unique":
      return {
        sql: `SELECT ${col} FROM ${relation} WHERE ${col} IS NOT NULL GROUP BY ${col} HAVING count(*) > 1`,
      };
    case "accepted_values": {
      const values = (test.args.values as unknown[] | undefined) ?? [];
      const list = litList(values.map(String));
      return {
        sql: `SELECT ${col} FROM ${relation} WHERE ${col} IS NOT NULL AND ${col}::VARCHAR NOT IN (${list})`,
      };
    }
    case "relationships": {
      const to = String(test.args.to ?? "");
      const field = String(test.args.field ?? column);
      const match = to.match(/ref\(\s*['"]([^'"]+)['"]\s*\)/);
      const target = match ? relationOfModel(match[1]!) : undefined;
      if (!target) throw new ConfigError(relation, column, `relationships test: cannot resolve ${to}`);
      return {
        sql: `SELECT c.${col} FROM ${relation} c LEFT JOIN ${target} p ON c.${col} = p."${field}" WHERE c.${col} IS NOT NULL AND p."${field}" IS NULL`,
      };
    }
  }
}

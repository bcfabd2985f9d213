/** The gcp adapter: being written (issue 15). */
import type { Config } from "../../../core/config.ts";
import { NotBuiltError } from "../../../core/errors.ts";
import type { CloudAdapter } from "../adapter.ts";

export function createGcpAdapter(_config: Config): CloudAdapter {
  throw new NotBuiltError("actions.adapters.gcp", "issue 15");
}

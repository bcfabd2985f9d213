/** FOCUS exports from any provider that writes them (OCI, and the clouds' own FOCUS exports). */
import type { Provider } from "../provider.ts";
import { focusExport } from "./formats.ts";

export const focus: Provider = { id: "focus", formats: [focusExport], sources: [] };

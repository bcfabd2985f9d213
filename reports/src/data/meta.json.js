// The data's window and the build time: every page says "as of" with it.
import { dataWindow, emit } from "./marts.js";

emit({ ...(await dataWindow()), built_at: new Date().toISOString() });

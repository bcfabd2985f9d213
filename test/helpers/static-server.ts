/** The site's own server (reports/serve.ts) on a free port, for browser tests of the built site. */
import { serveSite } from "../../reports/serve.ts";

export const serveStatic = (root: string) => serveSite(root);

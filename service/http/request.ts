/**
 * What the service adds to each request: its id (x-request-id, echoed on the response) and who
 * sent it, once authenticated. A sane incoming id (from a proxy) is kept, so one id follows a
 * request through every log.
 */
import { randomUUID } from "node:crypto";
import type { RequestHandler } from "express";
import type { Role } from "../auth/roles.ts";

export interface Auth {
  username: string;
  role: Role;
  /** session: a signed-in user (cookie or bearer JWT); token: an API token. */
  via: "session" | "token";
  /** Authenticated by the cookie: state-changing requests must then carry x-cco-csrf: 1. */
  cookie: boolean;
  tokenId?: string;
}

declare module "express-serve-static-core" {
  interface Request {
    id: string;
    auth?: Auth;
    /** Credentials were sent but refused (expired, revoked, tampered): why, for the 401. */
    authRefused?: string;
  }
}

const SANE_ID = /^[A-Za-z0-9._:-]{8,128}$/;

export const requestId: RequestHandler = (req, res, next) => {
  const incoming = req.get("x-request-id");
  req.id = incoming && SANE_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader("x-request-id", req.id);
  next();
};

/**
 * Same-origin calls to the service's /api/v1 with the session cookie. State-changing requests
 * carry `x-cco-csrf: 1`: the server refuses a cookie-authenticated POST without it, and a
 * cross-site form cannot set a header.
 */

export class ApiError extends Error {
  constructor(status, code, message, details, requestId) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.requestId = requestId;
  }
}

/** JSON from `/api/v1${path}`; an error response (the contract's {error: {code, message}}) throws ApiError. */
export async function api(path, { method = "GET", body } = {}) {
  const headers = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET" && method !== "HEAD") headers["x-cco-csrf"] = "1";
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return null;
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const error = data?.error ?? {};
    throw new ApiError(
      res.status,
      error.code ?? `http_${res.status}`,
      error.message ?? `${res.status} ${res.statusText}`,
      error.details,
      data?.request_id ?? res.headers.get("x-request-id"),
    );
  }
  return data;
}

/** To the login page, coming back here after it. */
export function toLogin() {
  location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
}

/** The signed-in user ({username, role, via}), or off to the login page when there is none. */
export async function signedIn() {
  try {
    return await api("/me");
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      toLogin();
      return new Promise(() => {}); // the page is leaving
    }
    throw e;
  }
}

export async function logout() {
  try {
    await api("/auth/logout", { method: "POST" });
  } finally {
    location.assign("/login");
  }
}

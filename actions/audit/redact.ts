/**
 * What never reaches the audit log or a notification: values under keys that name a secret
 * (the whole value, even an object: `credentials: {…}`), and strings that look like one
 * wherever they appear (bearer tokens, cloud keys, JWTs, private keys, URLs with credentials,
 * Slack webhook paths, secret query parameters and `key=value` pairs in connection strings).
 */
const SECRET_KEY =
  /(secret|password|passwd|pwd|token|authorization|cookie|api[_-]?key|access[_-]?key(?![_-]?id)|account[_-]?key|credential|private[_-]?key|signature|\bsas\b|sas[_-]?token)/i;
/** Idempotency tokens are not secrets, and the audit needs them to show a call was not repeated. */
const NOT_SECRET_KEY = /^(idempotency[_-]?(token|key)|client[_-]?token|request[_-]?id)$/i;

const REDACTED = "[redacted]";
const SECRET_VALUE: [RegExp, (match: string, ...groups: string[]) => string][] = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, () => REDACTED],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, (_m, scheme) => `${scheme} ${REDACTED}`],
  [/\b(AKIA|ASIA)[A-Z0-9]{16}\b/g, () => REDACTED],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, () => REDACTED],
  [/\b(xox[abposr]-[A-Za-z0-9-]{10,}|gh[pousr]_[A-Za-z0-9]{20,}|sk-[A-Za-z0-9_-]{20,})/g, () => REDACTED],
  // Credentials in a URL: https://user:pass@host → https://[redacted]@host.
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/:@]+:[^\s/@]+@/gi, (_m, scheme) => `${scheme}${REDACTED}@`],
  // An incoming-webhook URL is its own secret: keep the host, drop the path.
  [
    /\b(https?:\/\/(?:hooks\.slack\.com|[a-z0-9.-]*webhook\.office\.com|discord(?:app)?\.com\/api\/webhooks))[^\s"'<>]*/gi,
    (_m, host) => `${host}/${REDACTED}`,
  ],
  // Query parameters and key=value pairs that carry secrets (SAS signatures, api keys, passwords).
  [
    /\b(sig|sv|se|sp|skoid|code|key|apikey|api_key|token|access_token|password|pwd|secret|AccountKey|SharedAccessKey|SharedAccessSignature)=([^&;\s"']{4,})/gi,
    (_m, name) => `${name}=${REDACTED}`,
  ],
];

export function redact<T>(value: T): T {
  return walk(value, "", 0) as T;
}

/** A string with every secret-looking part replaced (for error messages and free text). */
export function redactText(text: string): string {
  let s = text;
  for (const [pattern, replace] of SECRET_VALUE)
    s = s.replace(pattern, replace as (substring: string, ...args: unknown[]) => string);
  return s;
}

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) && !NOT_SECRET_KEY.test(key);
}

function walk(value: unknown, key: string, depth: number): unknown {
  if (value === null || value === undefined) return value;
  if (key && isSecretKey(key)) return REDACTED;
  if (typeof value === "string") return redactText(value);
  // A cycle or absurd nesting is not worth logging in full; it is never worth a stack overflow.
  if (depth > 32) return "[too deep]";
  if (Array.isArray(value)) return value.map((v) => walk(v, "", depth + 1));
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Error) return redactText(value.message);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = walk(v, k, depth + 1);
    return out;
  }
  return value;
}

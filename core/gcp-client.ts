/**
 * Options every Google Cloud client of ours is built with: REST (so a local server can answer),
 * the endpoint override as host, port and protocol, and credentials from
 * GOOGLE_OAUTH_ACCESS_TOKEN when set (a given authClient wins), else Application Default
 * Credentials. Shared by the ingest sources and the GCP action adapter.
 */
export interface GcpClientOptions {
  fallback: true;
  apiEndpoint?: string;
  port?: number;
  protocol?: string;
  authClient?: unknown;
}

export async function gcpClientOptions(
  apiEndpoint: string | undefined,
  authClient?: unknown,
): Promise<GcpClientOptions> {
  let auth: { authClient?: unknown } = authClient ? { authClient } : {};
  const token = process.env.GOOGLE_OAUTH_ACCESS_TOKEN;
  if (!authClient && token) {
    const { OAuth2Client } = await import("google-auth-library");
    const oauth = new OAuth2Client();
    oauth.setCredentials({ access_token: token, expiry_date: Date.now() + 3_600_000 });
    auth = { authClient: oauth };
  }
  if (!apiEndpoint) return { fallback: true, ...auth };
  const url = new URL(apiEndpoint);
  return {
    fallback: true,
    apiEndpoint: url.hostname,
    port: Number(url.port || (url.protocol === "http:" ? 80 : 443)),
    protocol: url.protocol.replace(":", ""),
    ...auth,
  };
}

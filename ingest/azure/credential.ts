/**
 * The Azure credential for API sources: AZURE_ACCESS_TOKEN (a token from
 * `az account get-access-token`, handy in CI) when set, else the SDK's
 * DefaultAzureCredential chain (environment, workload or managed identity, Azure CLI).
 */
import type { AccessToken, TokenCredential } from "@azure/core-auth";

export async function azureCredential(): Promise<TokenCredential> {
  const token = process.env.AZURE_ACCESS_TOKEN;
  if (token) {
    return {
      getToken: async (): Promise<AccessToken> => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }),
    };
  }
  const { DefaultAzureCredential } = await import("@azure/identity");
  return new DefaultAzureCredential();
}

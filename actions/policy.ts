/**
 * The least-privilege grant for the action kinds enabled in config, in each cloud's own format,
 * generated from what each kind declares (actions/kinds/*.ts `permissions`): an IAM policy
 * (one statement per kind, so a reviewer sees what each change needs), an Azure custom role
 * definition, a GCP custom role. The adapters' tests check that a kind's declared permissions
 * cover every API call its steps and undo make.
 */
import type { Provider } from "./providers/adapter.ts";
import { KINDS } from "./kinds/index.ts";

export interface Policy {
  provider: Provider;
  kinds: string[];
  /** What to do with the document. */
  usage: string;
  document: Record<string, unknown>;
}

const sorted = (values: Iterable<string>) => [...new Set(values)].sort();
const pascal = (name: string) => name.replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase());

export function policyFor(provider: Provider, kindNames: readonly string[]): Policy {
  // A kind that declares nothing for this provider is not automated there (S3 lifecycle on Azure).
  const kinds = kindNames
    .map((name) => {
      const kind = KINDS[name];
      if (!kind) throw new Error(`no action kind named ${name}`);
      return kind;
    })
    .filter((k) => k.permissions[provider].length > 0);
  const names = kinds.map((k) => k.name);
  const description = `Cloud Cost Optimizer executor: ${names.join(", ")}`;
  switch (provider) {
    case "aws":
      return {
        provider,
        kinds: names,
        usage: "aws iam create-policy --policy-name cco-actions --policy-document file://policy.json",
        document: {
          Version: "2012-10-17",
          Statement: kinds.map((k) => ({
            Sid: `Cco${pascal(k.name)}`,
            Effect: "Allow",
            Action: sorted(k.permissions.aws),
            Resource: "*",
          })),
        },
      };
    case "azure":
      return {
        provider,
        kinds: names,
        usage: "replace <subscription-id>, then: az role definition create --role-definition @role.json",
        document: {
          Name: "Cloud Cost Optimizer actions",
          IsCustom: true,
          Description: description,
          Actions: sorted(kinds.flatMap((k) => k.permissions.azure)),
          NotActions: [],
          DataActions: [],
          NotDataActions: [],
          AssignableScopes: ["/subscriptions/<subscription-id>"],
        },
      };
    case "gcp":
      return {
        provider,
        kinds: names,
        usage: "gcloud iam roles create ccoActions --project <project-id> --file role.json (JSON is YAML)",
        document: {
          title: "Cloud Cost Optimizer actions",
          description,
          stage: "GA",
          includedPermissions: sorted(kinds.flatMap((k) => k.permissions.gcp)),
        },
      };
  }
}

/**
 * One-off lines that belong to no resource: a promotional credit on the 1st
 * of each month on AWS, and one refund each on AWS and Azure mid-window.
 * (Tax and commitment purchases are one-offs too, but they depend on the
 * billed usage and the commitments, so lines.ts derives them.)
 */
import type { BillingAccount, SubAccount } from "./accounts.ts";
import type { OneOffLine } from "./estate.ts";

export function makeOneOffs(accounts: BillingAccount[], dates: string[]): OneOffLine[] {
  const aws = accounts.find((a) => a.export === "aws_cur2")!;
  const azure = accounts.find((a) => a.export === "azure_mca")!;
  const line = (
    account: BillingAccount,
    sub: SubAccount,
    day: number,
    kind: OneOffLine["kind"],
    amount: number,
    description: string,
  ): OneOffLine => ({
    export: account.export,
    billingAccountId: account.id,
    subAccountId: sub.id,
    subAccountName: sub.name,
    day,
    kind,
    amount,
    currency: account.currency,
    description,
  });
  const lines: OneOffLine[] = [];
  dates.forEach((date, day) => {
    if (date.endsWith("-01")) {
      lines.push(line(aws, aws.subAccounts[1]!, day, "credit", -100, "AWS Activate promotional credit"));
    }
  });
  const refundDay = Math.floor(dates.length / 2);
  lines.push(line(aws, aws.subAccounts[1]!, refundDay, "refund", -42.5, "Refund for service disruption"));
  lines.push(line(azure, azure.subAccounts[0]!, refundDay, "refund", -17.25, "Refund"));
  return lines;
}

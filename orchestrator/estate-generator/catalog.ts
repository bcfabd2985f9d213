/**
 * Public on-demand list prices (hourly, USD unless noted) for the sizes the
 * generated estate uses, close to each provider's published 2024-25 prices.
 * Families are ordered small to large, so "one size down" is the previous entry.
 */
export type Provider = "aws" | "azure" | "gcp" | "oci";

export interface VmSize {
  name: string;
  family: string;
  vcpu: number;
  memoryGib: number;
  hourly: number;
  previousGeneration?: boolean;
  /** Current-generation size of the same shape, for previous-generation families. */
  modernEquivalent?: string;
}

const aws: VmSize[] = [
  { name: "t3.medium", family: "t3", vcpu: 2, memoryGib: 4, hourly: 0.0416 },
  { name: "t3.large", family: "t3", vcpu: 2, memoryGib: 8, hourly: 0.0832 },
  { name: "m6i.large", family: "m6i", vcpu: 2, memoryGib: 8, hourly: 0.096 },
  { name: "m6i.xlarge", family: "m6i", vcpu: 4, memoryGib: 16, hourly: 0.192 },
  { name: "m6i.2xlarge", family: "m6i", vcpu: 8, memoryGib: 32, hourly: 0.384 },
  { name: "m6i.4xlarge", family: "m6i", vcpu: 16, memoryGib: 64, hourly: 0.768 },
  { name: "c6i.xlarge", family: "c6i", vcpu: 4, memoryGib: 8, hourly: 0.17 },
  { name: "c6i.2xlarge", family: "c6i", vcpu: 8, memoryGib: 16, hourly: 0.34 },
  { name: "r6i.large", family: "r6i", vcpu: 2, memoryGib: 16, hourly: 0.126 },
  { name: "r6i.xlarge", family: "r6i", vcpu: 4, memoryGib: 32, hourly: 0.252 },
  {
    name: "m4.large",
    family: "m4",
    vcpu: 2,
    memoryGib: 8,
    hourly: 0.1,
    previousGeneration: true,
    modernEquivalent: "m6i.large",
  },
  {
    name: "m4.xlarge",
    family: "m4",
    vcpu: 4,
    memoryGib: 16,
    hourly: 0.2,
    previousGeneration: true,
    modernEquivalent: "m6i.xlarge",
  },
  {
    name: "c4.2xlarge",
    family: "c4",
    vcpu: 8,
    memoryGib: 15,
    hourly: 0.398,
    previousGeneration: true,
    modernEquivalent: "c6i.2xlarge",
  },
];

/** Azure prices are in EUR: the generated Azure billing account bills in EUR. */
const azure: VmSize[] = [
  { name: "Standard_B2ms", family: "Bs", vcpu: 2, memoryGib: 8, hourly: 0.0768 },
  { name: "Standard_D2s_v5", family: "Dsv5", vcpu: 2, memoryGib: 8, hourly: 0.0886 },
  { name: "Standard_D4s_v5", family: "Dsv5", vcpu: 4, memoryGib: 16, hourly: 0.1771 },
  { name: "Standard_D8s_v5", family: "Dsv5", vcpu: 8, memoryGib: 32, hourly: 0.3542 },
  { name: "Standard_D16s_v5", family: "Dsv5", vcpu: 16, memoryGib: 64, hourly: 0.7085 },
  { name: "Standard_E4s_v5", family: "Esv5", vcpu: 4, memoryGib: 32, hourly: 0.2325 },
  {
    name: "Standard_D2_v2",
    family: "Dv2",
    vcpu: 2,
    memoryGib: 7,
    hourly: 0.1347,
    previousGeneration: true,
    modernEquivalent: "Standard_D2s_v5",
  },
  {
    name: "Standard_D4_v2",
    family: "Dv2",
    vcpu: 8,
    memoryGib: 28,
    hourly: 0.5389,
    previousGeneration: true,
    modernEquivalent: "Standard_D8s_v5",
  },
];

const gcp: VmSize[] = [
  { name: "e2-standard-2", family: "e2", vcpu: 2, memoryGib: 8, hourly: 0.067 },
  { name: "e2-standard-4", family: "e2", vcpu: 4, memoryGib: 16, hourly: 0.134 },
  { name: "n2-standard-2", family: "n2", vcpu: 2, memoryGib: 8, hourly: 0.0971 },
  { name: "n2-standard-4", family: "n2", vcpu: 4, memoryGib: 16, hourly: 0.1942 },
  { name: "n2-standard-8", family: "n2", vcpu: 8, memoryGib: 32, hourly: 0.3885 },
  { name: "n2-standard-16", family: "n2", vcpu: 16, memoryGib: 64, hourly: 0.7769 },
  // n1's current-generation successor for cost: n2d has its shape for less (n2 costs more than n1).
  { name: "n2d-standard-2", family: "n2d", vcpu: 2, memoryGib: 8, hourly: 0.0845 },
  { name: "n2d-standard-4", family: "n2d", vcpu: 4, memoryGib: 16, hourly: 0.169 },
  {
    name: "n1-standard-2",
    family: "n1",
    vcpu: 2,
    memoryGib: 7.5,
    hourly: 0.095,
    previousGeneration: true,
    modernEquivalent: "n2d-standard-2",
  },
  {
    name: "n1-standard-4",
    family: "n1",
    vcpu: 4,
    memoryGib: 15,
    hourly: 0.19,
    previousGeneration: true,
    modernEquivalent: "n2d-standard-4",
  },
];

const oci: VmSize[] = [
  { name: "VM.Standard.E4.Flex.2", family: "E4", vcpu: 4, memoryGib: 16, hourly: 0.074 },
  { name: "VM.Standard.E4.Flex.4", family: "E4", vcpu: 8, memoryGib: 32, hourly: 0.148 },
  { name: "VM.Standard.E4.Flex.8", family: "E4", vcpu: 16, memoryGib: 64, hourly: 0.296 },
  {
    name: "VM.Standard2.2",
    family: "Standard2",
    vcpu: 4,
    memoryGib: 30,
    hourly: 0.1276,
    previousGeneration: true,
    modernEquivalent: "VM.Standard.E4.Flex.2",
  },
];

export const VM_SIZES: Record<Provider, VmSize[]> = { aws, azure, gcp, oci };

export function vmSize(provider: Provider, name: string): VmSize {
  const size = VM_SIZES[provider].find((s) => s.name === name);
  if (!size) throw new Error(`unknown ${provider} size ${name}`);
  return size;
}

/** The next smaller size in the same family, or undefined at the bottom. */
export function oneSizeDown(provider: Provider, name: string): VmSize | undefined {
  const size = vmSize(provider, name);
  const family = VM_SIZES[provider].filter((s) => s.family === size.family);
  const index = family.findIndex((s) => s.name === name);
  return index > 0 ? family[index - 1] : undefined;
}

/** Storage and network prices per unit (per GB-month or per hour). */
export const STORAGE: Record<
  Provider,
  {
    disk: { type: string; perGbMonth: number };
    diskModern?: { type: string; perGbMonth: number };
    snapshotPerGbMonth: number;
    ipHourly: number;
    objectPerGbMonth: number;
    egressPerGb: number;
  }
> = {
  aws: {
    disk: { type: "gp3", perGbMonth: 0.08 },
    diskModern: { type: "gp3", perGbMonth: 0.08 },
    snapshotPerGbMonth: 0.05,
    ipHourly: 0.005,
    objectPerGbMonth: 0.023,
    egressPerGb: 0.09,
  },
  azure: {
    disk: { type: "Premium SSD", perGbMonth: 0.1421 },
    snapshotPerGbMonth: 0.0461,
    ipHourly: 0.0046,
    objectPerGbMonth: 0.0166,
    egressPerGb: 0.08,
  },
  gcp: {
    disk: { type: "pd-balanced", perGbMonth: 0.1 },
    snapshotPerGbMonth: 0.05,
    ipHourly: 0.01,
    objectPerGbMonth: 0.02,
    egressPerGb: 0.12,
  },
  oci: {
    disk: { type: "Block Volume", perGbMonth: 0.0425 },
    snapshotPerGbMonth: 0.0255,
    ipHourly: 0.004,
    objectPerGbMonth: 0.0255,
    egressPerGb: 0.0085,
  },
};

/**
 * S3 as AWS bills it beyond Standard storage (us-east-1 list prices, https://aws.amazon.com/s3/pricing/):
 * Standard-IA storage, requests per request (the CUR's unit; the page quotes them per 1,000), the
 * IA retrieval fee per GB and the lifecycle transition into Standard-IA.
 */
export const AWS_S3 = {
  standardIaPerGbMonth: 0.0125,
  /** PUT, COPY, POST, LIST (Requests-Tier1): $0.005 per 1,000. */
  tier1PerRequest: 0.000005,
  /** GET, SELECT and the rest (Requests-Tier2): $0.0004 per 1,000. */
  tier2PerRequest: 0.0000004,
  /** A GET of a Standard-IA object (Requests-SIA-Tier2): $0.001 per 1,000. */
  iaTier2PerRequest: 0.000001,
  /** Data read from Standard-IA (Retrieval-SIA): $0.01 per GB. */
  iaRetrievalPerGb: 0.01,
  /** Lifecycle transition requests into Standard-IA: $0.01 per 1,000. */
  transitionIaPerRequest: 0.00001,
} as const;

/** gp2 costs 25% more than gp3 for the same size and baseline. */
export const AWS_GP2_PER_GB_MONTH = 0.1;

/** Savings Plan / RI / CUD / reservation discount on compute (1 year, no upfront). */
export const COMMITMENT_DISCOUNT: Record<Provider, number> = { aws: 0.28, azure: 0.36, gcp: 0.37, oci: 0 };

/** Hours in the month used for every monthly figure (FinOps convention). */
export const HOURS_PER_MONTH = 730;

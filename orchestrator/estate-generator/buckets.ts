/**
 * AWS buckets bill as S3 bills them: Standard storage (TimedStorage-ByteHrs), Standard-IA where a
 * bucket already tiers part of its data (TimedStorage-SIA-ByteHrs), GET and PUT requests
 * (Requests-Tier2, Requests-Tier1). Most buckets are read every day; a few planted ones are not:
 * cold buckets all in Standard (a lifecycle rule to Standard-IA saves), and two a correct tool
 * leaves alone: a hot bucket (GETs would cost more in IA) and one already tiered.
 *
 * Its own Prng, drawn after everything else: the rest of the estate is the same with or without it.
 */
import { AWS_S3, STORAGE } from "./catalog.ts";
import type { Anomaly, CaseKind, EstateOptions, EstateResource, S3Usage } from "./estate.ts";
import { Prng } from "./prng.ts";

/** The detector's defaults (recommend.bucket_lifecycle) the truth's savings follow. */
export const BUCKET_LIFECYCLE = {
  transitionDays: 30,
  /** Mean object size assumed for IA's per-GB retrieval fee: the CUR does not say it. */
  assumedObjectMb: 1,
} as const;

export const LIFECYCLE_TARGET = `lifecycle: STANDARD_IA after ${BUCKET_LIFECYCLE.transitionDays} days`;

/** Days in the 730-hour month every monthly figure uses. */
const DAYS_PER_MONTH = 730 / 24;

/** GETs per GB-month of each profile: cold buckets sit well under the detector's 10. */
const PROFILES = {
  warm: { gets: [40, 400], puts: [2, 20] },
  cold: { gets: [0.5, 3], puts: [0.5, 2] },
  hot: { gets: [3000, 6000], puts: [20, 60] },
} as const;

function usage(rng: Prng, r: EstateResource, profile: keyof typeof PROFILES, iaShare: number): S3Usage {
  const { gets, puts } = PROFILES[profile];
  const perDay = ([lo, hi]: readonly [number, number]) =>
    Math.max(1, Math.round((r.sizeGb * (lo + rng.next() * (hi - lo))) / DAYS_PER_MONTH));
  return { iaShare, getsPerDay: perDay(gets), putsPerDay: perDay(puts) };
}

export function shapeBuckets(
  resources: EstateResource[],
  options: EstateOptions,
  anomalies: Anomaly[],
): void {
  const rng = new Prng((options.seed * 2654435761 + 0x53) >>> 0);
  const buckets = resources.filter((r) => r.kind === "bucket" && r.provider === "aws");
  // Every AWS bucket read daily; some already keep part of their data in Standard-IA.
  for (const r of buckets) r.s3 = usage(rng, r, "warm", rng.next() < 0.3 ? 0.2 + rng.next() * 0.3 : 0);
  // Planted on buckets billed the whole window, not the one whose downloads make an anomaly.
  const downloaded = new Set(anomalies.map((a) => a.resourceId));
  const free = buckets.filter(
    (r) =>
      r.case === null && r.startDay === 0 && r.endDay === options.days - 1 && !downloaded.has(r.resourceId),
  );
  const plant = (kind: CaseKind, count: number, shape: (r: EstateResource) => S3Usage) => {
    for (const r of takeByExport(rng, free, count)) {
      free.splice(free.indexOf(r), 1);
      r.case = kind;
      r.s3 = shape(r);
    }
  };
  plant("cold_bucket", Math.max(1, Math.round(options.resources * 0.01)), (r) => usage(rng, r, "cold", 0));
  plant("hot_bucket", 1, (r) => usage(rng, r, "hot", 0));
  plant("tiered_bucket", 1, (r) => usage(rng, r, "cold", Math.round((0.4 + rng.next() * 0.2) * 100) / 100));
}

/** Up to `count` buckets, round-robin over the exports (CUR 2.0 and the legacy CUR both get some). */
function takeByExport(rng: Prng, pool: EstateResource[], count: number): EstateResource[] {
  const groups = [...new Set(pool.map((r) => r.export))].map((e) => pool.filter((r) => r.export === e));
  const chosen: EstateResource[] = [];
  while (chosen.length < count && groups.some((g) => g.length)) {
    for (const g of groups) {
      if (chosen.length >= count) break;
      const item = g.splice(rng.int(0, g.length - 1), 1)[0];
      if (item) chosen.push(item);
    }
  }
  return chosen;
}

/**
 * What a lifecycle rule to Standard-IA saves a cold bucket a month, at list: the storage price
 * difference, less the transition of what is written each month (PUTs) and IA's dearer GETs and
 * retrieval fee on what is read. The same arithmetic as models/…/rec_bucket_lifecycle.sql.
 */
export function lifecycleSavings(r: EstateResource): number {
  const s3 = r.s3!;
  const gets = s3.getsPerDay * DAYS_PER_MONTH;
  const puts = s3.putsPerDay * DAYS_PER_MONTH;
  return (
    r.sizeGb * (STORAGE.aws.objectPerGbMonth - AWS_S3.standardIaPerGbMonth) -
    puts * AWS_S3.transitionIaPerRequest -
    gets * (AWS_S3.iaTier2PerRequest - AWS_S3.tier2PerRequest) -
    ((gets * BUCKET_LIFECYCLE.assumedObjectMb) / 1024) * AWS_S3.iaRetrievalPerGb
  );
}

/**
 * The S3 half of the AWS replay: buckets with their lifecycle configuration and tags, answering
 * S3's REST XML API path-style (/<bucket>?lifecycle, /<bucket>?tagging) as documented:
 * - GetBucketLifecycleConfiguration: 200 <LifecycleConfiguration><Rule>…; none set: 404
 *   NoSuchLifecycleConfiguration (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLifecycleConfiguration.html),
 *   with the x-amz-transition-default-minimum-object-size header.
 * - PutBucketLifecycleConfiguration: replaces the whole configuration; needs Content-MD5 or an
 *   x-amz-checksum-* header; at most 1,000 rules with unique IDs of at most 255 characters, each
 *   with a Filter (or the older Prefix) and Status; a Transition to STANDARD_IA or ONEZONE_IA
 *   after at least 30 days (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketLifecycleConfiguration.html,
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html).
 * - DeleteBucketLifecycle: 204 (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketLifecycle.html).
 * - GetBucketTagging: <Tagging><TagSet><Tag>…; none: 404 NoSuchTagSet.
 * Errors as <Error><Code>…</Code><Message>…</Message><RequestId>…</RequestId></Error> with S3's
 * codes and statuses (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
 */
import { xml } from "../ec2-query-stub.ts";

export interface TransitionSeed {
  days: number;
  storageClass: string;
}

export interface RuleSeed {
  id: string;
  status?: "Enabled" | "Disabled";
  prefix?: string;
  transitions?: TransitionSeed[];
  expirationDays?: number;
}

export interface BucketSeed {
  name: string;
  tags?: Record<string, string>;
  rules?: RuleSeed[];
}

interface Bucket {
  name: string;
  tags: Record<string, string>;
  /** undefined: no lifecycle configuration (S3 refuses an empty one). */
  rules?: StoredRule[];
  minimumObjectSize: string;
}

export class S3Error extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface S3Answer {
  status: number;
  body: string;
  headers?: Record<string, string>;
  applied: boolean;
}

const TRANSITION_CLASSES = [
  "STANDARD_IA",
  "ONEZONE_IA",
  "INTELLIGENT_TIERING",
  "GLACIER_IR",
  "GLACIER",
  "DEEP_ARCHIVE",
];
const NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';
const tag = (name: string, text: string) => new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(text)?.[1];
const all = (name: string, text: string) =>
  [...text.matchAll(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`, "g"))].map((m) => m[1]!);
const unxml = (s: string) =>
  s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");

/** The S3 call a path-style request makes, by method and subresource. */
export function s3Action(method: string, query: URLSearchParams): string | undefined {
  if (query.has("lifecycle"))
    return {
      GET: "GetBucketLifecycleConfiguration",
      PUT: "PutBucketLifecycleConfiguration",
      DELETE: "DeleteBucketLifecycle",
    }[method];
  if (query.has("tagging") && method === "GET") return "GetBucketTagging";
  return undefined;
}

export class S3Estate {
  readonly buckets = new Map<string, Bucket>();

  seed(buckets: BucketSeed[]): void {
    for (const b of buckets)
      this.buckets.set(b.name, {
        name: b.name,
        tags: { ...(b.tags ?? {}) },
        ...(b.rules ? { rules: b.rules.map(normal) } : {}),
        minimumObjectSize: "all_storage_classes_128K",
      });
  }

  /** The rule ids of a bucket, in order (for tests). */
  ruleIds(bucket: string): string[] {
    return (this.buckets.get(bucket)?.rules ?? []).map((r) => r.id);
  }

  handle(
    action: string,
    bucketName: string,
    body: string,
    headers: Record<string, string | string[] | undefined>,
  ): S3Answer {
    const bucket = this.buckets.get(bucketName);
    if (!bucket) throw new S3Error("NoSuchBucket", "The specified bucket does not exist", 404);
    switch (action) {
      case "GetBucketLifecycleConfiguration":
        if (!bucket.rules)
          throw new S3Error(
            "NoSuchLifecycleConfiguration",
            "The lifecycle configuration does not exist",
            404,
          );
        return {
          status: 200,
          body: `<LifecycleConfiguration ${NS}>${bucket.rules.map(ruleXml).join("")}</LifecycleConfiguration>`,
          headers: { "x-amz-transition-default-minimum-object-size": bucket.minimumObjectSize },
          applied: false,
        };
      case "PutBucketLifecycleConfiguration": {
        if (!headers["content-md5"] && !Object.keys(headers).some((h) => h.startsWith("x-amz-checksum-")))
          throw new S3Error("InvalidRequest", "Missing required header for this request: Content-MD5", 400);
        bucket.rules = parseConfiguration(body);
        const size = headers["x-amz-transition-default-minimum-object-size"];
        if (typeof size === "string") bucket.minimumObjectSize = size;
        return {
          status: 200,
          body: "",
          headers: { "x-amz-transition-default-minimum-object-size": bucket.minimumObjectSize },
          applied: true,
        };
      }
      case "DeleteBucketLifecycle": {
        const applied = bucket.rules !== undefined;
        delete bucket.rules;
        return { status: 204, body: "", applied };
      }
      case "GetBucketTagging": {
        const tags = Object.entries(bucket.tags);
        if (!tags.length) throw new S3Error("NoSuchTagSet", "The TagSet does not exist", 404);
        const set = tags.map(([k, v]) => `<Tag><Key>${xml(k)}</Key><Value>${xml(v)}</Value></Tag>`).join("");
        return { status: 200, body: `<Tagging ${NS}><TagSet>${set}</TagSet></Tagging>`, applied: false };
      }
    }
    throw new S3Error("NotImplemented", `replay: ${action} is not implemented`, 501);
  }
}

interface StoredRule {
  id: string;
  status: string;
  prefix: string;
  transitions: TransitionSeed[];
  expirationDays?: number;
}

function normal(r: RuleSeed): StoredRule {
  return {
    id: r.id,
    status: r.status ?? "Enabled",
    prefix: r.prefix ?? "",
    transitions: r.transitions ?? [],
    ...(r.expirationDays !== undefined ? { expirationDays: r.expirationDays } : {}),
  };
}

function ruleXml(r: StoredRule): string {
  const transitions = r.transitions
    .map(
      (t) => `<Transition><Days>${t.days}</Days><StorageClass>${t.storageClass}</StorageClass></Transition>`,
    )
    .join("");
  const expiration =
    r.expirationDays !== undefined ? `<Expiration><Days>${r.expirationDays}</Days></Expiration>` : "";
  return `<Rule><ID>${xml(r.id)}</ID><Filter><Prefix>${xml(r.prefix)}</Prefix></Filter><Status>${r.status}</Status>${transitions}${expiration}</Rule>`;
}

const malformed = () =>
  new S3Error(
    "MalformedXML",
    "The XML you provided was not well-formed or did not validate against our published schema",
    400,
  );

/** A PutBucketLifecycleConfiguration body, checked as S3 checks it. */
function parseConfiguration(body: string): StoredRule[] {
  const root = tag(
    "LifecycleConfiguration",
    body.replace(/<LifecycleConfiguration[^>]*>/, "<LifecycleConfiguration>"),
  );
  if (root === undefined) throw malformed();
  const rules = all("Rule", root).map((text, i) => {
    const status = tag("Status", text);
    if (status !== "Enabled" && status !== "Disabled") throw malformed();
    const filter = tag("Filter", text) ?? (/<Filter\s*\/>/.test(text) ? "" : undefined);
    const prefix = filter !== undefined ? (tag("Prefix", filter) ?? "") : tag("Prefix", text);
    if (prefix === undefined) throw malformed();
    const transitions = all("Transition", text).map((t) => {
      const storageClass = tag("StorageClass", t) ?? "";
      const days = Number(tag("Days", t));
      if (!TRANSITION_CLASSES.includes(storageClass) || !Number.isInteger(days) || days < 0)
        throw malformed();
      if ((storageClass === "STANDARD_IA" || storageClass === "ONEZONE_IA") && days < 30)
        throw new S3Error(
          "InvalidArgument",
          `'Days' in Transition action must be greater than or equal to 30 for storageClass '${storageClass}'`,
          400,
        );
      return { days, storageClass };
    });
    const expiration = tag("Expiration", text);
    const id = unxml(tag("ID", text) ?? `rule-${i + 1}`);
    if (id.length > 255)
      throw new S3Error("InvalidArgument", "ID length should not exceed allowed limit of 255", 400);
    return {
      id,
      status,
      prefix: unxml(prefix),
      transitions,
      ...(expiration ? { expirationDays: Number(tag("Days", expiration)) } : {}),
    };
  });
  if (!rules.length) throw malformed();
  if (rules.length > 1000)
    throw new S3Error(
      "InvalidRequest",
      "The number of lifecycle rules must not exceed the allowed limit of 1000",
      400,
    );
  if (new Set(rules.map((r) => r.id)).size !== rules.length)
    throw new S3Error("InvalidArgument", "Rule ID must be unique. Found same ID for more than one rule", 400);
  return rules;
}

/**
 * `cco schedule list`: the pipeline's schedules (pipeline.schedules, run by `cco serve`) and the
 * executor's (actions.schedule), each with its next times in its own time zone.
 */
import type { Command } from "commander";
import type { ScheduledRun } from "../../schedule.ts";
import { context, positiveInt, print } from "../context.ts";

export function register(program: Command): void {
  const schedule = program
    .command("schedule")
    .description("The pipeline's schedules, run by cco serve (pipeline.schedules in the config)");

  schedule
    .command("list")
    .description("each schedule's cron expression, time zone, stages and next run times")
    .option("--count <n>", "next times to show per schedule", positiveInt, 3)
    .action(async (opts: { count: number }, cmd: Command) => {
      const { config, json } = await context(cmd);
      const { listSchedules } = await import("../../schedule.ts");
      const runs = listSchedules(config, opts.count);
      print(json, runs, human(runs));
    });
}

function human(runs: ScheduledRun[]): string {
  const pipeline = runs.filter((r) => r.kind === "pipeline");
  const lines = pipeline.length
    ? pipeline.flatMap((r) => entry(r, r.stages.join(", ")))
    : ["no schedules: add them under pipeline.schedules in the config (cron, timezone, stages)"];
  for (const r of runs.filter((x) => x.kind === "executor"))
    lines.push("", ...entry(r, "due approved actions only (actions.schedule)"));
  return lines.join("\n");
}

function entry(r: ScheduledRun, what: string): string[] {
  return [
    `${r.name}: ${r.cron} (${r.timezone}): ${what}`,
    ...r.next.map((d) => `  next ${localTime(d, r.timezone)}  (${d.toISOString()})`),
  ];
}

/** 2026-12-01 02:00:00 CET: the wall clock in the schedule's zone, as its cron expression reads. */
function localTime(date: Date, timezone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      timeZoneName: "short",
    })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${parts.timeZoneName}`;
}

/**
 * Conversations for follow-up questions: one JSON file each under <dataDir>/assistant/conversations/,
 * keeping only the last assistant.memory_turns turns (question, answer, the SQL it ran), so memory
 * stays bounded on disk and in what is sent. Stored as the user saw it (unredacted, on this
 * machine); redaction applies when turns are sent again. A conversation belongs to the user who
 * started it: another user's id is treated as unknown.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Config } from "../core/config.ts";
import { UsageError } from "../core/errors.ts";
import { writeFileAtomic } from "../core/files.ts";

export interface SqlRun {
  statement: string;
  rows?: number;
  error?: string;
}

export interface Turn {
  at: string;
  question: string;
  answer: string;
  sql: SqlRun[];
}

export interface Conversation {
  id: string;
  user: string | null;
  created_at: string;
  turns: Turn[];
}

const ID = /^c-[0-9a-f]{16}$/;

function fileOf(config: Pick<Config, "dataDir">, id: string): string {
  return path.join(config.dataDir, "assistant", "conversations", `${id}.json`);
}

export function newConversation(user: string | undefined, now = new Date()): Conversation {
  return {
    id: `c-${randomBytes(8).toString("hex")}`,
    user: user ?? null,
    created_at: now.toISOString(),
    turns: [],
  };
}

/** An earlier conversation; a usage error (exit 2) for an id that is malformed, unknown or someone else's. */
export function loadConversation(
  config: Pick<Config, "dataDir">,
  id: string,
  user: string | undefined,
): Conversation {
  if (!ID.test(id))
    throw new UsageError(`${id} is not a conversation id (they look like c-0123456789abcdef)`);
  const file = fileOf(config, id);
  const unknown = new UsageError(`no conversation ${id} (start one without --conversation)`);
  if (!existsSync(file)) throw unknown;
  const conversation = JSON.parse(readFileSync(file, "utf8")) as Conversation;
  if ((conversation.user ?? null) !== (user ?? null)) throw unknown;
  return conversation;
}

/** Append a turn and keep the last `keep` turns. */
export function saveTurn(
  config: Pick<Config, "dataDir">,
  conversation: Conversation,
  turn: Turn,
  keep: number,
): Conversation {
  const turns = [...conversation.turns, turn].slice(Math.max(0, conversation.turns.length + 1 - keep));
  const saved = { ...conversation, turns };
  writeFileAtomic(fileOf(config, conversation.id), `${JSON.stringify(saved, null, 2)}\n`);
  return saved;
}

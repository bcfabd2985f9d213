/**
 * `cco explain <id>`: a recommendation explained from the warehouse's rows (templates without a
 * key, the model's prose beside the evidence with one). `cco ask "<question>"`: the tool-calling
 * assistant over read-only SQL, citing the SQL it ran; --conversation continues an earlier one.
 */
import type { Command } from "commander";
import { context, print, warehouseFor } from "../context.ts";

export function register(program: Command): void {
  program
    .command("explain")
    .description("Why a recommendation, its evidence, its risk and what to watch after the change")
    .argument("<recommendation-id>", "the recommendation's id (or its first 8 or more characters)")
    .addHelpText(
      "after",
      "\nWithout an API key the text comes from fixed templates per detector (source: template). With one\n" +
        "(OPENAI_API_KEY, or assistant.api_key_env) the model writes it from the same evidence (source: model)\n" +
        "and the evidence is printed beside it. An unknown id exits 1. See docs/assistant.md.",
    )
    .action(async (id: string, _opts, cmd: Command) => {
      const { config, json } = await context(cmd);
      const { explainRecommendation } = await import("../../../assistant/index.ts");
      const { factsText, headline } = await import("../../../assistant/template.ts");
      const explanation = await explainRecommendation(await warehouseFor(config), config, id);
      const evidence = explanation.evidence as unknown as Parameters<typeof factsText>[0];
      const human =
        explanation.source === "template"
          ? explanation.text
          : `${headline(evidence)}\n\n${explanation.text}\n\n` +
            `── The warehouse's rows, as given to ${explanation.model} ──\n${factsText(evidence)}`;
      print(json, explanation, human);
    });

  program
    .command("ask")
    .description(
      "Ask about costs in plain words: an assistant answers with read-only SQL over the marts and cites it",
    )
    .argument("<question>", 'e.g. "which 5 services cost most last month?"')
    .option("--conversation <id>", "continue an earlier conversation (its id is printed with each answer)")
    .addHelpText(
      "after",
      "\nNeeds an OpenAI-compatible endpoint: OPENAI_API_KEY (or assistant.api_key_env), and assistant.base_url or\n" +
        "OPENAI_BASE_URL for Azure OpenAI, Ollama or vLLM; without a key it says how and exits 2. Its tools read\n" +
        "marts.* and ml.* only, through a read-only connection; writes are refused. It stops after\n" +
        "assistant.max_steps tool calls (exit 1). With assistant.redact, account names and ids and tag values are\n" +
        "replaced by placeholders in everything sent. See docs/assistant.md.",
    )
    .action(async (question: string, opts: { conversation?: string }, cmd: Command) => {
      const { config, json, progress } = await context(cmd);
      const { askQuestion, StepLimitError } = await import("../../../assistant/index.ts");
      try {
        const answer = await askQuestion(undefined, config, question, {
          conversationId: opts.conversation,
          onTool: (name, args) => progress.info(`… ${name} ${oneLine(args)}`),
        });
        const cited = answer.sql.length
          ? `\n\nSQL run:\n${answer.sql.map((s) => `  ${oneLine(s.statement)}  -- ${outcome(s)}`).join("\n")}`
          : "";
        print(
          json,
          answer,
          `${answer.answer}${cited}\n\nconversation ${answer.conversationId} (follow up with --conversation ${answer.conversationId})`,
        );
      } catch (error) {
        if (error instanceof StepLimitError && error.sql.length) {
          process.stderr.write(
            `SQL run before it stopped:\n${error.sql.map((s) => `  ${oneLine(s.statement)}  -- ${outcome(s)}`).join("\n")}\n`,
          );
        }
        throw error;
      }
    });
}

const oneLine = (text: string) => text.replace(/\s+/g, " ").trim();
const outcome = (s: { rows?: number; error?: string }) =>
  s.error ? `error: ${oneLine(s.error)}` : `${s.rows} row${s.rows === 1 ? "" : "s"}`;

import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../core/config.ts";
import { notificationsSchema } from "../../../core/notifications-settings.ts";
import { tempDir } from "../../helpers/tmp.ts";

describe("notifications settings", () => {
  it("reject a URL that is not http(s), unless the environment fills it in", () => {
    const VAR_HINT = "(or $" + "{VAR})";
    const parse = (url: string) =>
      notificationsSchema.safeParse({ channels: [{ type: "slack", name: "s", url }] });
    expect(parse("hooks.slack.com/services/x").success).toBe(false);
    expect(parse("ftp://example.com").error?.issues[0]).toMatchObject({
      path: ["channels", 0, "url"],
      message: `expected an http:// or https:// URL ${VAR_HINT}`,
    });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the config file's own ${VAR} syntax
    expect(parse("${SLACK_WEBHOOK_URL}").success).toBe(true);
    expect(parse("https://hooks.slack.com/services/x").success).toBe(true);
  });

  it("reject two channels with one name, naming the second", () => {
    const result = notificationsSchema.safeParse({
      channels: [
        { type: "webhook", name: "ops", url: "https://a.example.com" },
        { type: "slack", name: "ops", url: "https://b.example.com" },
      ],
    });
    expect(result.error?.issues[0]).toMatchObject({
      path: ["channels", 1, "name"],
      message: "duplicate channel name ops",
    });
  });

  it("default to five attempts from one second, capped at five minutes", () => {
    expect(notificationsSchema.parse(undefined)).toEqual({
      channels: [],
      attempts: 5,
      base_ms: 1000,
      max_ms: 300_000,
      timeout_ms: 10_000,
    });
  });

  it("fail in the config file naming the file and the key, and take secrets from the environment", () => {
    const dir = tempDir();
    const file = path.join(dir, "cco.config.yaml");
    writeFileSync(
      file,
      "notifications:\n  channels:\n    - type: webhook\n      name: sms\n      url: gateway.example.com/send\n",
    );
    expect(() => loadConfig({ configFile: file, env: {} })).toThrow(
      `${file}: notifications.channels.0.url: expected an http:// or https:// URL (or \${VAR})`,
    );
    writeFileSync(
      file,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the config file's own ${VAR} syntax
      "notifications:\n  channels:\n    - type: slack\n      name: team\n      url: ${SLACK_URL}\n",
    );
    const config = loadConfig({
      configFile: file,
      env: { SLACK_URL: "https://hooks.slack.com/services/T/B/x" },
    });
    expect(config.notifications.channels[0]).toMatchObject({ url: "https://hooks.slack.com/services/T/B/x" });
  });
});

/** STUB registered by the lead; its helper writes the real command. */
import type { Command } from "commander";

export function register(_program: Command): void {}

// A small flag parser. util.parseArgs cannot stop at the first positional, which
// `supervise run -d 5 sleep 10 -x` needs: `-x` belongs to sleep, not to us.

import { UsageError } from "../errors.ts";

export interface FlagSpec {
  short?: string;
  /** The flag takes a value (`--deadline 5m`, `--deadline=5m`, `-d 5m`, `-d5m`). */
  value?: boolean;
}

export type OptionSpec = Record<string, FlagSpec>;
export type OptionValues = Record<string, string | true | undefined>;

export interface ParsedOptions {
  options: OptionValues;
  /** Positional words; with stopAtPositional, the first one and everything after it. */
  positionals: string[];
  /** True when an explicit `--` ended the options. */
  terminated: boolean;
  /** Every value a repeated option was given, in order (`options` holds the last). */
  lists: Record<string, string[]>;
}

export interface ParseSettings {
  /** Options end at the first word that is not an option (the command of `run`). */
  stopAtPositional?: boolean;
  /** How many positional words the command takes: none, exactly one (`missing` says what it is), or any. */
  positionals?: 0 | 1 | "many";
  missing?: string;
}

/** `-h` or `--help` among a command's options: cli.ts prints that command's help, exit 0. */
export class HelpRequested extends Error {}

export function parseOptions(args: readonly string[], spec: OptionSpec, settings: ParseSettings = {}): ParsedOptions {
  const byShort = new Map<string, string>();
  for (const [long, flag] of Object.entries(spec)) if (flag.short) byShort.set(flag.short, long);

  const options: OptionValues = {};
  const positionals: string[] = [];
  const lists: Record<string, string[]> = {};
  let terminated = false;

  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (word === "--") {
      terminated = true;
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!word.startsWith("-") || word === "-") {
      if (settings.stopAtPositional) {
        positionals.push(...args.slice(i));
        break;
      }
      positionals.push(word);
      continue;
    }

    if (word === "--help" || word === "-h") throw new HelpRequested();
    let long: string | undefined;
    let inline: string | undefined;
    if (word.startsWith("--")) {
      const eq = word.indexOf("=");
      long = eq === -1 ? word.slice(2) : word.slice(2, eq);
      inline = eq === -1 ? undefined : word.slice(eq + 1);
      if (!Object.hasOwn(spec, long)) throw new UsageError(`unknown option '--${long}'${suggestion(long, Object.keys(spec)).replace(/'(.*)'/, "'--$1'")}`);
    } else {
      long = byShort.get(word[1]!);
      if (!long) throw new UsageError(`unknown option '-${word[1]}'`);
      if (word.length > 2) inline = word.slice(2);
    }

    const flag = spec[long]!;
    const label = word.startsWith("--") ? `--${long}` : `-${flag.short}`;
    if (!flag.value) {
      if (inline !== undefined) throw new UsageError(`option '${label}' takes no value`);
      options[long] = true;
      continue;
    }
    if (inline === undefined) {
      if (i + 1 >= args.length) throw new UsageError(`option '${label}' needs a value`);
      inline = args[++i]!;
    }
    options[long] = inline;
    (lists[long] ??= []).push(inline);
  }
  if (settings.positionals === 0 && positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  if (settings.positionals === 1 && positionals.length !== 1) throw new UsageError(positionals.length ? `unexpected argument '${positionals[1]}'` : (settings.missing ?? "missing argument"));
  return { options, positionals, terminated, lists };
}

export function stringOption(options: OptionValues, name: string): string | undefined {
  const value = options[name];
  return typeof value === "string" ? value : undefined;
}

/** " (did you mean 'x'?)": read only when a word is wrong, off every command's start-up. */
function suggestion(word: string, known: readonly string[]): string {
  const { didYouMean } = require("../text/nearest.ts") as typeof import("../text/nearest.ts");
  return didYouMean(word, known);
}

// Reading a Claude Code hook's JSON from stdin. Hooks never fail the agent: malformed or
// empty input becomes an empty object and one note for stderr.

export interface HookInput {
  data: Record<string, unknown>;
  /** Why the input could not be used as given; null when it was fine. */
  problem: string | null;
}

/**
 * Claude Code writes the input and closes stdin at once; a runner that leaves it open must
 * not hold the hook (and the agent's tool call) until the hook's own timeout.
 */
export const INPUT_TIMEOUT_MS = 2_000;

export async function readHookInput(read: () => Promise<string> = () => Bun.stdin.text(), timeoutMs = INPUT_TIMEOUT_MS): Promise<HookInput> {
  let text: string;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no end of input within ${timeoutMs} ms`)), timeoutMs);
    });
    text = await Promise.race([read(), timedOut]);
  } catch (error) {
    return { data: {}, problem: `cannot read hook input: ${(error as Error).message}` };
  } finally {
    clearTimeout(timer);
  }
  if (text.trim() === "") return { data: {}, problem: "empty hook input" };
  try {
    const data: unknown = JSON.parse(text);
    if (typeof data === "object" && data !== null && !Array.isArray(data)) return { data: data as Record<string, unknown>, problem: null };
    return { data: {}, problem: "hook input is not a JSON object" };
  } catch {
    return { data: {}, problem: "hook input is not valid JSON" };
  }
}

export function stringField(data: Record<string, unknown>, key: string): string | null {
  const value = data[key];
  return typeof value === "string" && value !== "" ? value : null;
}

/** A Bash tool call meant to run in the background: the only kind PreToolUse touches. */
export function isBackgroundBash(data: Record<string, unknown>): boolean {
  const input = data.tool_input;
  return data.tool_name === "Bash" && typeof input === "object" && input !== null && (input as Record<string, unknown>).run_in_background === true;
}

// The SessionStart line that tells the agent how to free a port: its session id, quoted for the shell.

import { expect, test } from "bun:test";
import { portRule } from "../../src/hooks/session-start.ts";

test.each([
  ["a plain id stays bare", "3f2a1b9c-0000", "`supervise kill --port N --session 3f2a1b9c-0000`"],
  ["an id with blanks or shell words is quoted", "a b;rm -rf ~", "`supervise kill --port N --session 'a b;rm -rf ~'`"],
  ["no id: no --session", null, "`supervise kill --port N`"],
])("%s", (_name, session, command) => {
  expect(portRule(session)).toStartWith(`To free a port, run ${command}: it ends only this session's holder`);
});

// Recognising blind kills: the forms agents use to free a port or stop "the" server, each with
// what it selects, and look-alikes that signal nothing by name or port, which must pass.

import { describe, expect, test } from "bun:test";
import { findBlindKills, type Target } from "../../../src/hooks/blind-kill/parse.ts";

const said = (t: Target) => (t.kind === "pgrep" ? `pgrep ${t.args.join(" ")}` : t.kind === "port" ? `port ${t.port} ${t.scope}` : "unknown");
const targetsOf = (command: string) => findBlindKills(command).flatMap((kill) => kill.targets.map(said));

const BLIND: Array<[string, string[]]> = [
  ["pkill -f vite", ["pgrep -f vite"]],
  ["pkill -9 -f 'next dev'", ["pgrep -f next dev"]],
  ["pkill node", ["pgrep node"]],
  ["pkill -TERM -u $USER node", ["pgrep -u $USER node"]],
  ["pkill --signal KILL -f webpack", ["pgrep -f webpack"]],
  ["pkill -e -f 'python -m http.server'", ["pgrep -f python -m http.server"]],
  ["sudo pkill -f uvicorn", ["pgrep -f uvicorn"]],
  ["/usr/bin/pkill -x rg", ["pgrep -x rg"]],
  ["killall node", ["pgrep -x node"]],
  ["killall -9 node npm", ["pgrep -x node", "pgrep -x npm"]],
  ["killall -r 'node.*'", ["pgrep node.*"]],
  ["killall -s KILL chromium-browser-sandbox", ["pgrep -x chromium-browse"]],
  ["killall -u me", ["pgrep -u me"]],
  ["kill -9 $(lsof -ti:3000)", ["port 3000 either"]],
  ["kill $(lsof -t -i :8080)", ["port 8080 either"]],
  ["kill -9 `lsof -ti tcp:5173`", ["port 5173 either"]],
  ["kill $(lsof -nP -iTCP:3000 -sTCP:LISTEN -t)", ["port 3000 listen"]],
  ["kill -9 $(pgrep -f vite)", ["pgrep -f vite"]],
  ["kill $(pidof node)", ["pgrep -x node"]],
  ["kill -9 $(ps aux | grep 'next dev' | grep -v grep | awk '{print $2}')", ["pgrep -f next dev"]],
  ["kill $(fuser 3000/tcp 2>/dev/null)", ["port 3000 local"]],
  ["lsof -ti:3000 | xargs kill -9", ["port 3000 either"]],
  ["lsof -ti :3000 | xargs -r kill", ["port 3000 either"]],
  ["pgrep -f jest | xargs kill", ["pgrep -f jest"]],
  ["ps aux | grep webpack | awk '{print $2}' | xargs kill -9", ["pgrep -f webpack"]],
  ["ps -ef | grep node | grep -v grep | awk '{print $2}' | xargs -I{} kill -9 {}", ["pgrep -f node"]],
  ["netstat -tlnp | grep :8000 | awk '{print $7}' | cut -d/ -f1 | xargs kill", ["port 8000 listen"]],
  ["fuser -k 3000/tcp", ["port 3000 local"]],
  ["fuser -k -n tcp 8080", ["port 8080 local"]],
  ["fuser -KILL -k 5432/tcp", ["port 5432 local"]],
  ["fuser -k .", ["unknown"]],
  ["npx kill-port 3000", ["port 3000 listen"]],
  ["npx -y kill-port 3000 3001", ["port 3000 listen", "port 3001 listen"]],
  ["kill-port --port 8080", ["port 8080 listen"]],
  ["pnpm dlx kill-port 4000", ["port 4000 listen"]],
  ["bunx kill-port 5173", ["port 5173 listen"]],
  ["npm exec -- kill-port 3000", ["port 3000 listen"]],
  ["cd app && pkill -f vite && npm run dev", ["pgrep -f vite"]],
  ["npm run build; killall node", ["pgrep -x node"]],
  ["bash -c 'pkill -f vite'", ["pgrep -f vite"]],
  ["sh -c \"kill -9 \\$(lsof -ti:3000)\"", ["port 3000 either"]],
  ["PID=$(lsof -ti:3000); kill -9 $PID", ["port 3000 either"]],
  ["for p in $(pgrep -f vite); do kill $p; done", ["pgrep -f vite"]],
  ["timeout 5 pkill -f server", ["pgrep -f server"]],
  ["echo $(pkill -f vite)", ["pgrep -f vite"]],
  ["if pgrep vite; then pkill vite; fi", ["pgrep vite"]],
  ["(pkill -f 'node server.js' || true) && node server.js &", ["pgrep -f node server.js"]],
  ["env FOO=1 pkill -f worker", ["pgrep -f worker"]],
  ["nohup pkill -f x > /dev/null 2>&1 &", ["pgrep -f x"]],
  ["kill -9 $(lsof -t /var/lib/app.db)", ["unknown"]],
  ["bash <<'EOF'\npkill -f vite\nEOF", ["pgrep -f vite"]],
  ["npm run dev > >(pkill -f old-dev)", ["pgrep -f old-dev"]],
  ["cat <(killall node)", ["pgrep -x node"]],
];

const PASS: string[] = [
  "grep pkill README.md",
  "grep -rn 'killall' src/",
  "echo kill",
  "echo pkill -f node",
  "man killall",
  "which pkill",
  "type kill",
  "npm i kill-port",
  "npm install --save-dev kill-port",
  'echo "kill $(lsof -ti:3000)"',
  "echo 'kill $(lsof -ti:3000)'",
  "kill 1234",
  "kill -9 4321",
  "kill %1",
  "kill -TERM %2",
  "kill $PID",
  'kill "$SERVER_PID"',
  "kill $!",
  "kill $(cat server.pid)",
  "kill -l",
  "kill -0 1234",
  'git commit -m "pkill the old server"',
  "git log --grep killall",
  "cat <<EOF\npkill -f vite\nEOF",
  "rg 'fuser -k' docs",
  "ls /usr/bin/pkill",
  "pgrep -f vite",
  "pidof node",
  "lsof -ti:3000",
  "fuser 3000/tcp",
  "fuser -v 3000/tcp",
  "ps aux | grep node",
  "echo $((1 + 2)) # pkill in a comment",
  "# killall node",
  "docker kill web",
  "tmux kill-session -t dev",
  "tmux kill-server -L other-socket-name-that-is-not-ours",
  "git branch -D kill-port-fix",
  "skill-check --all",
  "supervise kill --port 3000",
  "supervise kill k3x9",
  "printf '%s\\n' 'killall node'",
  "sed -i 's/pkill/supervise kill/' notes.md",
  "pkill",
  "killall",
  "jobs -p | xargs kill",
  "cat pids.txt | xargs kill",
  "echo $SHELL; kill $(jobs -p)",
];

describe("findBlindKills: the forms that signal by name or port, with what each selects", () => {
  test.each(BLIND)("%p", (command, targets) => {
    expect(targetsOf(command)).toEqual(targets);
  });
});

describe("findBlindKills: look-alikes that signal nothing by name or port pass", () => {
  test.each(PASS)("%p", (command) => {
    expect(findBlindKills(command)).toEqual([]);
  });
});

describe("findBlindKills: hostile input never throws", () => {
  test.each(["$(", "`", "'", '"', "kill $(", "pkill '", "a | | xargs kill", "\\", "$((", "<<", "kill `lsof -ti:3000", "x".repeat(100_000) + " pkill -f y", "$(".repeat(50) + "pkill x"])("%p", (command) => {
    expect(() => findBlindKills(command)).not.toThrow();
  });
});

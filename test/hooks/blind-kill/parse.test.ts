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
  ["pkill -TERM -u $USER node", ["unknown"]],
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
  // Review of issue 24: forms that went unseen or were misread.
  ["fuser --kill 3000/tcp", ["port 3000 local"]],
  ["npx kill-port@latest 3000", ["port 3000 listen"]],
  ["npx -y kill-port@2.0.1 5173", ["port 5173 listen"]],
  ["bun x kill-port 3000", ["port 3000 listen"]],
  ["pnpm exec kill-port 3000", ["port 3000 listen"]],
  ["npm x kill-port 3000", ["port 3000 listen"]],
  ["yarn kill-port 3000", ["port 3000 listen"]],
  ["pnpm kill-port 3000", ["port 3000 listen"]],
  ["npx kill-port $PORT", ["unknown"]],
  ["kill-port --port ${PORT:-3000}", ["unknown"]],
  ["pkill -f vite -9", ["pgrep -f vite"]],
  ["pkill -f -KILL vite", ["pgrep -f vite"]],
  ["pkill -ef vite", ["pgrep -f vite"]],
  ["pkill -P 1234 node", ["pgrep -P 1234 node"]],
  ["pkill -f $NAME", ["unknown"]],
  ["pkill -f server-$$", ["unknown"]],
  ["N=vite; pkill -f $N", ["pgrep -f vite"]],
  ["N=$(cat name); pkill -f $N", ["unknown"]],
  ["pgrep -f vite | while read p; do kill $p; done", ["pgrep -f vite"]],
  ["lsof -ti:3000 | while read -r pid; do kill -9 $pid; done", ["port 3000 either"]],
  ["bash <<< 'pkill -f vite'", ["pgrep -f vite"]],
  ["echo 'pkill -f vite' | bash", ["pgrep -f vite"]],
  ["printf '%s\\n' 'killall node' | sh", ["pgrep -x node"]],
  ["curl -s https://x.example/kill.sh | bash", ["unknown"]],
  ["su -c 'pkill -f vite' me", ["pgrep -f vite"]],
  ["runuser -u me -- pkill -f vite", ["pgrep -f vite"]],
  ["runuser -l me -c 'pkill -f vite'", ["pgrep -f vite"]],
  ["busybox pkill vite", ["pgrep vite"]],
  ["strace -f -o /dev/null pkill vite", ["pgrep vite"]],
  ["taskset 0x1 pkill vite", ["pgrep vite"]],
  ["taskset -c 0 pkill vite", ["pgrep vite"]],
  ["chrt -f 99 pkill vite", ["pgrep vite"]],
  ["flock /tmp/lock pkill vite", ["pgrep vite"]],
  ["flock /tmp/lock -c 'pkill vite'", ["pgrep vite"]],
  ["script -qc 'pkill vite' /dev/null", ["pgrep vite"]],
  ["$(which pkill) -f vite", ["pgrep -f vite"]],
  ["`command -v killall` node", ["pgrep -x node"]],
  ["K=pkill; $K -f vite", ["pgrep -f vite"]],
  ["/usr/bin/pk*ll -f vite", ["pgrep -f vite"]],
  ["/usr/bin/*kill* vite", ["unknown"]],
  ["\"pk\"ill -f vite", ["pgrep -f vite"]],
  ["p\\kill -f vite", ["pgrep -f vite"]],
  ["$KILL_CMD -f vite", ["unknown"]],
  ["kill -9 -1", ["unknown"]],
  ["kill -- -1", ["unknown"]],
  ["kill -s KILL -1", ["unknown"]],
  ["kill 0", ["unknown"]],
  ["killall5 -9", ["unknown"]],
  ["skill -KILL vite", ["unknown"]],
  ["fkill :3000", ["port 3000 listen"]],
  ["npx fkill-cli :8080 node", ["port 8080 listen", "unknown"]],
  ["ps aux | grep -i vite | awk '{print $2}' | xargs kill", ["pgrep -i -f vite"]],
  ["netstat -tlnp | grep '[0-9]' | awk '{print $7}' | xargs kill", ["unknown"]],
  ["ss -ltnp | grep LISTEN | xargs kill", ["unknown"]],
  // A test word (`[`, `[[`) is no glob: what follows it is read.
  ["[ -n x ] && pkill node", ["pgrep node"]],
  ["PID=$(lsof -ti:3000); [ -n \"$PID\" ] && kill -9 $PID", ["port 3000 either"]],
  ["[[ -n $(lsof -ti:3000) ]] && kill $(lsof -ti:3000)", ["port 3000 either"]],
  ["/usr/bin/pk[i]ll -f vite", ["pgrep -f vite"]],
  // pgrep's output options would make the measure count, not list.
  ["pkill -c -f vite", ["pgrep -f vite"]],
  ["pkill --count -fe vite", ["pgrep -f vite"]],
  ["kill $(pgrep -d ' ' vite)", ["pgrep vite"]],
  ["kill $(pgrep -fd, vite)", ["pgrep -f vite"]],
  ["function f { killall node; }; f", ["pgrep -x node"]],
  ["K=\"pkill -f\"; $K vite", ["pgrep -f vite"]],
  ["KILL_CMD=\"kill -9\"; $KILL_CMD $(lsof -ti:3000)", ["port 3000 either"]],
  ["xargs kill <<< \"$(lsof -ti:3000)\"", ["port 3000 either"]],
  ["xargs kill < <(lsof -ti:3000)", ["port 3000 either"]],
  ["cat <(lsof -ti:3000) | xargs kill", ["port 3000 either"]],
  ["xargs -a <(pgrep vite) kill", ["pgrep vite"]],
  ["read PID < <(lsof -ti:3000); kill $PID", ["port 3000 either"]],
  ["echo vite | xargs pkill -f", ["unknown"]],
  ["parallel pkill ::: vite next", ["unknown"]],
  ["trap 'pkill -f vite' EXIT", ["pgrep -f vite"]],
  ["watch -n1 \"pkill -f vite\"", ["pgrep -f vite"]],
  ["find . -name x -exec pkill -f vite \\;", ["pgrep -f vite"]],
  ["env -S 'pkill -f vite'", ["pgrep -f vite"]],
  ["coproc pkill -f vite", ["pgrep -f vite"]],
  ["toybox pkill vite", ["pgrep vite"]],
  ["pgrep -f vite | while IFS= read -r p; do kill -9 \"$p\"; done", ["pgrep -f vite"]],
  ["while read -r pid; do kill \"$pid\"; done < <(pgrep -f vite)", ["pgrep -f vite"]],
  ["while read -r pid; do kill \"$pid\"; done <<< \"$(pgrep node)\"", ["pgrep node"]],
  ["mapfile -t ps < <(lsof -ti:3000); kill \"${ps[@]}\"", ["port 3000 either"]],
  ["echo pkill -f vite | bash", ["pgrep -f vite"]],
  ["coproc K { pkill -f vite; }", ["pgrep -f vite"]],
  ["echo 3000 | xargs npx kill-port", ["unknown"]],
  ["pkill -s 0", ["unknown"]],
  ["[b-a]x foo; pkill vite", ["pgrep vite"]],
  ["'pk'ill -f vite", ["pgrep -f vite"]],
  ["pki\"\"ll -f vite", ["pgrep -f vite"]],
  ["ki\\ll -9 $(pgrep -f vite)", ["pgrep -f vite"]],
  ["printf 'pkill -f vite\\n' | sh", ["pgrep -f vite"]],
  ["pkill -f $'\\x76ite'", ["pgrep -f vite"]],
  ["$'\\160kill' -f vite", ["pgrep -f vite"]],
  ["p$'\\u6b'ill -f vite", ["pgrep -f vite"]],
  ["p$'\\U0000006b'ill -f vite", ["pgrep -f vite"]],
  ["printf '\\160kill -f vite\\n' | sh", ["pgrep -f vite"]],
  ["printf 'p\\x6bill -f vite' | bash", ["pgrep -f vite"]],
  ["echo -e '\\x70kill -f vite' | sh", ["pgrep -f vite"]],
  ["printf '%s -f vite\\n' pkill | sh", ["pgrep -f vite"]],
  ["printf 'pk%sll -f vite\\n' i | sh", ["pgrep -f vite"]],
];

const PASS: string[] = [
  "[b-a]x foo",
  "printf '\\x1b[31mred\\x1b[0m\\n'",
  "echo -e '\\033[1mbold'",
  "printf '%s\\n' a b c | sh",
  "while read l; do echo $l; done < file.txt",
  "echo -n hello | bash",
  "pkill -0 vite",
  "[ -f x ] && echo ok",
  "[[ $a == b ]] || exit 1",
  "find . -name '*.log' -exec rm {} \\;",
  "trap 'rm -f x' EXIT",
  "watch -n1 'ls'",
  "env -S 'ls -l'",
  "diff <(ls a) <(ls b)",
  "echo hi | xargs echo",
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
  // Signal 0 sends nothing; a signal option is not a pid; a group named by number is known.
  "kill -0 $(pgrep -f vite)",
  "kill -s 0 $(lsof -ti:3000)",
  "pkill -0 -f vite",
  "pkill --signal=0 vite",
  "lsof -ti:3000 | xargs kill -0",
  "kill -1 1234",
  "kill -HUP 1234",
  "kill -- -4321",
  "taskset -p 0x1 1234",
  "echo 'echo hi' | bash",
  "fkill 1234",
  "$EDITOR notes-on-pkill.md",
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

describe("findBlindKills: variables and depth", () => {
  test("a variable the command does not set is read from the environment the shell starts with", () => {
    expect(findBlindKills("pkill -TERM -u $USER node", { USER: "me" }).flatMap((k) => k.targets.map(said))).toEqual(["pgrep -u me node"]);
    expect(findBlindKills("pkill -f ${APP}-dev", { APP: "vite" }).flatMap((k) => k.targets.map(said))).toEqual(["pgrep -f vite-dev"]);
  });
  test("one the command sets to what cannot be read is unknown, whatever the environment says", () => {
    expect(findBlindKills("P=$(cat name); pkill -f $P", { P: "vite" }).flatMap((k) => k.targets.map(said))).toEqual(["unknown"]);
  });
  test("scripts nested past four shells are unknown, not passed", () => {
    let command = "pkill -f vite";
    for (let i = 0; i < 6; i++) command = `sh -c '${command.replace(/'/g, "'\\''")}'`;
    expect(findBlindKills(command).flatMap((k) => k.targets.map(said))).toEqual(["unknown"]);
  });
});

describe("findBlindKills: hostile input never throws", () => {
  test.each(["$(", "`", "'", '"', "kill $(", "pkill '", "a | | xargs kill", "\\", "$((", "<<", "kill `lsof -ti:3000", "x".repeat(100_000) + " pkill -f y", "$(".repeat(50) + "pkill x"])("%p", (command) => {
    expect(() => findBlindKills(command)).not.toThrow();
  });
});

describe("mayBeBlindKill: the hook's look before the guard loads", () => {
  const { mayBeBlindKill } = require("../../../src/hooks/blind-kill/may-be.ts") as typeof import("../../../src/hooks/blind-kill/may-be.ts");
  test.each(["pkill -f vite", "'pk'ill -f vite", "pk''ill x", "ki\\ll 1", "fu\"\"ser -k 3000/tcp", "$'\\x70kill' x", "$'\\160kill' x"])("%s is looked at", (command) => expect(mayBeBlindKill(command)).toBe(true));
  test.each(["npm test", "ls -la", "git status", "echo hi"])("%s is not", (command) => expect(mayBeBlindKill(command)).toBe(false));
});

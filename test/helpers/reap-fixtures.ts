// Hand-made processes and rule settings for the reaper's table tests (rules and plan).

import type { ProcInfo } from "../../src/ownership/process-table.ts";
import type { RuleSettings, Surroundings } from "../../src/reap/rules.ts";

const HZ = 100;
export const NOW_TICKS = 1_000_000;
export const ME = 1000;
export const minutes = (m: number) => m * 60 * HZ;

export function proc(over: Partial<ProcInfo> & { pid: number }): ProcInfo {
  return {
    comm: "rg",
    state: "S",
    ppid: 1,
    pgrp: over.pid,
    session: over.pid,
    ttyNr: 0,
    flags: 0,
    utimeTicks: 0,
    stimeTicks: 0,
    cutimeTicks: 0,
    cstimeTicks: 0,
    startTicks: NOW_TICKS - minutes(6),
    rssPages: 0,
    kernel: false,
    uid: ME,
    argv: ["rg", "TODO", "."],
    environ: "HOME=/home/me\0PATH=/usr/bin",
    ...over,
  };
}

export const SETTINGS: RuleSettings = {
  thresholdsMs: { rg: 5 * 60_000, rgTag: 3 * 60_000, agentShell: 10 * 60_000, sessionGone: 60_000 },
  rgNames: ["rg", "ripgrep"],
  shellNames: ["bash", "sh", "zsh"],
  tagPattern: /@(TAG|SPEC|CODE|TEST)\b/,
  protect: ["pytest", "alembic", "docker-compose", "docker compose"],
  sessionKeep: ["tmux", "screen", "gpg-agent"],
};

export const AROUND: Surroundings = { nowTicks: NOW_TICKS, ownUid: ME, lineage: new Set([4000, 3999]), subreapers: new Set([700]), session: null };

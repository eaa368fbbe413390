"""Runs every benchmark client against one release emulator and writes the report.

Standard library only. bench/run.sh builds everything and calls this with the commands of the
clients it could set up; see bench/README.md for the contract every client follows.

    python3 bench/harness/bench.py --emulator PATH --users FILE --out DIR [--smoke]
        [--client NAME=COMMAND ...] [--skip NAME=REASON ...]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, replace
from typing import Any, Dict, List, Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402  (sibling module)

# The user who logs in: app 2FA, already enrolled (tests/fixtures/users.json).
USER = "bob@example.com"

# (name, label): every client of bench/README.md, in table order.
CLIENTS = [
    ("floor", "raw socket, two requests by hand (floor)"),
    ("core-new", "Rust core, `Auth::new` per login"),
    ("core-clone", "Rust core, one `Auth` cloned per login"),
    ("py-sync", "Python `Client` (sync), new per login"),
    ("py-async", "Python `AsyncClient`, new per login"),
    ("py-sync-reuse", "Python `Client` (sync), one reused"),
    ("py-async-reuse", "Python `AsyncClient`, one reused"),
    ("kotlin", "Kotlin/JVM `DocspaceClient`, new per login"),
    ("sdk", "official Python SDK docspace-api-sdk"),
    ("node", "vendor's Node sample flow (fetch)"),
]


@dataclass
class Plan:
    seq_n: int
    rounds: int
    concurrency: List[int]
    conc_total: int
    cold_runs: int
    timeout: float
    warmup: Dict[str, int]


FULL = Plan(300, 3, [1, 8, 64], 1000, 3, 900.0, {"kotlin": 300})
SMOKE = Plan(2, 1, [8], 8, 1, 180.0, {})
DEFAULT_WARMUP = 30


class Emulator:
    """The release emulator on an ephemeral loopback port."""

    def __init__(self, binary: str, users: str) -> None:
        self.proc = subprocess.Popen(
            [binary, "--listen", "127.0.0.1:0", "--users", users],
            stdout=subprocess.PIPE,
            text=True,
        )
        line = self.proc.stdout.readline().strip() if self.proc.stdout else ""
        m = re.fullmatch(r"listening on (http://127\.0\.0\.1:\d+)", line)
        if not m:
            self.proc.kill()
            raise SystemExit(f"bench: the emulator did not start (first line: {line!r})")
        self.url = m.group(1)

    def call(self, method: str, path: str) -> Any:
        req = urllib.request.Request(self.url + path, method=method, data=b"" if method == "POST" else None)
        with urllib.request.urlopen(req, timeout=10) as res:
            return json.loads(res.read() or b"null")

    def reset(self) -> None:
        self.call("POST", "/emulator/reset")

    def reset_counters(self) -> None:
        self.call("POST", "/emulator/counters/reset")

    def counters(self) -> Dict[str, int]:
        return self.call("GET", "/emulator/counters")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class ClientError(Exception):
    pass


class Exits:
    """Client processes, and those that exited non-zero after reporting their logins (a crash at
    exit, e.g. SIGABRT during interpreter shutdown): their logins count, the crash is reported."""

    def __init__(self) -> None:
        self.processes = 0
        self.abnormal = 0
        self.note = ""

    first_error = ""

    def record(self, returncode: int, stderr: str) -> None:
        self.processes += 1
        if not self.first_error:
            failed = [line for line in stderr.splitlines() if "login failed" in line]
            self.first_error = failed[0].strip()[:200] if failed else ""
        if returncode != 0:
            self.abnormal += 1
            tail = [line for line in stderr.strip().splitlines() if line.strip()][-1:]
            self.note = f"exit {returncode}" + (f": {tail[0][:120]}" if tail else "")


def run_json(cmd: List[str], args: List[str], env: Dict[str, str], timeout: float,
             exits: Exits) -> Dict[str, Any]:
    """Runs one client measurement; its last stdout line is the JSON report."""
    try:
        done = subprocess.run(cmd + args, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise ClientError(f"timed out after {timeout:.0f} s: {' '.join(args)}")
    lines = done.stdout.strip().splitlines()
    try:
        rep = json.loads(lines[-1]) if lines else None
    except ValueError:
        rep = None
    if not isinstance(rep, dict):
        tail = (done.stderr.strip().splitlines() or ["(no stderr)"])[-3:]
        raise ClientError(f"exit {done.returncode} on {' '.join(args)}, no report: {' | '.join(tail)}")
    exits.record(done.returncode, done.stderr)
    return rep


TIME = "/usr/bin/time"  # GNU time: forks the client from a small process, so its peak RSS is the client's


def cold(cmd: List[str], env: Dict[str, str], timeout: float, scratch: str, exits: Exits) -> Dict[str, float]:
    """One fresh process: seconds from spawn to the `TOKEN` line, and its peak RSS.

    The peak RSS comes from GNU time (`%M`). Without it, from wait4 on the direct child, which on
    Linux is at least the harness's own RSS at the fork (an upper bound, flagged in the row)."""
    rss_file = os.path.join(scratch, "cold-rss.txt")
    use_time = os.access(TIME, os.X_OK)
    argv = ([TIME, "-f", "%M", "-o", rss_file] if use_time else []) + cmd + ["cold"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = t0 + timeout
    line = ""
    while proc.stdout and time.perf_counter() < deadline:
        line = proc.stdout.readline()
        if not line or line.startswith("TOKEN"):
            break
    elapsed = time.perf_counter() - t0
    if not line.startswith("TOKEN"):
        proc.kill()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)  # so that Popen does not wait again
    stderr = proc.stderr.read() if proc.stderr else ""
    if not line.startswith("TOKEN"):
        raise ClientError(f"cold login failed (exit {proc.returncode}): {' '.join(stderr.splitlines()[-1:])}")
    exits.record(proc.returncode, stderr)
    rss_kb = float(usage.ru_maxrss)
    if use_time:
        with open(rss_file) as f:  # GNU time adds a "Command terminated by signal" line first
            rss_kb = float(f.read().strip().splitlines()[-1])
    return {"secs": elapsed, "rss_mb": rss_kb / 1024.0, "rss_upper_bound": not use_time}


def conns_per_login(counters: Dict[str, int]) -> Optional[float]:
    logins = counters.get("requests", 0) / 2
    return counters.get("connections", 0) / logins if logins else None


def measure(name: str, cmd: List[str], emu: Emulator, plan: Plan, users_secret: str,
            scratch: str) -> Dict[str, Any]:
    warmup = plan.warmup.get(name, 1 if plan.rounds == 1 else DEFAULT_WARMUP)
    env = dict(os.environ, DS_URL=emu.url, DS_USER=USER, DS_PASSWORD="bob-pass", DS_SECRET=users_secret,
               DS_WARMUP=str(warmup))
    row: Dict[str, Any] = {"name": name, "logins": 0, "ok": 0, "failures": 0, "requests": 0}
    exits = Exits()

    def account(rep: Dict[str, Any], runs: List[Dict[str, Any]]) -> None:
        row["logins"] += rep["warmup"]["ok"] + rep["warmup"]["failures"] + sum(r["n"] for r in runs)
        row["ok"] += rep["warmup"]["ok"] + sum(r["ok"] for r in runs)
        row["failures"] += rep["warmup"]["failures"] + sum(r["failures"] for r in runs)

    emu.reset()
    print(f"--> {name}: {plan.rounds} x {plan.seq_n} logins in a row", flush=True)
    rep = run_json(cmd, ["seq", str(plan.seq_n), str(plan.rounds)], env, plan.timeout, exits)
    account(rep, rep["rounds"])
    counters = emu.counters()
    row["requests"] += counters["requests"]
    row["conns_per_login"] = conns_per_login(counters)
    row["cpu_us"] = statistics.median(r["cpu_us"] / r["n"] for r in rep["rounds"])
    row["wall_us"] = statistics.median(r["wall_us"] / r["n"] for r in rep["rounds"])
    row["throughput"] = {}
    for c in plan.concurrency:
        print(f"--> {name}: {plan.conc_total} logins, {c} at a time", flush=True)
        emu.reset_counters()
        rep = run_json(cmd, ["conc", str(c), str(plan.conc_total)], env, plan.timeout, exits)
        account(rep, [rep["run"]])
        counters = emu.counters()
        row["requests"] += counters["requests"]
        run = rep["run"]
        row["throughput"][str(c)] = {
            "per_s": run["ok"] / (run["wall_us"] / 1e6) if run["wall_us"] else 0.0,
            "failures": run["failures"],
            "conns_per_login": conns_per_login(counters),
        }
    colds = []
    for _ in range(plan.cold_runs):
        emu.reset_counters()
        colds.append(cold(cmd, env, plan.timeout, scratch, exits))
        row["logins"] += 1
        row["ok"] += 1
        row["requests"] += emu.counters()["requests"]
    row["cold_secs"] = statistics.median(c["secs"] for c in colds)
    row["cold_rss_mb"] = statistics.median(c["rss_mb"] for c in colds)
    row["cold_rss_upper_bound"] = any(c["rss_upper_bound"] for c in colds)
    row["processes"], row["abnormal_exits"], row["exit_note"] = exits.processes, exits.abnormal, exits.note
    row["first_error"] = exits.first_error
    return row


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--emulator", required=True)
    ap.add_argument("--users", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--client", action="append", default=[], help="NAME=COMMAND (shell words)")
    ap.add_argument("--skip", action="append", default=[], help="NAME=REASON")
    ap.add_argument("--concurrency", help="comma-separated logins at a time, e.g. 1,8,64,1000")
    ap.add_argument("--strict-exit", action="store_true",
                    help="a client process that exits non-zero after its logins fails the run")
    ap.add_argument("--broken", action="append", default=[], help="NAME=REASON: setup failed, an error")
    a = ap.parse_args()
    plan = SMOKE if a.smoke else FULL
    if a.concurrency:
        levels = [int(c) for c in a.concurrency.split(",") if c.strip()]
        if not levels or not all(1 <= c <= 1000 for c in levels):
            raise SystemExit("bench: --concurrency takes numbers from 1 to 1000")
        plan = replace(plan, concurrency=levels)
    commands = dict(kv.split("=", 1) for kv in a.client)
    skipped = dict(kv.split("=", 1) for kv in a.skip)
    broken = dict(kv.split("=", 1) for kv in a.broken)
    with open(a.users) as f:
        secret = next(u["totpSecret"] for u in json.load(f)["users"] if u["email"] == USER)

    machine = report.machine()
    scratch = tempfile.mkdtemp(prefix="docspace-bench-")
    emu = Emulator(a.emulator, a.users)
    rows: List[Dict[str, Any]] = []
    try:
        for name, label in CLIENTS:
            if name in broken:
                print(f"--> {name}: FAILED: {broken[name]}", flush=True)
                rows.append({"name": name, "label": label, "error": broken[name]})
                continue
            if name not in commands:
                reason = skipped.get(name, "not set up")
                print(f"--> {name}: skipped: {reason}", flush=True)
                rows.append({"name": name, "label": label, "skipped": reason})
                continue
            try:
                row = measure(name, shlex.split(commands[name]), emu, plan, secret, scratch)
            except (ClientError, OSError, ValueError, KeyError) as e:
                print(f"--> {name}: FAILED: {e}", flush=True)
                row = {"name": name, "error": str(e)}
            row["label"] = label
            rows.append(row)
    finally:
        emu.stop()
        shutil.rmtree(scratch, ignore_errors=True)

    machine["load_after"] = report.loadavg()
    os.makedirs(a.out, exist_ok=True)
    result = {"smoke": a.smoke, "plan": plan.__dict__, "user": USER, "machine": machine, "rows": rows}
    with open(os.path.join(a.out, "latest.json"), "w") as f:
        json.dump(result, f, indent=1)
    md = report.markdown(result)
    with open(os.path.join(a.out, "latest.md"), "w") as f:
        f.write(md)
    with open(os.path.join(a.out, "latest.svg"), "w") as f:
        f.write(report.svg(result))
    print(md)
    return check(rows, a.smoke, a.strict_exit)


def check(rows: List[Dict[str, Any]], smoke: bool, strict_exit: bool) -> int:
    """Fails when a client that ran did not log in every time (nothing about speed); with
    `strict_exit`, also when one of its processes exited non-zero after its logins."""
    bad = []
    for r in rows:
        if "skipped" in r:
            continue
        if r.get("abnormal_exits"):
            what = (f"{r['name']}: {r['abnormal_exits']} of {r['processes']} processes exited abnormally "
                    f"after logging in ({r['exit_note']})")
            if strict_exit:
                bad.append(what)
            else:
                print(f"bench: WARNING {what}", file=sys.stderr)
        if "error" in r:
            bad.append(f"{r['name']}: {r['error']}")
        elif r["failures"] or r["ok"] != r["logins"] or r["ok"] == 0:
            bad.append(f"{r['name']}: {r['failures']} of {r['logins']} logins failed")
        elif r["requests"] != 2 * r["logins"]:
            bad.append(f"{r['name']}: the emulator saw {r['requests']} requests for {r['logins']} logins")
    for b in bad:
        print(f"bench: FAIL {b}", file=sys.stderr)
    ran = sum(1 for r in rows if "skipped" not in r)
    print(f"bench{' smoke' if smoke else ''}: {ran - len(bad)} clients logged in, {len(bad)} failed, "
          f"{len(rows) - ran} skipped")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

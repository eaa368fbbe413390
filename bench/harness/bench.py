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
from typing import Any, Callable, Dict, List, Optional

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
    ("py-floor-sync", "Python, two requests by hand on a socket (Python's floor)"),
    ("py-floor-async", "Python asyncio, two requests by hand (asyncio's floor)"),
    ("kotlin", "Kotlin/JVM `DocspaceClient`, new per login"),
    ("sdk", "official Python SDK docspace-api-sdk, new `ApiClient` per login"),
    ("sdk-reuse", "official Python SDK docspace-api-sdk, one `ApiClient` reused"),
    ("node", "vendor's Node sample flow (fetch)"),
]


@dataclass
class Plan:
    seq_n: int
    rounds: int  # interleaved rounds of `seq_n` logins in a row (one process per client and round)
    concurrency: List[int]
    conc_total: int
    conc_rounds: int  # interleaved rounds of each concurrency level
    cold_runs: int  # interleaved cold runs
    timeout: float
    warmup: Dict[str, int]


FULL = Plan(300, 9, [1, 8, 64], 1000, 3, 5, 900.0, {"kotlin": 300})
SMOKE = Plan(2, 1, [8], 8, 1, 1, 180.0, {})
DEFAULT_WARMUP = 30


class Pinning:
    """Which CPUs the emulator and the clients run on. With two CPUs or more (and BENCH_PIN not 0),
    the emulator gets the last one and every client the others, so that the two sides never take
    each other's CPU time and a client's CPU is not spent waiting for the emulator's; the run
    then varies far less from one round to the next. Set by the harness for each process it
    starts (sched_setaffinity, inherited by the client's threads and children)."""

    def __init__(self) -> None:
        cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
        self.on = len(cpus) >= 2 and os.environ.get("BENCH_PIN", "1") != "0"
        self.emulator = {cpus[-1]} if self.on else set(cpus)
        self.clients = set(cpus[:-1]) if self.on else set(cpus)

    def describe(self) -> str:
        if not self.on:
            return "not pinned (one CPU, or BENCH_PIN=0)"
        return f"emulator on CPU {fmt_cpus(self.emulator)}, clients on CPU {fmt_cpus(self.clients)}"

    def preexec(self, cpus: set) -> Optional[Callable[[], None]]:
        if not self.on:
            return None
        return lambda: os.sched_setaffinity(0, cpus)


def fmt_cpus(cpus: set) -> str:
    return ",".join(str(c) for c in sorted(cpus))


PIN = Pinning()


class Emulator:
    """The release emulator on an ephemeral loopback port."""

    def __init__(self, binary: str, users: str) -> None:
        self.proc = subprocess.Popen(
            [binary, "--listen", "127.0.0.1:0", "--users", users],
            stdout=subprocess.PIPE,
            text=True,
            preexec_fn=PIN.preexec(PIN.emulator),
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
        done = subprocess.run(cmd + args, env=env, capture_output=True, text=True, timeout=timeout,
                              preexec_fn=PIN.preexec(PIN.clients))
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
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=PIN.preexec(PIN.clients))
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


class Client:
    """One client under test: its command, environment, row and process exits."""

    def __init__(self, name: str, label: str, cmd: List[str], emu: Emulator, plan: Plan, secret: str) -> None:
        warmup = plan.warmup.get(name, 1 if plan.rounds == 1 else DEFAULT_WARMUP)
        self.name, self.cmd = name, cmd
        self.env = dict(os.environ, DS_URL=emu.url, DS_USER=USER, DS_PASSWORD="bob-pass", DS_SECRET=secret,
                        DS_WARMUP=str(warmup))
        self.row: Dict[str, Any] = {"name": name, "label": label, "logins": 0, "ok": 0, "failures": 0,
                                    "requests": 0, "cpu_rounds": [], "wall_rounds": [], "throughput": {},
                                    "tput_rounds": {}, "cold_runs": [], "connections": 0}
        self.exits = Exits()
        self.error: Optional[str] = None

    def account(self, rep: Dict[str, Any], runs: List[Dict[str, Any]]) -> None:
        row = self.row
        row["logins"] += rep["warmup"]["ok"] + rep["warmup"]["failures"] + sum(r["n"] for r in runs)
        row["ok"] += rep["warmup"]["ok"] + sum(r["ok"] for r in runs)
        row["failures"] += rep["warmup"]["failures"] + sum(r["failures"] for r in runs)


def interleaved(clients: List[Client], rounds: int, what: str, step: Callable[[Client], None]) -> None:
    """`rounds` rounds, each running `step` once for every client still working, in table order:
    a change of the machine's speed during the run then touches every client alike."""
    for k in range(rounds):
        print(f"--> round {k + 1}/{rounds}: {what}", flush=True)
        for c in clients:
            if c.error is not None:
                continue
            try:
                step(c)
            except (ClientError, OSError, ValueError, KeyError) as e:
                print(f"--> {c.name}: FAILED: {e}", flush=True)
                c.error = str(e)


def measure_all(clients: List[Client], emu: Emulator, plan: Plan, scratch: str) -> None:
    def seq(c: Client) -> None:
        emu.reset()
        rep = run_json(c.cmd, ["seq", str(plan.seq_n), "1"], c.env, plan.timeout, c.exits)
        c.account(rep, rep["rounds"])
        counters = emu.counters()
        c.row["requests"] += counters["requests"]
        c.row["connections"] += counters["connections"]
        c.row["seq_requests"] = c.row.get("seq_requests", 0) + counters["requests"]
        for r in rep["rounds"]:
            c.row["cpu_rounds"].append(r["cpu_us"] / r["n"])
            c.row["wall_rounds"].append(r["wall_us"] / r["n"])

    interleaved(clients, plan.rounds, f"{plan.seq_n} logins in a row, each client", seq)

    for level in plan.concurrency:
        def conc(c: Client, level: int = level) -> None:
            # From the same emulator state as every other measurement: a full token table makes
            # the emulator itself slower (it evicts the oldest entry on each new login).
            emu.reset()
            rep = run_json(c.cmd, ["conc", str(level), str(plan.conc_total)], c.env, plan.timeout, c.exits)
            c.account(rep, [rep["run"]])
            counters = emu.counters()
            c.row["requests"] += counters["requests"]
            run = rep["run"]
            per_s = run["ok"] / (run["wall_us"] / 1e6) if run["wall_us"] else 0.0
            c.row["tput_rounds"].setdefault(str(level), []).append(per_s)
            t = c.row["throughput"].setdefault(str(level), {"failures": 0})
            t["failures"] += run["failures"]
            t["conns_per_login"] = conns_per_login(counters)

        interleaved(clients, plan.conc_rounds, f"{plan.conc_total} logins, {level} at a time", conc)

    def cold_run(c: Client) -> None:
        emu.reset()
        c.row["cold_runs"].append(cold(c.cmd, c.env, plan.timeout, scratch, c.exits))
        c.row["logins"] += 1
        c.row["ok"] += 1
        c.row["requests"] += emu.counters()["requests"]

    interleaved(clients, plan.cold_runs, "a cold process, each client", cold_run)

    for c in clients:
        row = c.row
        if c.error is not None:
            row["error"] = c.error
            continue
        row["cpu_us"] = statistics.median(row["cpu_rounds"])
        row["wall_us"] = statistics.median(row["wall_rounds"])
        logins = row.get("seq_requests", 0) / 2
        row["conns_per_login"] = row["connections"] / logins if logins else None
        for level, rates in row["tput_rounds"].items():
            row["throughput"][level]["per_s"] = statistics.median(rates)
        row["cold_secs"] = statistics.median(x["secs"] for x in row["cold_runs"])
        row["cold_rss_mb"] = statistics.median(x["rss_mb"] for x in row["cold_runs"])
        row["cold_rss_upper_bound"] = any(x["rss_upper_bound"] for x in row["cold_runs"])
        row["processes"], row["abnormal_exits"], row["exit_note"] = (
            c.exits.processes, c.exits.abnormal, c.exits.note)
        row["first_error"] = c.exits.first_error


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
    machine["pinning"] = PIN.describe()
    print(f"--> CPUs: {machine['pinning']}", flush=True)
    rows: List[Dict[str, Any]] = []
    clients: List[Client] = []
    try:
        for name, label in CLIENTS:
            if name in broken:
                print(f"--> {name}: FAILED: {broken[name]}", flush=True)
                rows.append({"name": name, "label": label, "error": broken[name]})
            elif name not in commands:
                reason = skipped.get(name, "not set up")
                print(f"--> {name}: skipped: {reason}", flush=True)
                rows.append({"name": name, "label": label, "skipped": reason})
            else:
                client = Client(name, label, shlex.split(commands[name]), emu, plan, secret)
                clients.append(client)
                rows.append(client.row)
        measure_all(clients, emu, plan, scratch)
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

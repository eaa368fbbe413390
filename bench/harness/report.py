"""The benchmark's outputs: the machine stamp, the markdown table and a hand-built SVG chart.

Standard library only (the chart is plain SVG text, no plotting package).
"""

from __future__ import annotations

import datetime
import math
import os
import platform
import subprocess
import statistics
from typing import Any, Callable, Dict, List, Optional, Tuple
from xml.sax.saxutils import escape

Row = Dict[str, Any]
Spread = Tuple[float, float]


def loadavg() -> str:
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def _version(cmd: List[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        text = (out.stdout or out.stderr).strip().splitlines()
        return text[0] if text else "?"
    except (OSError, subprocess.TimeoutExpired):
        return "not found"


def machine() -> Dict[str, str]:
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    commit = _version(["git", "-C", root, "describe", "--always", "--dirty"])
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": str(os.cpu_count() or "?"),
        "cpu": _cpu_model(),
        "os": f"{platform.system()} {platform.release()} {platform.machine()}",
        "commit": commit,
        "rustc": _version(["rustc", "--version"]),
        "python": platform.python_version(),
        "node": _version(["node", "--version"]),
        "java": _version(["java", "-version"]),
        "load_before": loadavg(),
    }


def stamp(m: Dict[str, str]) -> str:
    return (f"{m['date']} · {m['nproc']} CPUs, {m['cpu']} · {m['os']} · commit {m['commit']} · "
            f"{m.get('pinning', 'not pinned')} · "
            f"load average {m['load_before']} before, {m.get('load_after', '?')} after")


def _fmt(x: Optional[float], digits: int = 0) -> str:
    if x is None:
        return "–"
    return f"{x:,.{digits}f}"


def _ratio(x: Optional[float], base: Optional[float]) -> str:
    if x is None or not base:
        return ""
    r = x / base
    return f" ({r:.2f}×)" if r < 10 else f" ({r:.0f}×)"


def _exits(r: Row) -> str:
    n = r.get("abnormal_exits", 0)
    return f"; {n} of {r['processes']} processes crashed at exit ({r['exit_note']})" if n else ""


def _conns(x: Optional[float]) -> str:
    return _fmt(x, 2) if x is None or x >= 0.1 or x == 0 else _fmt(x, 3)


def _measured(rows: List[Row]) -> List[Row]:
    return [r for r in rows if "cpu_us" in r]


def _tput(r: Row, c: str) -> Optional[float]:
    t = r.get("throughput", {}).get(c)
    return t["per_s"] if t else None


def targets(rows: List[Row], cs: List[str]) -> List[str]:
    """Issue 9's targets, read off this run (informational: nothing is asserted on speed)."""
    by = {r["name"]: r for r in rows if "cpu_us" in r}

    def get(name: str, key: str) -> Optional[float]:
        return by[name].get(key) if name in by else None

    def line(what: str, value: Optional[float], limit: Optional[float], at_most: bool, unit: str = "×",
             digits: int = 2, spread: Optional[Spread] = None) -> str:
        """A target's row; `limit=None`: the value is shown, not judged (no target)."""
        if value is None:
            return f"| {what} | not measured | |"
        shown = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.{digits}f}"
        if spread:
            shown += f"{unit} ({spread[0]:,.{digits}f}–{spread[1]:,.{digits}f})"
        else:
            shown += unit
        if limit is None:
            return f"| {what} | {shown} (no target) | |"
        ok = value <= limit if at_most else value >= limit
        return (f"| {what} | {shown} ({'≤' if at_most else '≥'} {limit:g}{unit}) | "
                f"{'holds' if ok else 'not yet'} |")

    def paired(a: str, b: str, series: Callable[[Row], List[float]]) -> Tuple[Optional[float], Optional[Spread]]:
        """Median and range of a's / b's value, round by round (the rounds are interleaved, so a
        round's two values were measured minutes apart at most)."""
        if a not in by or b not in by:
            return None, None
        ratios = [x / y for x, y in zip(series(by[a]), series(by[b])) if y]
        if not ratios:
            return None, None
        return statistics.median(ratios), (min(ratios), max(ratios))

    cpu = lambda r: r.get("cpu_rounds", [])  # noqa: E731
    out = ["| target (issue 9) | this run: median (range) over the rounds | |", "|---|---:|---|"]
    for what, a, b, limit, at_most in [
        ("core, `Auth::new` per login: CPU per login / floor's", "core-new", "floor", 1.2, True),
        ("Python sync: CPU per login / core's", "py-sync", "core-new", 2, True),
        ("Python async: CPU per login / core's", "py-async", "core-new", 3, True),
        ("official Python SDK, new `ApiClient` per login: CPU per login / core's (new `Auth` per login)",
         "sdk", "core-new", 10, False),
        ("official Python SDK, one `ApiClient` reused: CPU per login / core's with a cloned `Auth` "
         "(like for like)", "sdk-reuse", "core-clone", None, False),
        ("official Python SDK, one `ApiClient` reused: CPU per login / core's (new `Auth` per login)",
         "sdk-reuse", "core-new", None, False),
        ("Node sample: CPU per login / core's", "node", "core-new", 10, False),
        ("Python's floor (by hand on a socket): CPU per login / core's", "py-floor-sync", "core-new", None, True),
        ("asyncio's floor (by hand with asyncio): CPU per login / core's", "py-floor-async", "core-new", None, True),
    ]:
        value, spread = paired(a, b, cpu)
        out.append(line(what, value, limit, at_most, spread=spread))
    for c in [c for c in ("64", "1000") if c in cs]:
        for name in ("core-new", "core-clone"):
            t = by[name]["throughput"][c] if name in by else None
            value, spread = paired(name, "floor", lambda r: r.get("tput_rounds", {}).get(c, []))
            # The issue asks 1,000 at a time for 0 failures only; that ratio is shown, not judged.
            limit = 0.9 if c == "64" else None
            out.append(line(f"{name}, {c} at a time: throughput / floor's", value, limit, False, spread=spread))
            out.append(line(f"{name}, {c} at a time: failures", t["failures"] if t else None, 0, True, ""))
    value, spread = paired("sdk", "py-sync", lambda r: [x["secs"] for x in r.get("cold_runs", [])])
    out.append(line("cold Python process: official SDK's time / Python sync's", value, 50, False, spread=spread))
    out.append(line("cold Python process: peak RSS (MB)", get("py-sync", "cold_rss_mb"), 25, True, ""))
    docspace = [n for n in by
                if n.startswith(("core", "py-", "kotlin")) and not n.startswith("py-floor")]
    worst = max(docspace, key=lambda n: by[n]["conns_per_login"] or 0, default=None)
    out.append(line(f"TCP connections per login in a row, worst docspace-auth client ({worst})",
                    by[worst]["conns_per_login"] if worst else None, 1, True, "", 4))
    return out


def markdown(result: Dict[str, Any]) -> str:
    rows: List[Row] = result["rows"]
    plan = result["plan"]
    floor = next((r for r in rows if r["name"] == "floor" and "cpu_us" in r), None)
    base = lambda key: floor.get(key) if floor else None  # noqa: E731
    cs = [str(c) for c in plan["concurrency"]]
    kind = "smoke run (a few logins each: numbers mean nothing)" if result["smoke"] else "full run"
    out = [
        f"# Login benchmark: {kind}",
        "",
        f"{stamp(result['machine'])}",
        "",
        f"The same 2FA login ({result['user']}: password, then a TOTP code) against the release emulator on "
        f"loopback. CPU and wall time: median of {plan['rounds']} rounds of {plan['seq_n']} logins in a row, "
        "a process per client and round, after its warm-up (getrusage, user + system, all threads). "
        f"Throughput: {plan['conc_total']} logins, C at a time, in one process, median of {plan['conc_rounds']} "
        f"rounds. Cold: a fresh process from start to token, median of {plan['cold_runs']} "
        "(peak RSS from GNU time). Every measurement is taken in rounds that go through all the clients in "
        "turn, so that a change of the machine's speed touches every client alike; the targets compare "
        "two clients round by round. Connections: the emulator's counters over the logins in a row. "
        "Ratios (×) in this table against the floor's medians.",
        "",
        "| client | CPU per login µs | wall per login µs | "
        + " | ".join(f"logins/s, {c} at a time" for c in cs)
        + " | failures | cold start → token s | cold peak RSS MB | TCP connections per login |",
        "|---|---:|---:|" + "---:|" * len(cs) + "---:|---:|---:|---:|",
    ]
    for r in rows:
        if "skipped" in r or "error" in r:
            what = f"skipped: {r['skipped']}" if "skipped" in r else f"FAILED: {r['error']}"
            out.append(f"| {r['label']} | {what} |" + " |" * (len(cs) + 6))
            continue
        tputs = [_fmt(_tput(r, c)) + _ratio(_tput(r, c), _tput(floor, c) if floor else None) for c in cs]
        out.append(
            f"| {r['label']} | {_fmt(r['cpu_us'])}{_ratio(r['cpu_us'], base('cpu_us'))} | "
            f"{_fmt(r['wall_us'])}{_ratio(r['wall_us'], base('wall_us'))} | " + " | ".join(tputs)
            + f" | {r['failures']} of {r['logins']}{_exits(r)} | {_fmt(r['cold_secs'], 3)}{_ratio(r['cold_secs'], base('cold_secs'))}"
            f" | {_fmt(r['cold_rss_mb'], 1)}{' (≤, wait4)' if r.get('cold_rss_upper_bound') else ''}"
            f" | {_conns(r['conns_per_login'])} |"
        )
    errors = [f"{r['name']}: `{r['first_error']}`" for r in _measured(rows) if r.get("first_error")]
    if errors:
        out += ["", "First login error of each client that had failures: " + "; ".join(errors) + "."]
    out += ["", *targets(rows, cs)]
    out += [
        "",
        "TCP connections per login at the highest concurrency: "
        + ", ".join(f"{r['name']} {_conns(r['throughput'].get(cs[-1], {}).get('conns_per_login'))}"
                    for r in _measured(rows)) + ".",
        "",
        f"Machine: {result['machine']['rustc']}; Python {result['machine']['python']}; "
        f"Node {result['machine']['node']}; {result['machine']['java']}.",
        "",
        "![chart](latest.svg)",
        "",
    ]
    return "\n".join(out)


def _panel(title: str, rows: List[Row], value: Callable[[Row], Optional[float]], unit: str,
           top: int, width: int, label_w: int, floor: Optional[float]) -> List[str]:
    """One horizontal bar panel on a log scale; returns SVG elements and ends ~ at top + height."""
    vals = [(r["label"].replace("`", ""), value(r), r) for r in rows]
    known = [v for _, v, _ in vals if v]
    if not known:
        return []
    lo = 10 ** math.floor(math.log10(min(known)))
    hi = 10 ** math.ceil(math.log10(max(known)))
    if hi <= lo:
        hi = lo * 10
    plot_w = width - label_w - 150
    x = lambda v: label_w + plot_w * (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))  # noqa: E731
    bar_h, gap = 18, 8
    el = [f'<text x="10" y="{top}" font-size="14" font-weight="bold">{escape(title)}</text>']
    y0 = top + 14
    h = len(vals) * (bar_h + gap)
    d = lo
    while d <= hi * 1.0001:
        el.append(f'<line x1="{x(d):.1f}" y1="{y0}" x2="{x(d):.1f}" y2="{y0 + h}" stroke="#ddd"/>')
        el.append(f'<text x="{x(d):.1f}" y="{y0 + h + 12}" font-size="10" text-anchor="middle" fill="#666">'
                  f'{d:,.0f}</text>')
        d *= 10
    for i, (label, v, r) in enumerate(vals):
        y = y0 + i * (bar_h + gap)
        el.append(f'<text x="{label_w - 6}" y="{y + 13}" font-size="11" text-anchor="end">{escape(label)}</text>')
        if not v:
            why = "skipped" if "skipped" in r else "failed" if "error" in r else "not measured"
            el.append(f'<text x="{label_w + 4}" y="{y + 13}" font-size="11" fill="#999">{why}</text>')
            continue
        colour = "#555" if label.endswith("(floor)") else "#3b7dd8"
        el.append(f'<rect x="{label_w}" y="{y}" width="{max(x(v) - label_w, 1):.1f}" height="{bar_h}" '
                  f'fill="{colour}"/>')
        ratio = f" ({v / floor:.2f}× floor)" if floor else ""
        el.append(f'<text x="{x(v) + 4:.1f}" y="{y + 13}" font-size="11">{v:,.0f} {unit}{ratio}</text>')
    return el


def svg(result: Dict[str, Any]) -> str:
    rows = [r for r in result["rows"] if "label" in r]
    floor = next((r for r in rows if r["name"] == "floor" and "cpu_us" in r), None)
    c = str(result["plan"]["concurrency"][-1])
    width, label_w = 980, 330
    el: List[str] = []
    top = 64
    panels = [
        ("Client CPU per login (µs, log scale; lower is better)", lambda r: r.get("cpu_us"), "µs",
         floor["cpu_us"] if floor else None),
        (f"Throughput, {c} logins at a time (logins/s, log scale; higher is better)",
         lambda r: _tput(r, c), "/s", _tput(floor, c) if floor else None),
        ("Cold process, start to token (ms, log scale)",
         lambda r: r["cold_secs"] * 1000 if "cold_secs" in r else None, "ms",
         floor["cold_secs"] * 1000 if floor else None),
    ]
    for title, value, unit, base in panels:
        el += _panel(title, rows, value, unit, top, width, label_w, base)
        top += 14 + len(rows) * 26 + 45
    height = top
    head = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="10" y="20" font-size="16" font-weight="bold">docspace-auth login benchmark'
        f'{" (smoke run)" if result["smoke"] else ""}</text>',
        f'<text x="10" y="36" font-size="10" fill="#444">{escape(stamp(result["machine"]))}</text>',
    ]
    return "\n".join(head + el + ["</svg>", ""])

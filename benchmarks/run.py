"""Benchmarks for kachin-analysis: each target from the issues, measured side by side with its baseline.

    python benchmarks/run.py                 # everything (generates the synthetic ACLED files first)
    python benchmarks/run.py import figures  # a subset: import, figures, notebooks, acled-read, weekly, scaling,
                                             # helpers, test-fast, test-suite

A full run also rewrites the results table in benchmarks/README.md.

Results are printed as a table and written to benchmarks/results/latest.json. Times are medians of
repeated runs; cold-process numbers start a fresh interpreter each time. Nothing here is asserted
by the test suite: speed is measured, not tested.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
PY = sys.executable
BIN = Path(PY).parent


def wall(cmd: list[str], repeat: int, **kw) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, **kw)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def bench_import() -> dict:
    """`import kachin_analysis` against `import pandas`, cold processes, interleaved."""
    ours, floor = [], []
    for _ in range(9):
        floor.append(wall([PY, "-c", "import pandas"], 1))
        ours.append(wall([PY, "-c", "import kachin_analysis"], 1))
    o, f = statistics.median(ours), statistics.median(floor)
    return {"ours_s": o, "baseline_s": f, "ratio": o / f, "target": 1.2, "baseline": "import pandas"}


def alternating(cmd_a: list[str], cmd_b: list[str], pairs: int, **kw) -> tuple[float, float]:
    """Median wall time of two commands run in alternating pairs (a, b, a, b, …), each a fresh process."""
    a, b = [], []
    for _ in range(pairs):
        a.append(wall(cmd_a, 1, **kw))
        b.append(wall(cmd_b, 1, **kw))
    return statistics.median(a), statistics.median(b)


FLOOR = [PY, "-c", "import pandas, matplotlib.pyplot, seaborn"]


def bench_figures() -> dict:
    """`kachin-analysis figures --force` (9 figures x 3 formats, cold process) against importing pandas, pyplot
    and seaborn; alternating pairs. The usual re-run (figures/ current, nothing drawn) is reported beside it."""
    cli = str(BIN / "kachin-analysis")
    with tempfile.TemporaryDirectory() as out:
        full, floor = alternating([cli, "figures", "--force", "--out", out], FLOOR, 5)
        current, floor2 = alternating([cli, "figures", "--out", out], FLOOR, 3)
    return {
        "ours_s": full,
        "baseline_s": floor,
        "ratio": full / floor,
        "target": 2.5,
        "baseline": "python -c 'import pandas, matplotlib.pyplot, seaborn'",
        "what": "`kachin-analysis figures --force`: 9 figures x 3 formats, cold process",
        "up_to_date_rerun_s": current,
        "up_to_date_rerun_ratio": current / floor2,
    }


def bench_notebooks() -> dict:
    """All notebooks as `kachin-analysis notebooks --run` runs them (each in a fresh kernel, two at a time on a
    2-core machine) against (number of notebooks x one trivial one-cell notebook, run one after another), in
    5 alternating rounds. The same suite run one notebook at a time is reported beside it."""
    import nbformat

    from kachin_analysis import notebooks
    from kachin_analysis.cli import DEFAULT_JOBS as jobs  # as `kachin-analysis notebooks --run` runs them

    paths = notebooks.notebook_paths(ROOT / "notebooks")
    suite, serial, base = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        trivial = Path(tmp) / "trivial.ipynb"
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell("1 + 1")]
        nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
        nbformat.write(nb, trivial)
        notebooks.execute(trivial)  # first kernel start warms the page cache for every side alike
        for i in range(5):
            base.append(sum(timed(lambda: notebooks.execute(trivial), 1) for _ in paths))
            suite.append(timed(lambda: notebooks.execute_all(paths, jobs=jobs), 1))
            if i % 2 == 0:  # reported beside it, not compared: three rounds are enough
                serial.append(timed(lambda: notebooks.execute_all(paths, jobs=1), 1))
    ours, floor = statistics.median(suite), statistics.median(base)
    return {
        "ours_s": ours,
        "baseline_s": floor,
        "ratio": ours / floor,
        "target": 2.0,
        "baseline": f"{len(paths)} x a one-cell notebook, one after another",
        "notebooks": len(paths),
        "jobs": jobs,
        "one_at_a_time_s": statistics.median(serial),
        "one_at_a_time_ratio": statistics.median(serial) / floor,
    }


def ensure_acled(n: int) -> Path:
    path = DATA / f"acled_{n}.csv"
    if not path.exists():
        subprocess.run([PY, str(HERE / "generate_acled.py"), str(n), str(path)], check=True)
    return path


_PEAK = "int(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM'))) / 1024"


#: MiB a primer touches before each timed fresh process of the ACLED benchmarks (more than a 1M-row run's peak).
PRIME_MIB = 1024


def prime_memory(mib: int = PRIME_MIB) -> None:
    """Fill ``mib`` MiB of huge pages in a throwaway process, so that the memory the next process is given is
    backed by the host.

    On this VM the balloon device reports free memory to the host in 2 MiB blocks (virtio-balloon free page
    reporting, order 9), ~2 s after it is freed, and the host takes it back. A process that then fills ~700 MiB
    of huge pages (NumPy and Arrow's mimalloc ask for them) first waits for the host to back each one again:
    the 1M-row `from_acled` run took 1.65-1.88 s after 6 s idle against 0.81-0.85 s right after another run.
    Which of the two a timed run gets depends only on how long ago the last big process exited, so each timed
    process starts right after this one, on both sides alike. The primer must use huge pages (a NumPy array
    does): after a primer of plain 4 KiB pages the 1M run still spent 0.40-0.78 s in the kernel, after this
    one 0.12-0.18 s.
    """
    subprocess.run([PY, "-c", f"import numpy; numpy.ones({mib} << 17)"], check=True)


def cold_pair(
    code_a: str, path_a: Path, code_b: str, path_b: Path, repeat: int, *, prime: bool = True
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Run two snippets (each sets nothing, is timed whole) in fresh processes, alternating, ``repeat`` times each.

    Returns (median seconds, peak resident MiB) for each. Alternating spreads the machine's background
    noise over both sides; fresh processes keep allocator warm-up out of the comparison; with ``prime``, each
    timed process starts right after :func:`prime_memory`.
    """

    def prog(code):
        return (
            "import sys, time; import pandas, pyarrow.csv, kachin_analysis as ka; t0 = time.perf_counter(); "
            f"{code}; print(time.perf_counter() - t0, {_PEAK})"
        )

    runs_a, runs_b = [], []
    for _ in range(repeat):
        for code, path, runs in ((code_a, path_a, runs_a), (code_b, path_b, runs_b)):
            if prime:
                prime_memory()
            out = subprocess.run(
                [PY, "-c", prog(code), str(path)], check=True, capture_output=True, text=True
            ).stdout.split()
            runs.append((float(out[0]), float(out[1])))
    return tuple((statistics.median(r[0] for r in runs), max(r[1] for r in runs)) for runs in (runs_a, runs_b))


def bench_acled_read() -> dict:
    """`from_acled` on 1,000,000 rows against `pyarrow.csv.read_csv(...).to_pandas()`, fresh processes, alternating."""
    path = ensure_acled(1_000_000)
    (base, base_mem), (ours, ours_mem) = cold_pair(
        "pyarrow.csv.read_csv(sys.argv[1]).to_pandas()", path, "ka.from_acled(sys.argv[1])", path, 9
    )
    return {
        "ours_s": ours,
        "baseline_s": base,
        "ratio": ours / base,
        "target": 1.5,
        "baseline": "pyarrow.csv.read_csv().to_pandas()",
        "peak_mib": ours_mem,
        "baseline_peak_mib": base_mem,
    }


def bench_weekly() -> dict:
    """Weekly captures by actor on 1,000,000 rows: ours, DuckDB in the same process, and plain pandas."""
    import duckdb

    import kachin_analysis as ka

    ev = ka.from_acled(ensure_acled(1_000_000))

    def plain():
        cap = ev[ev["event_type"] == "capture"]
        x = cap.assign(actor=cap["attackers"].str.split(";")).explode("actor")
        return x.groupby([x["date"].dt.to_period("W").dt.start_time, "actor"]).size()

    con = duckdb.connect()
    con.register("ev", ev)
    sql = (
        "select week, actor, count(*) as n from (select date_trunc('week', date) as week, "
        "unnest(string_split(attackers, ';')) as actor from ev where event_type = 'capture') group by all"
    )
    ours = timed(lambda: ka.count_captures(ev, measure="events", freq="W", by="actor"), 7)
    duck = timed(lambda: con.execute(sql).df(), 7)
    pand = timed(plain, 7)
    return {
        "ours_s": ours,
        "baseline_s": duck,
        "ratio": ours / duck,
        "target": 2.0,
        "baseline": "DuckDB, same process",
        "plain_pandas_s": pand,
        "ratio_vs_plain_pandas": ours / pand,
    }


def bench_scaling() -> dict:
    """100k → 1M rows: read + weekly captures by actor, fresh processes, alternating, with peak resident memory."""
    work = "ev = ka.from_acled(sys.argv[1]); ka.count_captures(ev, measure='events', freq='W', by='actor')"
    small_path, big_path = ensure_acled(100_000), ensure_acled(1_000_000)
    (small, small_mem), (big, big_mem) = cold_pair(work, small_path, work, big_path, 9)
    # The same without the primer, beside it: what a run gets when the host has taken freed memory back.
    (small_u, _), (big_u, _) = cold_pair(work, small_path, work, big_path, 5, prime=False)
    return {
        "ours_s": big,
        "baseline_s": small,
        "ratio": big / small,
        "target": 10.0,
        "baseline": "the same work on 100,000 rows",
        "peak_mib_100k": small_mem,
        "peak_mib_1m": big_mem,
        "unprimed_1m_s": big_u,
        "unprimed_100k_s": small_u,
        "unprimed_ratio": big_u / small_u,
    }


#: Every public helper that accepts ACLED data, with the same query in DuckDB (over the same pandas frame).
_UNNEST = (
    "select event_id, date, admin1, unnest(string_split(attackers, ';')) as actor_id, attacker_side as side, "
    "'attacker' as role from ev where attackers <> '' union all "
    "select event_id, date, admin1, unnest(string_split(defenders, ';')), defender_side, 'defender' from ev "
    "where defenders <> ''"
)
HELPERS = {
    "event_actors": ("ka.event_actors(ev)", _UNNEST),
    "count_captures": (
        "ka.count_captures(ev, measure='events', freq='W', by='actor')",
        "select date_trunc('week', date) as week, actor, count(*) as n from (select date, "
        "unnest(string_split(attackers, ';')) as actor from ev where event_type = 'capture') group by all",
    ),
    "actor_involvement": (
        "ka.actor_involvement(ev, by='admin1')",
        f"select actor_id, side, admin1, role, count(*) as events from ({_UNNEST}) group by all",
    ),
    "co_participation": (
        "ka.co_participation(ev)",
        "with a as (select distinct event_id, unnest(string_split(attackers, ';')) as actor from ev "
        "where attackers <> '') select x.actor, y.actor as with_actor, count(*) as n "
        "from a x join a y using (event_id) group by all",
    ),
    "effective_actors": (
        "ka.effective_actors(ev, by='admin1')",
        f"with c as (select admin1, actor_id, count(*) as n from ({_UNNEST}) where role = 'attacker' "
        "group by all) select admin1, count(*) as actors, sum(n) as participations, "
        "1 / sum((n / t) ^ 2) as effective from (select *, sum(n) over (partition by admin1) as t from c) "
        "group by all",
    ),
}
#: Helpers that refuse ACLED data by design (they need the record's phases, places and claims).
RECORD_ONLY = ("phase_summary", "control_timeline", "holder_on", "towns_held", "claims_vs_record")

_HELPER_PROG = """
import statistics, sys, time
import duckdb, kachin_analysis as ka
def hwm():
    return int(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM'))) / 1024
ev = ka.from_acled(sys.argv[1])
loaded = hwm()
ours_code, sql, reps = sys.argv[2], sys.argv[3], int(sys.argv[4])
ours = lambda: eval(ours_code)
ours()
peak = hwm()
con = duckdb.connect()
con.register("ev", ev)
duck = lambda: con.execute(sql).df()
duck()
a, b = [], []
for _ in range(reps):  # alternating pairs
    t = time.perf_counter(); ours(); a.append(time.perf_counter() - t)
    t = time.perf_counter(); duck(); b.append(time.perf_counter() - t)
print(statistics.median(a), statistics.median(b), loaded, peak)
"""


def bench_helpers() -> dict:
    """Each public helper on 100,000 and 1,000,000 ACLED-style rows: against DuckDB (same frame, same process,
    alternating pairs, median) and against itself at 10x fewer rows (linear means <= 10x). Peak memory is the
    process's VmHWM after the helper ran once, beside the VmHWM with the frame loaded."""
    rows = {}
    worst = {"vs_duckdb": 0.0, "scaling": 0.0}
    for name, (code, sql) in HELPERS.items():
        r = {}
        for n in (100_000, 1_000_000):
            out = subprocess.run(
                [PY, "-c", _HELPER_PROG, str(ensure_acled(n)), code, sql, "7"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.split()
            ours, duck, loaded, peak = map(float, out)
            r[n] = {"ours_s": ours, "duckdb_s": duck, "ratio": ours / duck, "loaded_mib": loaded, "peak_mib": peak}
        r["scaling"] = r[1_000_000]["ours_s"] / r[100_000]["ours_s"]
        worst["vs_duckdb"] = max(worst["vs_duckdb"], r[100_000]["ratio"], r[1_000_000]["ratio"])
        worst["scaling"] = max(worst["scaling"], r["scaling"])
        rows[name] = r
        print(
            f"    {name:18s} 100k {r[100_000]['ours_s']:.3f}s ({r[100_000]['ratio']:.2f}x DuckDB)  "
            f"1M {r[1_000_000]['ours_s']:.3f}s ({r[1_000_000]['ratio']:.2f}x DuckDB)  1M/100k {r['scaling']:.2f}x  "
            f"peak {r[1_000_000]['peak_mib']:.0f} MiB (frame {r[1_000_000]['loaded_mib']:.0f})",
            flush=True,
        )
    return {
        "ours_s": max(r[1_000_000]["ours_s"] for r in rows.values()),
        "baseline_s": 0.0,
        "ratio": worst["vs_duckdb"],
        "target": 2.0,
        "baseline": "DuckDB, the same query (worst helper)",
        "worst_scaling_1m_over_100k": worst["scaling"],
        "scaling_target": 10.0,
        "helpers": rows,
        "record_only": list(RECORD_ONLY),
    }


def bench_tests() -> dict:
    """`make test-fast` (fresh pytest, the fast part) in seconds; the target is absolute (<= 30 s)."""
    t = time.perf_counter()
    subprocess.run(
        [PY, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not slow and not e2e"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    fast = time.perf_counter() - t
    return {"ours_s": fast, "baseline_s": 30.0, "ratio": fast / 30.0, "target": 1.0, "baseline": "30 s (the target)"}


def bench_test_suite() -> dict:
    """`make test` (the whole suite once, parallel, incl. notebooks and the JupyterLab end-to-end test); target 2 min."""
    t = time.perf_counter()
    subprocess.run(
        [PY, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "auto", "--dist", "loadgroup"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    whole = time.perf_counter() - t
    return {
        "ours_s": whole,
        "baseline_s": 120.0,
        "ratio": whole / 120.0,
        "target": 1.0,
        "baseline": "120 s (the target)",
    }


BENCHES = {
    "import": bench_import,
    "figures": bench_figures,
    "notebooks": bench_notebooks,
    "acled-read": bench_acled_read,
    "weekly": bench_weekly,
    "scaling": bench_scaling,
    "helpers": bench_helpers,
    "test-fast": bench_tests,
    "test-suite": bench_test_suite,
}


def main(argv: list[str]) -> int:
    names = argv or list(BENCHES)
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHES)}", file=sys.stderr)
        return 2
    results = {}
    load_before = os.getloadavg()[0]
    print(f"load average (1 min) before: {load_before:.2f}", flush=True)
    for i, name in enumerate(names, 1):
        print(f"[{i}/{len(names)}] {name} …", flush=True)
        results[name] = BENCHES[name]()
        r = results[name]
        verdict = "ok" if r["ratio"] <= r["target"] else "OVER TARGET"
        if r.get("scaling_target") and r.get("worst_scaling_1m_over_100k", 0) > r["scaling_target"]:
            verdict += f" (scaling {r['worst_scaling_1m_over_100k']:.2f}x over {r['scaling_target']}x)"
        print(
            f"    ours {r['ours_s']:.3f}s  vs  {r['baseline']} {r['baseline_s']:.3f}s  →  {r['ratio']:.2f}× "
            f"(target ≤ {r['target']}×) {verdict}",
            flush=True,
        )
        for k, v in r.items():
            if k not in ("ours_s", "baseline_s", "ratio", "target", "baseline", "helpers"):
                print(f"    {k}: {v:.3f}" if isinstance(v, float) else f"    {k}: {v}", flush=True)
    meta = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "date": time.strftime("%Y-%m-%d"),
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
    }
    out = HERE / "results" / "latest.json"
    out.parent.mkdir(exist_ok=True)
    previous = json.loads(out.read_text()) if out.exists() else {}
    previous.setdefault("results", {}).update(results)
    previous["meta"] = meta
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(previous, indent=2) + "\n")
    tmp.replace(out)
    print(f"results written to {out}")
    if not argv:  # a full run rewrites the results table in benchmarks/README.md
        write_readme_table(previous)
    return 0


_LABELS = {
    "import": ("`import kachin_analysis`", "`import pandas`"),
    "figures": (
        "`kachin-analysis figures --force` (9 figures x 3 formats, cold)",
        "`import pandas, matplotlib.pyplot, seaborn`",
    ),
    "notebooks": (
        "all notebooks, fresh kernels, two at a time (`kachin-analysis notebooks --run`)",
        "as many one-cell notebooks, one after another",
    ),
    "acled-read": ("`from_acled` on 1,000,000 rows (fresh processes)", "`pyarrow.csv.read_csv().to_pandas()`"),
    "weekly": ("weekly captures by actor, 1,000,000 rows", "DuckDB, same process"),
    "scaling": ("read + weekly by actor, 1,000,000 rows", "the same on 100,000 rows"),
    "helpers": ("every ACLED-capable public helper, worst ratio", "DuckDB, the same query"),
    "test-fast": ("`make test-fast` (seconds)", "30 s"),
    "test-suite": ("`make test`: whole suite once, in parallel (seconds)", "120 s"),
}
BEGIN, END = "<!-- results:begin (make bench rewrites this) -->", "<!-- results:end -->"


def write_readme_table(data: dict) -> None:
    """Rewrite the results section of benchmarks/README.md from results/latest.json."""
    res, meta = data["results"], data["meta"]
    lines = [
        BEGIN,
        "",
        f"Measured {meta['date']} on {meta['cpus']} cores, Python {meta['python']}; load average "
        f"(1 min) {meta.get('load_before', float('nan')):.2f} before the run and {meta.get('load_after', float('nan')):.2f} after.",
        "",
        "| benchmark | ours | baseline | ours (s) | baseline (s) | ratio | target | holds |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, r in res.items():
        ours, base = _LABELS.get(name, (name, r.get("baseline", "")))
        ok = r["ratio"] <= r["target"] and r.get("worst_scaling_1m_over_100k", 0) <= r.get(
            "scaling_target", float("inf")
        )
        holds = "yes" if ok else "**no**"
        lines.append(
            f"| `{name}` | {ours} | {base} | {r['ours_s']:.3f} | {r['baseline_s']:.3f} | {r['ratio']:.2f}x | "
            f"<= {r['target']}x | {holds} |"
        )
    if "figures" in res and "up_to_date_rerun_s" in res["figures"]:
        f = res["figures"]
        lines += [
            "",
            f"The ordinary re-run (`kachin-analysis figures` with figures/ current) takes {f['up_to_date_rerun_s']:.3f} s, "
            f"{f['up_to_date_rerun_ratio']:.2f}x the import floor.",
        ]
    if "notebooks" in res and "one_at_a_time_s" in res["notebooks"]:
        n = res["notebooks"]
        lines += [
            "",
            f"The {n['notebooks']} notebooks run {n['jobs']} at a time; one at a time they take {n['one_at_a_time_s']:.3f} s, "
            f"{n['one_at_a_time_ratio']:.2f}x the baseline.",
        ]
    if "scaling" in res and "unprimed_ratio" in res["scaling"]:
        sc = res["scaling"]
        lines += [
            "",
            f"`scaling` and `acled-read` start each timed process right after a primer that fills {PRIME_MIB} MiB of "
            "huge pages (see *At a million rows*). Without it, in 5 alternating pairs of the same run, the 1M side took "
            f"{sc['unprimed_1m_s']:.3f} s and the 100k side {sc['unprimed_100k_s']:.3f} s: "
            f"{sc['unprimed_ratio']:.2f}x.",
        ]
    if "helpers" in res:
        h = res["helpers"]
        lines += [
            "",
            "Helpers on ACLED-style rows (median of 7 alternating pairs with DuckDB on the same frame; "
            "peak = VmHWM after the helper ran once, frame = VmHWM with the frame loaded):",
            "",
            "| helper | 100k (s) | vs DuckDB | 1M (s) | vs DuckDB | 1M / 100k | peak 1M (MiB) | frame 1M (MiB) |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for name, r in h["helpers"].items():
            a, b = r.get("100000") or r.get(100000), r.get("1000000") or r.get(1000000)
            lines.append(
                f"| `{name}` | {a['ours_s']:.3f} | {a['ratio']:.2f}x | {b['ours_s']:.3f} | {b['ratio']:.2f}x | "
                f"{r['scaling']:.2f}x | {b['peak_mib']:.0f} | {b['loaded_mib']:.0f} |"
            )
        lines += [
            "",
            "Record-only by design (they refuse ACLED data): "
            + ", ".join(f"`{n}`" for n in h["record_only"])
            + ". They are not benchmarked at scale; they run on the record (a few hundred events).",
        ]
    lines += ["", END]
    readme = HERE / "README.md"
    text = readme.read_text()
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + "\n".join(lines) + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip() + "\n\n" + "\n".join(lines) + "\n"
    readme.write_text(text)
    print(f"results table written to {readme}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

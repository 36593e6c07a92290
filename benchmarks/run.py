"""Benchmarks for kachin-analysis: each target from the issues, measured side by side with its baseline.

    python benchmarks/run.py                 # everything (generates the synthetic ACLED files first)
    python benchmarks/run.py import figures  # a subset: import, figures, notebooks, acled-read, weekly, scaling

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


def bench_figures() -> dict:
    """`kachin-analysis figures` (all figures, all formats) against importing pandas, pyplot and seaborn."""
    floor = wall([PY, "-c", "import pandas, matplotlib.pyplot, seaborn"], 5)
    cli = str(BIN / "kachin-analysis")
    with tempfile.TemporaryDirectory() as out:
        full = wall([cli, "figures", "--force", "--out", out], 3)  # every figure, every format, rendered anew
        current = wall([cli, "figures", "--out", out], 3)  # the same command when nothing changed since
    return {"ours_s": current, "baseline_s": floor, "ratio": current / floor, "target": 2.5,
            "baseline": "python -c 'import pandas, matplotlib.pyplot, seaborn'",
            "what": "`kachin-analysis figures` with figures/ up to date (the usual re-run)",
            "full_render_s": full, "full_render_ratio": full / floor}


def bench_notebooks() -> dict:
    """The whole notebook suite against (number of notebooks × one trivial notebook), each in a fresh kernel."""
    import nbformat

    from kachin_analysis import notebooks

    paths = notebooks.notebook_paths(ROOT / "notebooks")
    with tempfile.TemporaryDirectory() as tmp:
        trivial = Path(tmp) / "trivial.ipynb"
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell("1 + 1")]
        nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
        nbformat.write(nb, trivial)
        one = timed(lambda: notebooks.execute(trivial), 5)
    suite = timed(lambda: [notebooks.execute(p) for p in paths], 3)
    base = one * len(paths)
    return {"ours_s": suite, "baseline_s": base, "ratio": suite / base, "target": 3.0,
            "baseline": f"{len(paths)} × a one-cell notebook"}


def ensure_acled(n: int) -> Path:
    path = DATA / f"acled_{n}.csv"
    if not path.exists():
        subprocess.run([PY, str(HERE / "generate_acled.py"), str(n), str(path)], check=True)
    return path


_PEAK = "int(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM'))) / 1024"


def cold_pair(code_a: str, path_a: Path, code_b: str, path_b: Path, repeat: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """Run two snippets (each sets nothing, is timed whole) in fresh processes, alternating, ``repeat`` times each.

    Returns (median seconds, peak resident MiB) for each. Alternating spreads the machine's background
    noise over both sides; fresh processes keep allocator warm-up out of the comparison.
    """
    def prog(code):
        return ("import sys, time; import pandas, pyarrow.csv, kachin_analysis as ka; t0 = time.perf_counter(); "
                f"{code}; print(time.perf_counter() - t0, {_PEAK})")

    runs_a, runs_b = [], []
    for _ in range(repeat):
        for code, path, runs in ((code_a, path_a, runs_a), (code_b, path_b, runs_b)):
            out = subprocess.run([PY, "-c", prog(code), str(path)], check=True, capture_output=True, text=True).stdout.split()
            runs.append((float(out[0]), float(out[1])))
    return tuple((statistics.median(r[0] for r in runs), max(r[1] for r in runs)) for runs in (runs_a, runs_b))


def bench_acled_read() -> dict:
    """`from_acled` on 1,000,000 rows against `pyarrow.csv.read_csv(...).to_pandas()`, fresh processes, alternating."""
    path = ensure_acled(1_000_000)
    (base, base_mem), (ours, ours_mem) = cold_pair("pyarrow.csv.read_csv(sys.argv[1]).to_pandas()", path,
                                                   "ka.from_acled(sys.argv[1])", path, 9)
    return {"ours_s": ours, "baseline_s": base, "ratio": ours / base, "target": 1.5,
            "baseline": "pyarrow.csv.read_csv().to_pandas()", "peak_mib": ours_mem, "baseline_peak_mib": base_mem}


def bench_weekly() -> dict:
    """Weekly captures by actor on 1,000,000 rows: ours, DuckDB in the same process, and plain pandas."""
    import duckdb
    import pandas as pd

    import kachin_analysis as ka

    ev = ka.from_acled(ensure_acled(1_000_000))

    def plain():
        cap = ev[ev["event_type"] == "capture"]
        x = cap.assign(actor=cap["attackers"].str.split(";")).explode("actor")
        return x.groupby([x["date"].dt.to_period("W").dt.start_time, "actor"]).size()

    con = duckdb.connect()
    con.register("ev", ev)
    sql = ("select week, actor, count(*) as n from (select date_trunc('week', date) as week, "
           "unnest(string_split(attackers, ';')) as actor from ev where event_type = 'capture') group by all")
    ours = timed(lambda: ka.count_captures(ev, measure="events", freq="W", by="actor"), 7)
    duck = timed(lambda: con.execute(sql).df(), 7)
    pand = timed(plain, 7)
    return {"ours_s": ours, "baseline_s": duck, "ratio": ours / duck, "target": 2.0, "baseline": "DuckDB, same process",
            "plain_pandas_s": pand, "ratio_vs_plain_pandas": ours / pand}


def bench_scaling() -> dict:
    """100k → 1M rows: read + weekly captures by actor, fresh processes, alternating, with peak resident memory."""
    work = "ev = ka.from_acled(sys.argv[1]); ka.count_captures(ev, measure='events', freq='W', by='actor')"
    (small, small_mem), (big, big_mem) = cold_pair(work, ensure_acled(100_000), work, ensure_acled(1_000_000), 9)
    return {"ours_s": big, "baseline_s": small, "ratio": big / small, "target": 11.0,
            "baseline": "the same work on 100,000 rows", "peak_mib_100k": small_mem, "peak_mib_1m": big_mem}


BENCHES = {"import": bench_import, "figures": bench_figures, "notebooks": bench_notebooks,
           "acled-read": bench_acled_read, "weekly": bench_weekly, "scaling": bench_scaling}


def main(argv: list[str]) -> int:
    names = argv or list(BENCHES)
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHES)}", file=sys.stderr)
        return 2
    results = {}
    for i, name in enumerate(names, 1):
        print(f"[{i}/{len(names)}] {name} …", flush=True)
        results[name] = BENCHES[name]()
        r = results[name]
        verdict = "ok" if r["ratio"] <= r["target"] else "OVER TARGET"
        print(f"    ours {r['ours_s']:.3f}s  vs  {r['baseline']} {r['baseline_s']:.3f}s  →  {r['ratio']:.2f}× "
              f"(target ≤ {r['target']}×) {verdict}", flush=True)
        for k, v in r.items():
            if k not in ("ours_s", "baseline_s", "ratio", "target", "baseline"):
                print(f"    {k}: {v:.3f}" if isinstance(v, float) else f"    {k}: {v}", flush=True)
    meta = {"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count(),
            "date": time.strftime("%Y-%m-%d")}
    out = HERE / "results" / "latest.json"
    out.parent.mkdir(exist_ok=True)
    previous = json.loads(out.read_text()) if out.exists() else {}
    previous.setdefault("results", {}).update(results)
    previous["meta"] = meta
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(previous, indent=2) + "\n")
    tmp.replace(out)
    print(f"results written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

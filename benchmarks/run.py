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
    with tempfile.TemporaryDirectory() as out:
        ours = wall([str(BIN / "kachin-analysis"), "figures", "--out", out], 3)
    return {"ours_s": ours, "baseline_s": floor, "ratio": ours / floor, "target": 2.5,
            "baseline": "python -c 'import pandas, matplotlib.pyplot, seaborn'"}


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
        one = timed(lambda: notebooks.execute(trivial), 3)
    suite = timed(lambda: [notebooks.execute(p) for p in paths], 2)
    base = one * len(paths)
    return {"ours_s": suite, "baseline_s": base, "ratio": suite / base, "target": 3.0,
            "baseline": f"{len(paths)} × a one-cell notebook"}


def ensure_acled(n: int) -> Path:
    path = DATA / f"acled_{n}.csv"
    if not path.exists():
        subprocess.run([PY, str(HERE / "generate_acled.py"), str(n), str(path)], check=True)
    return path


def bench_acled_read() -> dict:
    """`from_acled` on 1,000,000 rows against `pyarrow.csv.read_csv(...).to_pandas()` on the same file."""
    import pyarrow.csv as pacsv

    import kachin_analysis as ka

    path = ensure_acled(1_000_000)
    ours, base = [], []
    for _ in range(5):  # interleaved, so both see the same page cache and machine load
        t = time.perf_counter(); pacsv.read_csv(path).to_pandas(); base.append(time.perf_counter() - t)  # noqa: E702
        t = time.perf_counter(); ka.from_acled(path); ours.append(time.perf_counter() - t)  # noqa: E702
    o, b = statistics.median(ours), statistics.median(base)
    return {"ours_s": o, "baseline_s": b, "ratio": o / b, "target": 1.5, "baseline": "pyarrow.csv.read_csv().to_pandas()"}


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
    """100k → 1M rows: read + weekly-by-actor, cold process each, with peak memory (max RSS)."""
    code = ("import resource, sys, time, kachin_analysis as ka; t = time.perf_counter(); "
            "ev = ka.from_acled(sys.argv[1]); ka.count_captures(ev, measure='events', freq='W', by='actor'); "
            "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)")
    out = {}
    for n in (100_000, 1_000_000):
        path = ensure_acled(n)
        runs = [subprocess.run([PY, "-c", code, str(path)], check=True, capture_output=True, text=True).stdout.split()
                for _ in range(3)]
        out[n] = {"s": statistics.median(float(r[0]) for r in runs), "peak_mib": max(float(r[1]) for r in runs)}
    ratio = out[1_000_000]["s"] / out[100_000]["s"]
    return {"ours_s": out[1_000_000]["s"], "baseline_s": out[100_000]["s"], "ratio": ratio, "target": 11.0,
            "baseline": "the same work on 100,000 rows", "peak_mib_100k": out[100_000]["peak_mib"],
            "peak_mib_1m": out[1_000_000]["peak_mib"]}


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

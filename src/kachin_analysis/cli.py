"""The ``kachin-analysis`` command: validate the record, render figures, export, run notebooks.

Example
-------
>>> from kachin_analysis.cli import main
>>> main(["validate"])  # doctest: +ELLIPSIS
The record is valid: ...
0
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from .load import RecordError, load_record

DESCRIPTION = """\
The cited, itemised record of the KIA-led offensive in northern Myanmar.

  kachin-analysis validate            check every table and print a summary
  kachin-analysis figures             render every publication figure into figures/
  kachin-analysis figures --list      list the figure keys
  kachin-analysis export --format csv events joined with places and phases
  kachin-analysis export --format geojson     the same as points, for QGIS
  kachin-analysis export --format acled       our events in ACLED's layout
  kachin-analysis notebooks --run     run every notebook in a fresh kernel
  kachin-analysis docs --write        regenerate data/datapackage.json and the README's tables
  kachin-analysis diff v2026.10 HEAD  what changed in the record between two versions

The record is read from DIR/--data, else $KACHIN_DATA_DIR, else the checkout's
data/ folder, else the copy inside the installed package.
"""


def _load(data: str | None, *, cache: bool = True):
    from .paths import data_dir

    folder = data_dir(data)
    if not folder.is_dir():
        what = "is a file, not a folder" if folder.exists() else "no such folder"
        print(f"cannot read the record from {folder}: {what} (give the folder holding events.csv and the other tables)",
              file=sys.stderr)
        return None
    try:
        return load_record(data, cache=cache)
    except RecordError as exc:
        print(exc, file=sys.stderr)
        print("\nFix the cells listed above; nothing was changed.", file=sys.stderr)
        return None


def cmd_validate(args: argparse.Namespace) -> int:
    record = _load(args.dir, cache=False)  # validate always reads and checks the files, never a cache
    if record is None:
        return 1
    if record.warnings:
        n = len(record.warnings)
        print(f"{n} warning{'s' if n != 1 else ''} (legal, but check them):", file=sys.stderr)
        for w in record.warnings:
            print(f"  - {w}", file=sys.stderr)
    s = record.summary()
    print(
        f"The record is valid: {s['events']} events, {s['sources']} sources, {s['places']} places, "
        f"{s['actors']} actors, {s['phases']} phases, {s['claims']} claims; "
        f"events from {s.get('first_event', '-')} to {s.get('last_event', '-')}."
    )
    return 0


def cmd_figures(args: argparse.Namespace) -> int:
    from . import figures  # matplotlib is imported only for this command

    if args.list:
        for key, fig in figures.REGISTRY.items():
            print(f"{key:32s} {fig.title}")
        return 0
    unknown = [k for k in (args.only or []) if k not in figures.REGISTRY]
    if unknown:
        print(f"unknown figure key(s): {', '.join(unknown)}; known: {', '.join(figures.REGISTRY)}", file=sys.stderr)
        return 2
    record = _load(args.data)
    if record is None:
        return 1
    from .files import check_output_dir
    from .paths import data_dir

    keys = args.only or list(figures.REGISTRY)
    out = check_output_dir(figures.output_dir(args.out))
    t0 = time.perf_counter()

    reported: list[str] = []

    def progress(i, n, key, paths, seconds):
        reported.append(key)
        if paths is None:
            print(f"[{i}/{n}] {key}: up to date (same record, code and libraries; --force re-renders)", flush=True)
        else:
            print(f"[{i}/{n}] {key}: {', '.join(p.name for p in paths)} ({seconds:.1f}s)", flush=True)

    try:
        result = figures.render_all(record, keys=keys, out_dir=out, formats=args.format, data_folder=data_dir(args.data),
                                    force=args.force, jobs=args.jobs, progress=progress)
    except (KeyboardInterrupt, OSError):
        raise  # reported by main()
    except Exception as exc:  # a builder that cannot draw this record: say so, without a traceback
        left = [k for k in keys if k not in reported]
        which = (f"figure {left[0]!r}" if args.jobs <= 1 or len(left) == 1 else f"one of the figures {', '.join(left)}") \
            if left else "the figures"
        print(f"could not draw {which} from this record: {type(exc).__name__}: {exc}\n"
              f"(figures listed above were written; nothing else in {out} was changed)", file=sys.stderr)
        return 1
    rendered = sum(v is not None for v in result.values())
    print(f"{rendered} figure(s) rendered, {len(keys) - rendered} already up to date, in {out} "
          f"({time.perf_counter() - t0:.1f}s)")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from . import export
    from .files import check_file_target

    default = {"csv": "events_joined.csv", "geojson": "events.geojson", "acled": "events_acled.csv"}[args.format]
    out = args.out or default
    if out != "-":
        check_file_target(out)  # before loading: a bad target fails fast
    record = _load(args.data)
    if record is None:
        return 1
    n = export.write(record, out, args.format)
    where = "standard output" if out == "-" else out
    print(f"wrote {n} events to {where}", file=sys.stderr if out == "-" else sys.stdout)
    return 0


def cmd_explorer(args: argparse.Namespace) -> int:
    from . import explorer

    record = _load(args.data)
    if record is None:
        return 1
    out = explorer.write_explorer(record, args.out)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB): open it in any browser, no network needed")
    return 0


def cmd_notebooks(args: argparse.Namespace) -> int:
    from . import notebooks

    if args.dir and not Path(args.dir).is_dir():
        what = "is a file, not a folder" if Path(args.dir).exists() else "no such folder"
        print(f"cannot run notebooks in {args.dir}: {what}", file=sys.stderr)
        return 1
    paths = notebooks.notebook_paths(args.dir)
    if not paths:
        print(f"no notebooks (NN-name.ipynb) in {args.dir or 'notebooks/'}; nothing was run", file=sys.stderr)
        return 1
    if args.run:
        finished = iter(range(1, len(paths) + 1))

        def report(path, seconds):
            print(f"[{next(finished)}/{len(paths)}] {path.name}: ran cleanly ({seconds:.1f}s)", flush=True)

        t = time.perf_counter()
        notebooks.execute_all(paths, jobs=args.jobs, progress=report)
        print(f"{len(paths)} notebook(s) ran cleanly, {args.jobs} at a time ({time.perf_counter() - t:.1f}s)")
        return 0
    for i, path in enumerate(paths, 1):
        t = time.perf_counter()
        notebooks.strip(path)
        print(f"[{i}/{len(paths)}] {path.name}: outputs stripped ({time.perf_counter() - t:.1f}s)", flush=True)
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    from . import docs, schema
    from .files import atomic_write_text
    from .paths import checkout_root, data_dir

    if not args.write:
        print(schema.datapackage_json(), end="")
        return 0
    record = _load(args.data)
    if record is None:
        return 1
    target = data_dir(args.data) / "datapackage.json"
    root = checkout_root()
    readme = (root / "README.md") if root else None
    new_readme = None
    if readme is not None and readme.exists():
        try:  # computed before anything is written: a README that cannot be regenerated changes nothing
            new_readme = docs.replace_sections(readme.read_text(encoding="utf-8"), docs.sections(record))
        except ValueError as exc:
            print(f"docs: {readme}: {exc}", file=sys.stderr)
            return 1
    atomic_write_text(target, schema.datapackage_json())
    print(f"wrote {target}")
    if new_readme is not None and readme is not None:
        atomic_write_text(readme, new_readme)
        print(f"rewrote the generated sections of {readme}")
    return 0


#: Processes that render figures or run notebooks unless ``--jobs`` says otherwise: up to two.
DEFAULT_JOBS = min(2, os.cpu_count() or 1)


def _jobs(text: str) -> int:
    """``--jobs``: a whole number of processes, at least 1."""
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of processes (1 or more)")
    return n


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kachin-analysis", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    from . import __version__

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    v = sub.add_parser("validate", help="check every table of the record and print a summary (exit 1 on errors)")
    v.add_argument("dir", nargs="?", help="folder holding the CSV tables (default: the shipped record)")
    v.set_defaults(func=cmd_validate)

    f = sub.add_parser("figures", help="render the publication figures (atomic, byte-reproducible)")
    f.add_argument("--only", nargs="+", metavar="KEY", help="render only these figure keys")
    f.add_argument("--format", nargs="+", default=["svg", "pdf", "png"], choices=["svg", "pdf", "png"],
                   help="formats to write (default: svg pdf png)")
    f.add_argument("--out", metavar="DIR", help="output folder (default: figures/)")
    f.add_argument("--data", metavar="DIR", help="read the record from DIR")
    f.add_argument("--list", action="store_true", help="list the figure keys and titles, render nothing")
    f.add_argument("--force", action="store_true", help="re-render even figures that are up to date")
    f.add_argument("--jobs", type=_jobs, default=DEFAULT_JOBS, metavar="N",
                   help="render in N processes (default: up to 2)")
    f.set_defaults(func=cmd_figures)

    e = sub.add_parser("export", help="write the events joined with places, as CSV, GeoJSON or ACLED layout")
    e.add_argument("--format", required=True, choices=["csv", "geojson", "acled"])
    e.add_argument("--out", metavar="FILE", help="output file, or - for standard output (default: events_joined.csv, events.geojson or events_acled.csv)")
    e.add_argument("--data", metavar="DIR", help="read the record from DIR")
    e.set_defaults(func=cmd_export)

    x = sub.add_parser("explorer", help="write the interactive explorer: one self-contained HTML page (map, timeline, table, sources)")
    x.add_argument("--out", metavar="FILE", default="explorer.html", help="output file (default: explorer.html)")
    x.add_argument("--data", metavar="DIR", help="read the record from DIR")
    x.set_defaults(func=cmd_explorer)

    n = sub.add_parser("notebooks", help="run every notebook in a fresh kernel, or strip their outputs before committing")
    g = n.add_mutually_exclusive_group(required=True)
    g.add_argument("--run", action="store_true", help="run each notebook top to bottom (files are not changed)")
    g.add_argument("--strip", action="store_true", help="remove outputs and execution counts (notebooks are committed clean)")
    n.add_argument("dir", nargs="?", help="folder of notebooks (default: notebooks/)")
    n.add_argument("--jobs", type=_jobs, default=DEFAULT_JOBS, metavar="N",
                   help="with --run, run N notebooks at a time, each in its own kernel (default: up to 2)")
    n.set_defaults(func=cmd_notebooks)

    s = sub.add_parser("docs", help="print the Frictionless descriptor, or --write it and the README's generated sections")
    s.add_argument("--write", action="store_true",
                   help="write data/datapackage.json and rewrite the README's data dictionary and coverage tables")
    s.add_argument("--data", metavar="DIR", help="read the record from (and write datapackage.json into) DIR")
    s.set_defaults(func=cmd_docs)

    d = sub.add_parser("diff", help="what changed in the record between two versions (exit 1 when something did)",
                       description=DIFF_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    d.add_argument("old", metavar="OLD", help="the earlier version: a folder of CSV files or a git revision")
    d.add_argument("new", metavar="NEW", nargs="?", help="the later version (default: the record as it is now)")
    d.add_argument("--format", choices=["text", "csv"], default="text",
                   help="text: a summary per table, then one line per change (default); csv: table,id,change,column,old,new")
    d.set_defaults(func=cmd_diff)
    return parser


DIFF_HELP = """\
List what changed in the record between two versions: rows added and removed,
and each changed cell with its old and new text, table by table.

OLD and NEW are each a folder holding the record's CSV files, or a git revision
of this checkout (a tag, a branch, a commit, HEAD~1). NEW defaults to the record
as it is now (the folder the other commands read). CORRECTIONS.md says why
released rows changed; this says what changed.

exit status: 0 no differences, 1 differences listed, 2 a version cannot be read

examples:
  kachin-analysis diff HEAD                      uncommitted edits to data/
  kachin-analysis diff v2026.10 v2026.11         between two releases
  kachin-analysis diff old/ data/ --format csv   one row per change, for a spreadsheet
"""


def cmd_diff(args: argparse.Namespace) -> int:
    from .diff import diff_text, record_diff
    from .paths import data_dir

    try:
        diff = record_diff(args.old, args.new if args.new is not None else data_dir())
    except (FileNotFoundError, NotADirectoryError) as exc:
        print(f"diff: {exc}", file=sys.stderr)
        return 2
    if args.format == "csv":
        diff.to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        print(diff_text(diff))
    return 1 if len(diff) else 0


def main(argv: list[str] | None = None) -> int:
    from .files import OutputError
    from .interrupt import Interrupted, handled

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    import warnings

    def show(message, category, filename, lineno, file=None, line=None):  # a CLI user sees the message, not our source
        print(f"warning: {message}", file=sys.stderr)

    shown, warnings.showwarning = warnings.showwarning, show
    try:
        with handled():
            return args.func(args)
    except Interrupted as exc:
        print(f"\nstopped by {exc}; workers stopped, no partial files left (finished files are kept)", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("\nstopped; no partial files left", file=sys.stderr)
        return 130
    except OutputError as exc:
        print(f"{args.command}: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. `export --out - | head`: the reader left, which is not an error
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return 0
    except OSError as exc:  # a disk full, a read-only file system, a permission: the OS's words, no traceback
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"{args.command}: {exc.strerror or exc}{where}; files already written are complete, nothing is half-written",
              file=sys.stderr)
        return 1
    finally:
        warnings.showwarning = shown
        if argv is None:  # run as the program, which ends now: spare the exit's collection passes over every
            import gc  # object the libraries made (~0.3 s); atexit handlers and buffered output still run as usual

            gc.freeze()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""Faults around writing and caching: bad targets, interrupts, concurrent runs, a tampered cache — each ends in a
clear message (no traceback) and leaves no partial file behind."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import kachin_analysis as ka
from conftest import MINIMAL, ROOT, edit_cell
from kachin_analysis import cache, docs
from kachin_analysis.cli import main
from kachin_analysis.files import OutputError, atomic_write_bytes, update_json_object

CLI = [sys.executable, "-m", "kachin_analysis.cli"]


def run_cli(*args, **kwargs):
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    return subprocess.run([*CLI, *args], capture_output=True, text=True, env=env, **kwargs)


# --------------------------------------------------------------------------- file targets


@pytest.mark.parametrize(
    "target, words",
    [
        ("folder", "is a folder"),
        ("symlink", "symbolic link"),
        ("device", "not a regular file"),
        ("under-a-file", "is a file, not a folder"),
    ],
)
def test_export_refuses_a_target_that_is_not_a_file(tmp_path, capsys, target, words):
    (tmp_path / "folder").mkdir()
    (tmp_path / "real.csv").write_text("keep me")
    (tmp_path / "symlink").symlink_to(tmp_path / "real.csv")
    out = {
        "folder": tmp_path / "folder",
        "symlink": tmp_path / "symlink",
        "device": Path(os.devnull),
        "under-a-file": tmp_path / "real.csv" / "x.csv",
    }[target]
    assert main(["export", "--format", "csv", "--out", str(out), "--data", str(MINIMAL)]) == 1
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
    assert (tmp_path / "symlink").is_symlink() and (tmp_path / "real.csv").read_text() == "keep me"


def test_export_dash_is_standard_output(tmp_path):
    done = run_cli("export", "--format", "geojson", "--out", "-", "--data", str(MINIMAL), cwd=tmp_path)
    assert done.returncode == 0
    assert json.loads(done.stdout)["type"] == "FeatureCollection"
    assert "standard output" in done.stderr
    assert not (tmp_path / "-").exists()


def test_a_rewritten_file_keeps_its_mode(tmp_path):
    target = tmp_path / "e.csv"
    target.write_text("old")
    target.chmod(0o600)
    assert main(["export", "--format", "csv", "--out", str(target), "--data", str(MINIMAL)]) == 0
    assert target.stat().st_mode & 0o777 == 0o600 and target.read_text().startswith("event_id")


def test_figures_refuse_a_file_as_the_output_folder(tmp_path, capsys):
    (tmp_path / "f").write_text("")
    assert (
        main(
            [
                "figures",
                "--only",
                "phase-timeline",
                "--format",
                "svg",
                "--out",
                str(tmp_path / "f"),
                "--data",
                str(MINIMAL),
            ]
        )
        == 1
    )
    assert "is a file, not a folder" in capsys.readouterr().err


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_figures_refuse_a_read_only_folder(tmp_path, capsys):
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o500)
    try:
        assert (
            main(["figures", "--only", "phase-timeline", "--format", "svg", "--out", str(out), "--data", str(MINIMAL)])
            == 1
        )
        assert "not writable" in capsys.readouterr().err
    finally:
        out.chmod(0o700)


def test_a_manifest_that_is_not_an_object_is_rebuilt(tmp_path, capsys):
    (tmp_path / ".manifest.json").write_text("[1, 2]")
    assert (
        main(["figures", "--only", "phase-timeline", "--format", "svg", "--out", str(tmp_path), "--data", str(MINIMAL)])
        == 0
    )
    assert "not an object" in capsys.readouterr().err
    assert "phase-timeline" in json.loads((tmp_path / ".manifest.json").read_text())


def _add_entries(path, prefix, n):
    for i in range(n):
        update_json_object(path, {f"{prefix}{i}": i})


def test_concurrent_manifest_updates_keep_every_entry(tmp_path):
    path = tmp_path / ".manifest.json"
    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=_add_entries, args=(path, p, 25)) for p in "abc"]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert len(json.loads(path.read_text())) == 75
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_temp_file_left_by_a_killed_writer_is_swept(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".out.csv.{int(dead.stdout)}.abc123.tmp"
    stale.write_text("half")
    atomic_write_bytes(tmp_path / "out.csv", b"whole")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_an_interrupted_write_leaves_no_temp_file(tmp_path, monkeypatch):
    def interrupted(*a):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_bytes(tmp_path / "x.csv", b"data")
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_refuses_a_symlink(tmp_path):
    (tmp_path / "link").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(OutputError, match="symbolic link"):
        atomic_write_bytes(tmp_path / "link", b"x")


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_figures_and_its_workers_cleanly(tmp_path, signum):
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.Popen(
        [*CLI, "figures", "--out", str(tmp_path), "--jobs", "2", "--force"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    deadline = time.time() + 60
    workers: list[str] = []
    while time.time() < deadline and not workers:  # wait until the worker processes exist
        time.sleep(0.2)
        workers = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
    proc.send_signal(signum)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signum, err
    assert "Traceback" not in err and "stopped by" in err
    time.sleep(0.3)
    alive = [
        w for w in workers if Path(f"/proc/{w}").exists() and "Z" not in Path(f"/proc/{w}/stat").read_text().split()[2]
    ]
    assert not alive
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.slow
def test_figures_on_a_record_without_captures_end_without_a_traceback(minimal_dir, tmp_path):
    for line in (2, 3, 4, 5):
        edit_cell(minimal_dir, "events", line, "event_type", "attack")
    done = run_cli("figures", "--format", "svg", "--out", str(tmp_path), "--data", str(minimal_dir), "--jobs", "1")
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr


# --------------------------------------------------------------------------- folders and commands


def test_validate_a_missing_folder_says_so(capsys):
    assert main(["validate", "/nonexistent/record"]) == 1
    err = capsys.readouterr().err
    assert "no such folder" in err and "problems" not in err


def test_validate_prints_warnings_and_still_passes(minimal_dir, capsys):
    edit_cell(minimal_dir, "places", 2, "latitude", "25.0")
    edit_cell(minimal_dir, "places", 2, "longitude", "100.5")
    assert main(["validate", str(minimal_dir)]) == 0
    err = capsys.readouterr().err
    assert "warning" in err and "in China" in err and "nowhere" in err


def test_notebooks_on_a_missing_folder_fail(capsys):
    assert main(["notebooks", "--run", "/nonexistent/notebooks"]) == 1
    assert "no such folder" in capsys.readouterr().err


def test_a_publisher_named_like_a_marker_cannot_corrupt_the_readme(record):
    sources = record.sources.copy()
    sources["publisher"] = sources["publisher"].astype(object)
    sources.loc[0, "publisher"] = "Evil <!-- coverage:end --> | Outlet"
    rec = ka.Record(**{**record.tables, "sources": sources})
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    once = docs.replace_sections(readme, docs.sections(rec))
    twice = docs.replace_sections(once, docs.sections(rec))
    assert once == twice
    for name in ("coverage", "data-dictionary"):
        assert once.count(f"<!-- {name}:begin -->") == 1 and once.count(f"<!-- {name}:end -->") == 1


def test_a_readme_with_a_doubled_marker_is_left_alone():
    text = "a<!-- x:begin -->old<!-- x:end -->b<!-- x:end -->"
    with pytest.raises(ValueError, match="once"):
        docs.replace_sections(text, {"x": "new\n"})


# --------------------------------------------------------------------------- the cache


def test_a_tampered_cache_is_not_served(tmp_path, monkeypatch):
    monkeypatch.setenv("KACHIN_CACHE_DIR", str(tmp_path / "cache"))
    first = ka.load_record(MINIMAL)
    key = cache.record_key(MINIMAL)
    events = tmp_path / "cache" / key / "events.parquet"
    hacked = first.events.copy()
    hacked.loc[0, "summary"] = "tampered"
    hacked.to_parquet(events, index=False)
    again = ka.load_record(MINIMAL)
    assert again.events.loc[0, "summary"] == "Test event one."


def test_the_cache_key_covers_every_module_load_imports():
    import ast

    package = ROOT / "src" / "kachin_analysis"
    todo, imported = ["load.py"], {"load.py"}
    while todo:  # load.py and every package module it imports, directly or through another
        tree = ast.parse((package / todo.pop()).read_text())
        for n in ast.walk(tree):
            if isinstance(n, ast.ImportFrom) and n.level == 1 and n.module and f"{n.module}.py" not in imported:
                if n.module != "filters":  # Record.filter: a helper, not part of loading
                    imported.add(f"{n.module}.py")
                    todo.append(f"{n.module}.py")
    assert imported <= set(cache.CACHE_CODE), imported - set(cache.CACHE_CODE)


def test_the_cache_is_pruned(tmp_path, monkeypatch):
    monkeypatch.setenv("KACHIN_CACHE_DIR", str(tmp_path))
    for i in range(cache.CACHE_KEEP + 3):
        (tmp_path / f"old{i:02d}").mkdir()
        os.utime(tmp_path / f"old{i:02d}", (1_000_000 + i, 1_000_000 + i))
    ka.load_record(MINIMAL)
    kept = [p.name for p in tmp_path.iterdir() if p.is_dir()]
    assert len(kept) == cache.CACHE_KEEP and cache.record_key(MINIMAL) in kept

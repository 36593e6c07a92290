"""record_diff: what moved between two versions of the record, field by field."""

from __future__ import annotations

import pytest

from conftest import edit_cell
from kachin_analysis.diff import diff_text, record_diff


def test_a_one_cell_edit_is_one_changed_field(minimal_dir, tmp_path):
    import shutil

    old = tmp_path / "old"
    shutil.copytree(minimal_dir, old)
    edit_cell(minimal_dir, "events", 3, "date", "2024-03-21")
    diff = record_diff(old, minimal_dir)
    assert diff[["table", "id", "change", "column", "old", "new"]].values.tolist() == [
        ["events", "KO-0002", "changed", "date", "2024-03-20", "2024-03-21"]
    ]
    assert "KO-0002.date: '2024-03-20' → '2024-03-21'" in diff_text(diff)


def test_added_and_removed_rows(minimal_dir, tmp_path):
    import shutil

    old = tmp_path / "old"
    shutil.copytree(minimal_dir, old)
    lines = (minimal_dir / "claims.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (minimal_dir / "claims.csv").write_text(lines[0] + lines[1] + lines[2].replace("C002", "C003"), encoding="utf-8")
    diff = record_diff(old, minimal_dir)
    assert sorted(map(tuple, diff[["id", "change"]].values.tolist())) == [("C002", "removed"), ("C003", "added")]


def test_git_revisions_compare_with_records(record):
    from kachin_analysis.diff import tables_at

    committed = tables_at("HEAD")
    assert len(committed["events"]) > 300 and "event_id" in committed["events"].columns
    assert record_diff(record, record).empty


def test_an_unknown_version_is_named():
    with pytest.raises(FileNotFoundError, match="neither a folder nor a git revision"):
        record_diff("no-such-revision-xyz", "HEAD")


# --------------------------------------------------------------------------- the command


def test_the_command_shows_a_one_cell_edit_and_exits_1(minimal_dir, tmp_path, capsys):
    import shutil

    from kachin_analysis.cli import main

    old = tmp_path / "old"
    shutil.copytree(minimal_dir, old)
    assert main(["diff", str(old), str(minimal_dir)]) == 0
    assert capsys.readouterr().out.strip() == "No differences."
    edit_cell(minimal_dir, "events", 3, "date", "2024-03-21")
    assert main(["diff", str(old), str(minimal_dir)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "events: 0 added, 0 removed, 1 changed",
        "  ~ KO-0002.date: '2024-03-20' → '2024-03-21'",
    ]
    assert main(["diff", str(old), str(minimal_dir), "--format", "csv"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "table,id,change,column,old,new",
        "events,KO-0002,changed,date,2024-03-20,2024-03-21",
    ]


def test_the_command_names_a_version_it_cannot_read_and_exits_2(tmp_path, capsys):
    from kachin_analysis.cli import main

    assert main(["diff", str(tmp_path / "nowhere"), "HEAD"]) == 2
    assert "neither a folder nor a git revision" in capsys.readouterr().err


def test_record_diff_is_exported():
    import kachin_analysis as ka

    assert ka.record_diff is record_diff

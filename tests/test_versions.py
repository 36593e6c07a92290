"""One version for the code, one for the data, and a data change cannot land without a new data version."""

from __future__ import annotations

import re
import tomllib

import kachin_analysis as ka
from conftest import ROOT
from kachin_analysis import schema
from kachin_analysis.diff import record_digest

CHANGELOG = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")


def test_the_package_version_is_the_one_in_pyproject():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert ka.__version__ == declared


def test_the_code_version_is_written_once():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    elsewhere = [p for p in (ROOT / "src").rglob("*.py") if f'"{declared}"' in p.read_text(encoding="utf-8")]
    assert not elsewhere, f"the version is written again in {elsewhere}"


def test_the_data_version_is_calver_and_agrees_everywhere():
    assert re.fullmatch(r"20[0-9]{2}\.(1[0-2]|[1-9])", schema.DATA_VERSION)
    citation = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert f'version: "{schema.DATA_VERSION}"' in citation
    assert f'"version": "{schema.DATA_VERSION}"' in (ROOT / "data" / "datapackage.json").read_text(encoding="utf-8")


def test_a_data_change_comes_with_a_data_version_and_a_changelog_entry():
    entry = re.search(r"^## Data (\S+)\n\ndigest: `([0-9a-f]{64})`", CHANGELOG, re.M)
    assert entry, "CHANGELOG.md needs a '## Data VERSION' entry with a 'digest: `…`' line"
    version, digest = entry.groups()
    assert version == schema.DATA_VERSION, "the newest data entry in CHANGELOG.md is not schema.DATA_VERSION"
    assert digest == record_digest(ROOT / "data"), (
        "data/ changed: bump schema.DATA_VERSION, run `kachin-analysis docs --write`, update CITATION.cff and add a "
        f"'## Data' entry to CHANGELOG.md with digest: `{record_digest(ROOT / 'data')}`"
    )


def test_the_changelog_links_the_corrections_log():
    assert "(CORRECTIONS.md" in CHANGELOG


def test_the_wheel_licence_names_code_and_data():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT AND CC-BY-4.0"
    assert set(project["license-files"]) == {"LICENSE", "data/LICENSE"}

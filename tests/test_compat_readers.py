"""Reproductions: readers and evolution checks that promise compatibility or checks they do not keep.

Every test here fails on the code as it is today.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import struct
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from contractgen.build import build
from contractgen.runtime import ContractViolationError
from tests.conftest import run_cli

Package = Callable[[str], ModuleType]


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Package]:
    """Build one native contract (YAML text) into tmp_path and import its package."""
    made: list[str] = []

    def make(text: str) -> ModuleType:
        text = textwrap.dedent(text).lstrip()
        name = text.split("data_source:", 1)[1].split()[0]
        src = tmp_path / f"contracts_{name}"
        src.mkdir()
        (src / f"{name}.yaml").write_text(text)
        out = tmp_path / f"generated_{name}"
        result = build(src, out)
        assert result.ok, [d.render() for d in result.diagnostics]
        monkeypatch.syspath_prepend(str(out / name))
        made.append(name)
        return importlib.import_module(name)

    yield make
    for module in [m for m in sys.modules for n in made if m == n or m.startswith(n + ".")]:
        del sys.modules[module]


V1 = """\
data_source: {name}
version: 1.0.0
schema:
  id:
    type: int64
    required: true
"""
V2_OPTIONAL = V1.replace("1.0.0", "1.1.0") + "  note: string\n"
V2_DEFAULT = V1.replace("1.0.0", "1.1.0") + "  level:\n    type: int32\n    required: true\n    default: 3\n"


def _diff_json(tmp_path: Path, old: str, new: str) -> list[dict]:
    (tmp_path / "old.yaml").write_text(old)
    (tmp_path / "new.yaml").write_text(new)
    done = run_cli("diff", "old.yaml", "new.yaml", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


@pytest.mark.parametrize("reader", ["read_parquet", "scan_parquet", "read_csv"])
@pytest.mark.parametrize(
    ("case", "v2", "column", "expected"),
    [("optional", V2_OPTIONAL, "note", None), ("default", V2_DEFAULT, "level", 3)],
    ids=["optional", "default"],
)
def test_backward_compatible_addition_reads_old_files(package, tmp_path, reader, case, v2, column, expected):
    """A field `diff` calls backward-compatible (optional, or required with a default) is filled in
    when an old file lacks it: nulls or the default (today: 'missing column')."""
    name = f"compat_{case}_{reader}"
    findings = [f for f in _diff_json(tmp_path, V1.format(name=name), v2.format(name=name)) if "rule" in f]
    assert [f["compat"]["backward"] for f in findings] == [True]  # what diff promises
    pkg = package(v2.format(name=name))
    old = pl.DataFrame({"id": [1, 2]})
    path = tmp_path / ("old.csv" if reader == "read_csv" else "old.parquet")
    old.write_csv(path) if reader == "read_csv" else old.write_parquet(path)
    frame = getattr(pkg, reader)(path)
    frame = frame.collect() if isinstance(frame, pl.LazyFrame) else frame
    assert frame[column].to_list() == [expected, expected]


REMOVED = V1.replace("1.0.0", "2.0.0") + "removed_fields: [legacy]\n"


@pytest.mark.parametrize("reader", ["read_parquet", "scan_parquet", "read_csv"])
def test_a_removed_column_in_an_old_file_is_dropped_with_a_warning(package, tmp_path, reader):
    """Removing a field keeps old data valid: the column is dropped, named in a warning, and an
    extra column the contract never had is still refused."""
    from contractgen.runtime import RemovedColumnWarning

    pkg = package(REMOVED.format(name=f"removed_{reader}"))
    old = pl.DataFrame({"id": [1, 2], "legacy": ["a", "b"]})
    path = tmp_path / ("old.csv" if reader == "read_csv" else "old.parquet")
    old.write_csv(path) if reader == "read_csv" else old.write_parquet(path)
    with pytest.warns(RemovedColumnWarning, match="dropped the columns the contract removed: 'legacy'"):
        frame = getattr(pkg, reader)(path)
        frame = frame.collect() if isinstance(frame, pl.LazyFrame) else frame
    assert frame.columns == ["id"]
    stranger = old.with_columns(other=pl.lit(1))
    stranger_path = tmp_path / ("new.csv" if reader == "read_csv" else "new.parquet")
    stranger.write_csv(stranger_path) if reader == "read_csv" else stranger.write_parquet(stranger_path)
    with pytest.warns(RemovedColumnWarning), pytest.raises(ContractViolationError) as caught:
        frame = getattr(pkg, reader)(stranger_path)
        frame.collect() if isinstance(frame, pl.LazyFrame) else frame
    assert [v.column for v in caught.value.violations] == ["other"]


def _lying_statistics_file(path: Path) -> Path:
    """n = [5, -123456789, 7], whose footer statistics claim min 5 (bytes patched in place)."""
    bad = -123_456_789
    pq.write_table(pa.table({"n": pa.array([5, bad, 7], pa.int64())}), path)
    raw = bytearray(path.read_bytes())
    size = struct.unpack("<I", raw[-8:-4])[0]
    start = len(raw) - 8 - size
    footer = bytes(raw[start:-8])
    assert footer.count(struct.pack("<q", bad)) == 2  # min and min_value
    raw[start:-8] = footer.replace(struct.pack("<q", bad), struct.pack("<q", 5))
    path.write_bytes(bytes(raw))
    stats = pq.ParquetFile(path).metadata.row_group(0).column(0).statistics
    assert (stats.min, stats.max) == (5, 7)
    assert pl.read_parquet(path)["n"].to_list() == [5, bad, 7]
    return path


STATS_CONTRACT = """
data_source: {name}
version: 1.0.0
schema:
  n:
    type: int64
    minimum: 0
"""


def test_scan_parquet_does_not_trust_statistics_that_disagree_with_the_data(package, tmp_path):
    """A row-group whose statistics hide a value below the minimum: scan_parquet must still find it
    (read_parquet does; today scan_parquet returns the frame unchecked)."""
    pkg = package(STATS_CONTRACT.format(name="stats_lying"))
    path = _lying_statistics_file(tmp_path / "lying.parquet")
    with pytest.raises(ContractViolationError):
        pkg.read_parquet(path)
    with pytest.raises(ContractViolationError):
        pkg.scan_parquet(path)


def test_scan_parquet_can_be_told_not_to_trust_statistics(package, tmp_path):
    """scan_parquet(path, trust_statistics=False) checks every value, whatever the footer says."""
    pkg = package(STATS_CONTRACT.format(name="stats_flag"))
    path = _lying_statistics_file(tmp_path / "lying.parquet")
    with pytest.raises(ContractViolationError) as exc:
        pkg.scan_parquet(path, trust_statistics=False)  # today: TypeError, no such parameter
    assert [v.kind for v in exc.value.violations] == ["minimum"]


@pytest.mark.parametrize("reader", ["read_parquet", "scan_parquet", "read_csv", "validate"])
def test_unknown_unexpected_policy_is_refused(package, tmp_path, reader):
    """unexpected="dorp" (a typo) is an error, not a silent "drop" of the extra columns."""
    pkg = package(f"data_source: policy_{reader}\nversion: 1.0.0\nschema:\n  a: int64\n")
    frame = pl.DataFrame({"a": [1], "extra": [2]})
    source: object = frame
    if reader != "validate":
        source = tmp_path / ("x.csv" if reader == "read_csv" else "x.parquet")
        frame.write_csv(source) if reader == "read_csv" else frame.write_parquet(source)
    with pytest.raises((ValueError, TypeError)):
        getattr(pkg, reader)(source, unexpected="dorp")


def _git(cwd: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def test_breaking_reports_a_deleted_contract(tmp_path):
    """Deleting a contract file is DATASET_REMOVED in `contractgen breaking --against REF`."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    _git(tmp_path, "init", "-q", ".")
    (tmp_path / "contracts").mkdir()
    (tmp_path / "contracts" / "a.yaml").write_text("data_source: a\nversion: 1.0.0\nschema:\n  x: int64\n")
    (tmp_path / "contracts" / "b.yaml").write_text("data_source: b\nversion: 1.0.0\nschema:\n  y: int64\n")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "two contracts")
    (tmp_path / "contracts" / "b.yaml").unlink()
    done = run_cli("breaking", "--against", "HEAD", "contracts", "--format", "json", cwd=tmp_path)
    assert "DATASET_REMOVED" in done.stdout, done.stdout  # today: only a's clean summary, exit 0
    assert done.returncode == 100


@pytest.mark.parametrize("version", ["1.0.0", "1.0.1"])
def test_rebuilding_from_scratch_refuses_what_the_normal_build_refuses(tmp_path, version):
    """A committed type change without a major bump is refused after `rm -rf generated` too."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    _git(tmp_path, "init", "-q", ".")
    contract = tmp_path / "contracts" / "a.yaml"
    contract.parent.mkdir()
    contract.write_text("data_source: a\nversion: 1.0.0\nschema:\n  x: int64\n")
    assert run_cli("build", "contracts", "--out", "generated", cwd=tmp_path).returncode == 0
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "v1")
    contract.write_text(f"data_source: a\nversion: {version}\nschema:\n  x: string\n")
    normal = run_cli("build", "contracts", "--out", "generated", cwd=tmp_path)
    assert normal.returncode == 100, normal.stdout + normal.stderr
    _git(tmp_path, "commit", "-qam", "x becomes a string")
    assert run_cli("build", "contracts", "--out", "generated", cwd=tmp_path).returncode == 100
    shutil.rmtree(tmp_path / "generated")
    fresh = run_cli("build", "contracts", "--out", "generated", cwd=tmp_path)
    assert fresh.returncode == 100, "accepted after rm -rf generated:\n" + fresh.stdout + fresh.stderr

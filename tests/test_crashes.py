"""Reproductions: contracts and data that lint accepts but that crash the build, the import or a read.

Every test here fails on the code as it is today.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import json
import subprocess
import sys
import textwrap
import zlib
import zoneinfo
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import polars as pl
import pytest

from contractgen.build import build
from contractgen.runtime import ContractViolationError, DataReadError
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


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip())
    return path


# --- identifiers ---------------------------------------------------------------------------------

FIELD_TYPES = {"b": "bytes", "f": "float", "s": "string", "l": "list<string>", "o": "boolean"}


@pytest.mark.parametrize("name", ["bytes", "str", "float", "list", "bool"])
def test_field_named_like_a_builtin_type_imports(package, name):
    """A described field named `bytes`/`str`/`float`/`list`/`bool` must not shadow the annotation of
    a later field (today: TypeError on import, 'FieldInfo' | None). `type` and `id` already work."""
    fields = f"  {name}:\n    type: string\n    description: the {name}\n" + "".join(
        f"  {key}:\n    type: {kind}\n    description: d\n" for key, kind in FIELD_TYPES.items()
    )
    pkg = package(f"data_source: crash_name_{name}\nversion: 1.0.0\nschema:\n{fields}")
    assert name in pkg.SCHEMA


# --- patterns ------------------------------------------------------------------------------------


def _pattern_contract(name: str, pattern: str) -> str:
    return f"data_source: {name}\nversion: 1.0.0\nschema:\n  s:\n    type: string\n    pattern: '{pattern}'\n"


@pytest.mark.parametrize(
    "pattern",
    [r"^a{,3}$", r"(?#note)abc", r"\N{DIGIT ONE}", r"(a)?(?(1)b|c)"],
    ids=["empty-lower-bound", "comment-group", "named-char", "conditional"],
)
def test_pattern_lint_accepts_runs_in_the_package(package, tmp_path, pattern):
    """A pattern lint accepts (Python `re` syntax) must run in Polars and Pydantic (Rust regex);
    otherwise lint must refuse it. Today: accepted, then SchemaError on import."""
    name = "crash_pat_" + str(zlib.crc32(pattern.encode()))
    path = _write(tmp_path, f"{name}.yaml", _pattern_contract(name, pattern))
    if run_cli("lint", path, cwd=tmp_path).returncode == 1:
        return  # refused with a diagnostic: fine
    pkg = package(path.read_text())
    with contextlib.suppress(ContractViolationError):
        pkg.validate(pl.DataFrame({"s": ["abc", "1", "zzz"]}))  # today: SchemaError on import


@pytest.mark.parametrize(
    ("pattern", "good", "bad"),
    [(r"^\p{Greek}+$", "αβγ", "abc"), (r"^\x{41}$", "A", "B")],
    ids=["unicode-class", "hex-brace"],
)
def test_valid_rust_pattern_is_accepted(package, tmp_path, pattern, good, bad):
    """`\\p{Greek}` and `\\x{41}` are what the readers' regex engine runs; lint must not refuse them."""
    name = "crash_rust_" + str(zlib.crc32(pattern.encode()))
    path = _write(tmp_path, f"{name}.yaml", _pattern_contract(name, pattern))
    lint = run_cli("lint", path, cwd=tmp_path)
    assert lint.returncode == 0, lint.stdout + lint.stderr  # today: "not a valid regex: bad escape"
    pkg = package(path.read_text())
    assert pkg.validate(pl.DataFrame({"s": [good]})).height == 1
    with pytest.raises(ContractViolationError):
        pkg.validate(pl.DataFrame({"s": [bad]}))


def test_odcs_pattern_is_checked_like_a_native_one(tmp_path):
    """An ODCS `logicalTypeOptions.pattern` with a lookahead is refused by lint, as a native one is."""
    native = _write(tmp_path, "native.yaml", _pattern_contract("native", "(?=a)b"))
    assert run_cli("lint", native, cwd=tmp_path).returncode == 1  # native: refused today
    odcs = _write(
        tmp_path,
        "odcs.yaml",
        """
        apiVersion: v3.0.2
        kind: DataContract
        id: t
        name: t
        version: 1.0.0
        status: active
        schema:
          - name: tbl
            properties:
              - name: s
                logicalType: string
                logicalTypeOptions:
                  pattern: "(?=a)b"
        """,
    )
    done = run_cli("lint", odcs, cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr  # today: "0 errors"


# --- values the runtime cannot compare or cast ---------------------------------------------------


@pytest.mark.parametrize("reader", ["validate", "read_parquet", "scan_parquet"])
def test_zoned_non_utc_timestamp_with_a_bound_reads(package, tmp_path, reader):
    """A Europe/Paris column with a minimum reads clean data (today: SchemaError comparing
    Datetime(Europe/Paris) with Datetime(UTC), on every read)."""
    pkg = package(
        f"""
        data_source: crash_zone_{reader}
        version: 1.0.0
        schema:
          ts:
            type: timestamp (Europe/Paris)
            minimum: 2020-01-01T00:00:00+01:00
        """
    )
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    frame = pl.DataFrame(
        {"ts": pl.Series([dt.datetime(2024, 1, 1, tzinfo=paris)], dtype=pl.Datetime("us", "Europe/Paris"))}
    )
    source: object = frame
    if reader != "validate":
        source = tmp_path / "z.parquet"
        frame.write_parquet(source)
    out = getattr(pkg, reader)(source)
    assert (out.collect() if isinstance(out, pl.LazyFrame) else out).height == 1


@pytest.mark.parametrize(
    "spec",
    ["maximum: 1e999", "minimum: -1e999", "required: true\n    default: 1e999"],
    ids=["maximum", "minimum", "default"],
)
def test_float_value_beyond_range_does_not_generate_inf(tmp_path, spec):
    """A float bound or default of 1e999 is refused, or generates importable code (today: the
    package says `le=inf` and fails with NameError on import)."""
    src = tmp_path / "contracts"
    src.mkdir()
    (src / "crash_inf.yaml").write_text(
        f"data_source: crash_inf\nversion: 1.0.0\nschema:\n  x:\n    type: float64\n    {spec}\n"
    )
    result = build(src, tmp_path / "generated")
    if not result.ok:
        return  # refused with a diagnostic: fine
    done = subprocess.run(
        [sys.executable, "-c", "import crash_inf"],
        cwd=tmp_path / "generated" / "crash_inf",
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("reader", ["validate", "read_parquet", "scan_parquet"])
def test_lossless_cast_that_overflows_is_a_violation(package, tmp_path, reader):
    """us → ns is an allowed widening, but the year 3000 does not fit in ns: report it as a
    violation, not a raw Polars InvalidOperationError (or a PanicException)."""
    pkg = package(
        f"""
        data_source: crash_overflow_{reader}
        version: 1.0.0
        schema:
          ts:
            type: timestamp
            time_unit: ns
        """
    )
    frame = pl.DataFrame({"ts": pl.Series([dt.datetime(2000, 1, 1), dt.datetime(3000, 1, 1)])})
    assert frame.schema["ts"] == pl.Datetime("us")
    source: object = frame
    if reader != "validate":
        source = tmp_path / "o.parquet"
        frame.write_parquet(source)
    with pytest.raises(ContractViolationError):
        out = getattr(pkg, reader)(source)
        if isinstance(out, pl.LazyFrame):
            out.collect()


def test_multi_file_scan_with_differing_schemas_is_reported(package, tmp_path):
    """scan_parquet over a glob whose files disagree (Int32 vs Int64) reports a violation or a
    DataReadError, not a raw polars SchemaError."""
    pkg = package(
        """
        data_source: crash_glob
        version: 1.0.0
        schema:
          id:
            type: int64
            required: true
        """
    )
    parts = tmp_path / "parts"
    parts.mkdir()
    pl.DataFrame({"id": [1]}).write_parquet(parts / "a.parquet")
    pl.DataFrame({"id": pl.Series([2], dtype=pl.Int32)}).write_parquet(parts / "b.parquet")
    with contextlib.suppress(ContractViolationError, DataReadError):
        pkg.scan_parquet(str(parts / "*.parquet")).collect()  # today: polars SchemaError


# --- shapes the generator cannot emit ------------------------------------------------------------


@pytest.mark.parametrize("depth", [199, 1000])
def test_deeply_nested_type_is_refused_or_importable(tmp_path, depth):
    """`list<list<...>>` nested 199 deep gives SyntaxError on import, 1000 deep a RecursionError
    traceback in build: either a clean refusal (exit 1, no traceback) or an importable package."""
    src = tmp_path / "contracts"
    src.mkdir()
    kind = "list<" * depth + "string" + ">" * depth
    (src / "crash_deep.yaml").write_text(f"data_source: crash_deep\nversion: 1.0.0\nschema:\n  v: {kind}\n")
    done = run_cli("build", "contracts", "--out", "generated", cwd=tmp_path)
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    if done.returncode == 1:
        return  # refused with a diagnostic
    assert done.returncode == 0, done.stderr
    imported = subprocess.run(
        [sys.executable, "-c", "import crash_deep"],
        cwd=tmp_path / "generated" / "crash_deep",
        capture_output=True,
        text=True,
        check=False,
    )
    assert imported.returncode == 0, imported.stderr[-2000:]


@pytest.mark.parametrize("name", ["json", "typing", "polars"])
def test_data_source_named_like_a_module_is_refused_or_importable(tmp_path, name):
    """A contract named `json`/`typing`/`polars` is refused, or its package, installed after the
    standard library and dependencies on sys.path, is the one `import NAME` finds."""
    src = tmp_path / "contracts"
    src.mkdir()
    (src / f"{name}.yaml").write_text(f"data_source: {name}\nversion: 1.0.0\nschema:\n  a: string\n")
    done = run_cli("build", "contracts", "--out", "generated", cwd=tmp_path)
    if done.returncode == 1 and "Traceback" not in done.stderr:
        return  # refused with a diagnostic: fine
    assert done.returncode == 0, done.stderr
    packages = [p.name for p in (tmp_path / "generated").iterdir() if p.is_dir()]
    assert len(packages) == 1
    where = str(tmp_path / "generated" / packages[0])
    code = (
        f"import sys; sys.path.append({where!r}); import {packages[0]} as m; "
        f"assert hasattr(m, 'TABLE') and m.__file__.startswith({where!r}), m.__file__"
    )
    imported = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert imported.returncode == 0, imported.stderr[-1500:]


# --- CLI -----------------------------------------------------------------------------------------


def test_out_pointing_at_a_file_is_an_io_error(tmp_path):
    """`build --out FILE` exits 3 with a message, not a FileExistsError traceback."""
    src = tmp_path / "contracts"
    src.mkdir()
    (src / "a.yaml").write_text("data_source: a\nversion: 1.0.0\nschema:\n  a: string\n")
    (tmp_path / "afile").write_text("")
    done = run_cli("build", "contracts", "--out", "afile", cwd=tmp_path)
    assert "Traceback" not in done.stderr, done.stderr[-1500:]
    assert done.returncode == 3


def test_version_with_a_trailing_newline_is_refused(tmp_path):
    """`version: "1.0.0\\n"` is not a semantic version (today lint passes and the build writes a
    broken pyproject.toml)."""
    path = tmp_path / "a.yaml"
    path.write_text('data_source: a\nversion: "1.0.0\\n"\nschema:\n  a: string\n')
    done = run_cli("lint", path, cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr


def test_validate_json_output_is_strict_json(tmp_path):
    """`validate --format json` emits standard JSON: no NaN or Infinity tokens in samples."""
    contract = tmp_path / "nn.yaml"
    contract.write_text(
        "data_source: nn\nversion: 1.0.0\nschema:\n  x:\n    type: float64\n    minimum: 0\n"
        "  y:\n    type: float64\n    maximum: 10\n"
    )
    data = tmp_path / "d.parquet"
    pl.DataFrame({"x": [float("nan"), 1.0, float("-inf")], "y": [float("inf"), 1.0, 2.0]}).write_parquet(data)
    done = run_cli("validate", contract, data, "--format", "json", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr

    def refuse(token: str) -> None:
        raise ValueError(f"not JSON: {token}")

    json.loads(done.stdout, parse_constant=refuse)


def test_rename_detection_on_a_wide_table_finishes(tmp_path):
    """`contractgen diff` of a 2,000-column table whose every column was renamed finishes within
    60 s (today: over 5 minutes; 500 columns already take ~27 s)."""
    n = 2000
    old = "data_source: wide\nversion: 1.0.0\nschema:\n" + "".join(f"  col_{i}: int64\n" for i in range(n))
    new = "data_source: wide\nversion: 2.0.0\nschema:\n" + "".join(
        f"  renamed_{i}: int64\n" for i in range(n)
    )
    (tmp_path / "old.yaml").write_text(old)
    (tmp_path / "new.yaml").write_text(new)
    exe = Path(sys.executable).parent / "contractgen"
    try:
        done = subprocess.run(
            [str(exe), "diff", "old.yaml", "new.yaml", "--format", "json"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("contractgen diff of 2,000 renamed columns took more than 60 s")
    assert done.returncode in (0, 100), done.stderr[-1500:]

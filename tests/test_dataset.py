"""`build --layout dataset`: one package per contract file, each table a subpackage.

The golden case `tests/golden/dataset` pins the generated tree; these tests read data through
it, change the file's tables between versions, and feed it damaged metadata.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli

CASE = Path(__file__).parent / "golden" / "dataset"
REFUSED = 100


@pytest.fixture
def work(tmp_path: Path) -> Path:
    shutil.copytree(CASE / "contracts", tmp_path / "contracts")
    shutil.copy(CASE / "pyproject.toml", tmp_path / "pyproject.toml")  # layout = "dataset"
    return tmp_path


def build(work: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("build", "contracts", "--out", "generated", *args, cwd=work)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def without_table(path: Path, name: str) -> None:
    """The ODCS file with its schema object `name` (the last one listed) cut off."""
    text = path.read_text()
    path.write_text(text[: text.index(f"  - name: {name}\n")])


def run_python(work: Path, code: str) -> subprocess.CompletedProcess[str]:
    paths = os.pathsep.join(str(p) for p in sorted((work / "generated").iterdir()) if p.is_dir())
    env = {**os.environ, "PYTHONPATH": paths}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=work, env=env, capture_output=True, text=True, check=False
    )


READ = """
import datetime as dt, decimal
import polars as pl
import shop, warehouse
from shop import line_items, orders

pl.DataFrame(
    {"order_id": ["O-000001"], "placed_at": [dt.datetime(2026, 1, 1)], "total": [decimal.Decimal("3.50")]},
    schema_overrides={"total": pl.Decimal(12, 2)},
).write_parquet("orders.parquet")
print(orders.read_parquet("orders.parquet").shape)
pl.DataFrame(
    {"order_id": ["O-000001"], "line": [0], "sku": ["a"], "quantity": [1]},
    schema_overrides={"line": pl.Int32, "quantity": pl.Int32},
).write_parquet("lines.parquet")
try:
    shop.line_items.read_parquet("lines.parquet")
except line_items.ContractViolationError as exc:
    print(str(exc).replace("\\n", " | "))
print(shop.__all__, shop.CONTRACT_VERSION, warehouse.stock_levels.CONTRACT_NAME)
"""


def test_each_table_reads_through_its_own_subpackage(work: Path) -> None:
    assert build(work).returncode == 0
    result = run_python(work, READ)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "(1, 3)",
        "lines.parquet does not match contract line_items 1.0.0 (1 violation): "
        "|   - 'line': 1 row below the minimum 1 (row 0: 0)",
        "['CONTRACT_VERSION', 'line_items', 'orders'] 1.0.0 stock_levels",
    ]


def test_a_removed_table_needs_a_major_version(work: Path) -> None:
    assert build(work).returncode == 0
    shop = work / "contracts" / "shop.odcs.yaml"
    edit(shop, "version: 1.0.0", "version: 1.1.0")
    without_table(shop, "line_items")
    refused = build(work)
    assert refused.returncode == REFUSED, refused.stderr
    assert refused.stderr == (
        "contracts/shop.odcs.yaml:10:5: error DATASET_REMOVED [consumers,code] Table 'line_items' was removed.\n"
        "Summary: 1 breaking under FULL_TRANSITIVE -> requires MAJOR; declared 1.0.0 -> 1.1.0 (MINOR): FAIL\n"
        "contracts/shop.odcs.yaml:5:1: error: version 1.1.0 is a minor bump, but the changes since 1.0.0 "
        "need a major bump: set version to 2.0.0\n"
        "error: refused shop; nothing was written\n"
    )
    assert (work / "generated/shop/shop/line_items/frame.py").is_file()

    edit(shop, "version: 1.1.0", "version: 2.0.0")
    done = build(work)
    assert done.returncode == 0, done.stderr
    assert not (work / "generated/shop/shop/line_items").exists()
    assert not (work / "generated/shop/line_items.contract.json").exists()
    assert "line_items" not in (work / "generated/shop/shop/__init__.py").read_text()
    assert build(work, "--check").returncode == 0


def test_an_added_table_needs_a_minor_version(work: Path) -> None:
    shop = work / "contracts" / "shop.odcs.yaml"
    text = shop.read_text()
    without_table(shop, "line_items")
    assert build(work).returncode == 0
    shop.write_text(text)  # line_items joins at the same version
    refused = build(work)
    assert refused.returncode == REFUSED, refused.stderr
    assert "Table 'line_items' was added." in refused.stderr
    edit(shop, "version: 1.0.0", "version: 1.1.0")
    assert build(work).returncode == 0
    init = (work / "generated/shop/shop/__init__.py").read_text()
    assert "    line_items,\n    orders,\n" in init
    log = json.loads((work / "generated/shop/line_items.changelog.json").read_text())
    assert [v["version"] for v in log["versions"]] == ["1.1.0"]


def test_a_breaking_change_in_one_table_is_refused_by_name(work: Path) -> None:
    assert build(work).returncode == 0
    shop = work / "contracts" / "shop.odcs.yaml"
    edit(shop, "version: 1.0.0", "version: 1.0.1")
    edit(shop, "      - name: sku\n", "      - name: product_code\n")
    refused = build(work)
    assert refused.returncode == REFUSED, refused.stderr
    assert "FIELD_REMOVED" in refused.stderr
    assert "error: refused shop; nothing was written" in refused.stderr


def test_switching_layouts_replaces_the_packages(work: Path) -> None:
    (work / "pyproject.toml").unlink()
    assert build(work).returncode == 0
    assert (work / "generated/orders/orders/frame.py").is_file()
    switched = build(work, "--layout", "dataset")
    assert switched.returncode == 0, switched.stderr
    assert sorted(p.name for p in (work / "generated").iterdir() if p.is_dir()) == ["shop", "warehouse"]
    assert build(work, "--layout", "dataset", "--check").returncode == 0
    stale = build(work, "--check")  # the table layout again: everything would change
    assert stale.returncode == 1
    assert stale.stdout == ""  # no diff of every file
    assert stale.stderr == (
        "error: generated was built with layout 'dataset' and this check asked for 'table': pass "
        "--layout dataset, or set layout in [tool.contractgen] so that every build uses one\n"
    )


def test_two_files_giving_one_dataset_name_clash(work: Path) -> None:
    (work / "contracts" / "more").mkdir()
    shutil.copy(work / "contracts" / "warehouse.dcs.yaml", work / "contracts" / "more" / "shop.yaml")
    clash = (
        "contracts/shop.odcs.yaml:10:5: error: package 'shop' is also generated from "
        "contracts/more/shop.yaml\n  hint: rename one of the files: a dataset package takes its "
        "file's name up to the first dot\n"
    )
    result = build(work)
    assert result.returncode == 1
    assert clash in result.stderr
    lint = run_cli("lint", "contracts", cwd=work)
    assert lint.returncode == 1
    assert clash in lint.stdout


def test_two_tables_with_one_module_name_are_refused(work: Path) -> None:
    shop = work / "contracts" / "shop.odcs.yaml"
    edit(shop, "  - name: line_items\n", "  - name: Orders\n")
    result = build(work)
    assert result.returncode == 1
    assert "error: two tables of contracts/shop.odcs.yaml would both be 'shop.orders'" in result.stderr
    assert "give each table its own name" in result.stderr


def test_a_layout_that_does_not_exist_is_a_config_error(work: Path) -> None:
    (work / "pyproject.toml").write_text('[tool.contractgen]\nlayout = "nested"\n')
    result = build(work)
    assert result.returncode == 2
    assert "pyproject.toml:2:1: error: layout = 'nested' is not a layout" in result.stderr


def test_a_damaged_table_snapshot_is_located(work: Path) -> None:
    assert build(work).returncode == 0
    snapshot = work / "generated/shop/line_items.contract.json"
    snapshot.write_text("{}")
    manifest = work / "generated/.contractgen-manifest.json"
    data = json.loads(manifest.read_text())
    import hashlib

    data["packages"]["shop"]["files"]["line_items.contract.json"] = hashlib.sha256(b"{}").hexdigest()
    manifest.write_text(json.dumps(data))
    edit(work / "contracts" / "shop.odcs.yaml", "version: 1.0.0", "version: 1.0.1")
    result = build(work)
    assert result.returncode == 3, result.stderr
    assert "generated/shop/line_items.contract.json" in result.stderr
    assert "the package's contract snapshot is damaged" in result.stderr


def test_a_planted_table_in_the_manifest_is_not_trusted(work: Path) -> None:
    """A manifest entry naming a table snapshot that is not there adds no table to compare with."""
    assert build(work).returncode == 0
    manifest = work / "generated/.contractgen-manifest.json"
    data = json.loads(manifest.read_text())
    data["packages"]["shop"]["files"]["../../etc.contract.json"] = "0" * 64
    manifest.write_text(json.dumps(data))
    edit(work / "contracts" / "shop.odcs.yaml", "version: 1.0.0", "version: 1.0.1")
    result = build(work)
    assert result.returncode == 3, result.stderr
    assert "../../etc.contract.json" in result.stderr


def test_other_model_flavours_go_into_each_table(work: Path) -> None:
    result = build(work, "--models", "msgspec")
    assert result.returncode == 0, result.stderr
    assert "class Orders(Struct" in (work / "generated/shop/shop/orders/records.py").read_text()
    assert "class LineItems(Struct" in (work / "generated/shop/shop/line_items/records.py").read_text()
    pyproject = (work / "generated/shop/pyproject.toml").read_text()
    assert 'dependencies = ["contractgen>=0.1,<0.2", "msgspec>=0.18,<1"]' in pyproject


def test_the_catalog_names_each_tables_subpackage() -> None:
    from contractgen.catalog import render
    from contractgen.load import load_all

    path = CASE / "contracts" / "shop.odcs.yaml"
    loaded, _ = load_all(path.read_bytes(), "contracts/shop.odcs.yaml")
    page = render(loaded, "generated", "dc_", "dataset")
    assert "| Package | `generated/dc_shop/dc_shop/orders` |" in page
    assert "| Package | `generated/dc_shop/dc_shop/line_items` |" in page


def git(work: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=work,
        check=True,
        capture_output=True,
    )


def committed(work: Path) -> Path:
    """The case as a repository with its first build committed; the shop file."""
    git(work, "init", "-q")
    assert build(work).returncode == 0
    git(work, "add", "-A")
    git(work, "commit", "-qm", "first")
    return work / "contracts" / "shop.odcs.yaml"


@pytest.mark.parametrize("lose", ["generated", "snapshot", "manifest entry"])
def test_a_removed_table_is_refused_however_the_last_build_was_lost(work: Path, lose: str) -> None:
    """The file as committed is a baseline too: deleting generated/, a snapshot, or the manifest's
    lines for a table does not turn a removal into a first version."""
    shop = committed(work)
    without_table(shop, "line_items")
    if lose == "generated":
        shutil.rmtree(work / "generated")
    elif lose == "snapshot":
        (work / "generated/shop/line_items.contract.json").unlink()
    else:
        manifest = work / "generated/.contractgen-manifest.json"
        data = json.loads(manifest.read_text())
        files = data["packages"]["shop"]["files"]
        for rel in [r for r in files if "line_items" in r]:
            del files[rel]
        manifest.write_text(json.dumps(data))
    refused = build(work)
    assert refused.returncode == REFUSED, refused.stderr
    assert "Table 'line_items' was removed." in refused.stderr


def test_a_file_that_loses_every_table_is_refused(work: Path) -> None:
    assert build(work).returncode == 0
    shop = work / "contracts" / "shop.odcs.yaml"
    text = shop.read_text()
    shop.write_text(text[: text.index("schema:")].replace("1.0.0", "2.0.0") + "schema: []\n")
    refused = build(work)
    assert refused.returncode == 1, refused.stderr
    assert refused.stderr == (
        "contracts/shop.odcs.yaml:1:1: warning: this file describes no table: nothing is built from it\n"
        "contracts/shop.odcs.yaml:1:1: error: this file describes no table any more, but package 'shop' "
        "was built from it (tables line_items, orders)\n"
        "  hint: a file may not lose every table; delete the file to retire its package\n"
        "error: 1 error in contracts; nothing was written\n"
    )
    assert (work / "generated/shop/shop/orders/frame.py").is_file()
    shop.unlink()  # retiring the package
    assert build(work).returncode == 0
    assert not (work / "generated/shop").exists()


def test_a_renamed_file_that_drops_a_table_is_refused(work: Path) -> None:
    assert build(work).returncode == 0
    store = (work / "contracts" / "shop.odcs.yaml").rename(work / "contracts" / "store.odcs.yaml")
    without_table(store, "line_items")
    refused = build(work)
    assert refused.returncode == REFUSED, refused.stderr
    assert "Table 'line_items' was removed." in refused.stderr


def test_a_renamed_file_keeps_its_tables_history(work: Path) -> None:
    """The package follows the file's name; the tables' history follows the tables."""
    assert build(work).returncode == 0
    shop = work / "contracts" / "shop.odcs.yaml"
    store = shop.rename(work / "contracts" / "store.odcs.yaml")
    edit(store, "      - name: sku\n        logicalType: string\n        required: true\n", "")
    refused = build(work)
    assert refused.returncode == REFUSED, refused.stderr
    assert "FIELD_REMOVED" in refused.stderr and "'sku'" in refused.stderr
    edit(store, "version: 1.0.0", "version: 2.0.0")
    done = build(work)
    assert done.returncode == 0, done.stderr
    log = json.loads((work / "generated/store/line_items.changelog.json").read_text())
    assert [v["version"] for v in log["versions"]] == ["2.0.0", "1.0.0"]


def test_switching_layouts_keeps_each_tables_baseline(work: Path) -> None:
    (work / "pyproject.toml").unlink()
    assert build(work).returncode == 0  # one package per table
    edit(
        work / "contracts" / "shop.odcs.yaml",
        "      - name: sku\n        logicalType: string\n        required: true\n",
        "",
    )
    refused = build(work, "--layout", "dataset")
    assert refused.returncode == REFUSED, refused.stderr
    assert "FIELD_REMOVED" in refused.stderr


def test_keyword_names_give_importable_packages(work: Path) -> None:
    shop = work / "contracts" / "shop.odcs.yaml"
    edit(shop, "  - name: line_items\n", "  - name: class\n")
    shop.rename(work / "contracts" / "import.odcs.yaml")
    assert build(work).returncode == 0
    init = (work / "generated/import_contract/import_contract/__init__.py").read_text()
    assert "from import_contract import (\n    class_contract,\n    orders,\n)" in init
    done = run_python(work, "import import_contract.class_contract as t; print(t.CONTRACT_NAME)")
    assert done.stdout == "class_contract\n", done.stderr


def test_the_spark_hint_names_the_datasets_distribution(work: Path) -> None:
    assert build(work).returncode == 0
    spark = (work / "generated/shop/shop/line_items/spark.py").read_text()
    assert "pip install 'shop[spark]'" in spark


def test_a_file_planted_in_a_package_fails_the_check(work: Path) -> None:
    assert build(work).returncode == 0
    planted = work / "generated/shop/shop/evil/__init__.py"
    planted.parent.mkdir()
    planted.write_text("import os\n")
    (work / "generated/shop/shop/orders/__pycache__").mkdir()
    (work / "generated/shop/shop/orders/__pycache__/frame.cpython-311.pyc").write_bytes(b"")
    check = build(work, "--check")
    assert check.returncode == 1
    assert check.stderr == (
        "generated/shop/shop/evil/__init__.py:1:1: error: this file is in a generated package but was "
        "not generated; Python would ship or import it\n"
        "  hint: remove it (changes belong in the contract or in --templates)\n"
        "error: generated holds files it did not generate: remove them\n"
    )
    again = build(work)  # a build warns and leaves it: it only ever touches files it wrote
    assert again.returncode == 0
    assert "warning: this file is in a generated package but was not generated" in again.stderr
    assert planted.is_file()


def test_bytecode_python_would_run_unchecked_fails_the_check(work: Path) -> None:
    import py_compile

    assert build(work).returncode == 0
    source = work / "evil.py"
    source.write_text("import os\n")
    cache = work / "generated/shop/shop/orders/__pycache__"
    cache.mkdir()
    py_compile.compile(
        str(source),
        str(cache / "frame.cpython-311.pyc"),
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
    )
    py_compile.compile(str(source), str(cache / "models.cpython-311.pyc"))  # a timestamp one: Python's own
    check = build(work, "--check")
    assert check.returncode == 1
    assert "generated/shop/shop/orders/__pycache__/frame.cpython-311.pyc:1:1: error" in check.stderr
    assert "models.cpython-311.pyc" not in check.stderr


def test_a_file_left_in_a_retired_package_folder_fails_the_check(work: Path) -> None:
    assert build(work).returncode == 0
    (work / "generated/shop/shop/evil.py").write_text("import os\n")
    (work / "generated/shop/polars.py").write_text("import os\n")  # beside pyproject.toml
    (work / "contracts" / "shop.odcs.yaml").unlink()
    assert build(work).returncode == 0
    check = build(work, "--check")
    assert check.returncode == 1
    assert "generated/shop/polars.py:1:1: error" in check.stderr
    assert "generated/shop/shop/evil.py:1:1: error" in check.stderr


def test_editor_and_tool_files_are_no_alarm_but_sourceless_bytecode_is(work: Path) -> None:
    import py_compile

    assert build(work).returncode == 0
    package = work / "generated/shop"
    for rel in (".DS_Store", "shop/.models.py.swp", ".venv/lib/x.py", "uv.lock", ".idea/workspace.xml"):
        (package / rel).parent.mkdir(parents=True, exist_ok=True)
        (package / rel).write_text("x\n")
    assert build(work, "--check").returncode == 0
    (work / "evil.py").write_text("import os\n")
    py_compile.compile(str(work / "evil.py"), str(package / "shop/evil.pyc"))  # runs without a source
    check = build(work, "--check")
    assert check.returncode == 1
    assert "generated/shop/shop/evil.pyc:1:1: error" in check.stderr

"""Build latency: what pre-commit pays on every commit, against a bare Typer command.

    .venv/bin/python benchmarks/build_latency.py [--runs 9] [--corpus ../shared/corpus]
                                                 [--datacontract PATH]

Every case runs in a fresh process (as pre-commit runs it), alternating cases, and reports the
median wall time. Ratios are against a bare Typer app with one command that does nothing, run the
same way in the same script: Typer's own start-up (it imports Click and Pydantic) is the floor.
The scaling cases build 1, 10, 100 and 1,000 generated tables in-process.

datacontract-cli, when installed (on PATH, or --datacontract PATH; it needs its own venv, since
its dependencies pin other versions), is measured beside ours in the same run: its start-up, and
its Pydantic export of the same four schemas (translated to ODCS v3: names, types, required,
descriptions), one process per contract as a hook would run it, and of AdventureWorks.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BARE_TYPER = """
import typer
app = typer.Typer()
@app.command()
def build(contracts: str = "contracts") -> None:
    pass
app()
"""


Case = tuple[list[list[str]], Path, Callable[[], None] | None]  # commands run in turn, folder, reset


def timed(commands: list[list[str]], cwd: Path, before: Callable[[], None] | None = None) -> float:
    if before is not None:
        before()
    start = time.perf_counter()
    for command in commands:
        subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


LOGICAL = {
    "string": "string",
    "enum": "string",
    "integer": "integer",
    "float": "number",
    "decimal": "number",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "date",
    "list": "array",
}


def odcs(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A contract's schema as ODCS v3, from its contract.json: what datacontract-cli exports from."""

    def prop(field: dict[str, Any]) -> dict[str, Any]:
        out = {
            "name": field["name"],
            "logicalType": LOGICAL[field["type"]["kind"]],
            "required": field.get("required", False),
        }
        if field["type"]["kind"] == "list":
            out["items"] = {"name": "item", "logicalType": "string"}
        if field.get("description"):
            out["description"] = field["description"]
        return out

    name = snapshot["data_source"]
    table = {"name": name, "logicalType": "object", "physicalType": "table"}
    return {
        "apiVersion": "v3.0.2",
        "kind": "DataContract",
        "id": name,
        "name": name,
        "version": snapshot["version"],
        "status": "active",
        "schema": [{**table, "properties": [prop(f) for f in snapshot["fields"]]}],
    }


def datacontract_cases(cli: str, work: Path, adventureworks: Path | None) -> dict[str, Case]:
    folder = work / "odcs"
    folder.mkdir()
    exports = []
    for snapshot in sorted(ROOT.glob("generated/*/contract.json")):
        target = folder / f"{snapshot.parent.name}.odcs.yaml"
        target.write_text(json.dumps(odcs(json.loads(snapshot.read_text())), indent=2))  # JSON is YAML
        exports.append([cli, "export", "pydantic-model", str(target)])
    cases: dict[str, Case] = {
        "datacontract-cli start-up (`datacontract --version`)": ([[cli, "--version"]], work, None),
        f"datacontract-cli Pydantic export, {len(exports)} contracts, one process each": (
            exports,
            work,
            None,
        ),
    }
    if adventureworks is not None:
        cases["datacontract-cli Pydantic export, AdventureWorks (68 tables)"] = (
            [[cli, "export", "pydantic-model", str(adventureworks)]],
            work,
            None,
        )
    return cases


def contract(n: int) -> str:
    fields = "\n".join(
        f"  column_{i}:\n    type: {('int32', 'string', 'date', 'decimal(10,2)', 'enum [a, b, c]')[i % 5]}\n"
        f"    required: {'true' if i % 2 else 'false'}\n    description: Column {i} of table {n}."
        for i in range(12)
    )
    return f"data_source: table_{n}\nversion: 1.0.0\nschema:\n{fields}\n"


def scaling(sizes: list[int]) -> list[tuple[int, float]]:
    """Full in-process build time for N generated tables of 12 columns each."""
    from contractgen.build import build

    out = []
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "contracts"
            folder.mkdir()
            for n in range(size):
                (folder / f"table_{n}.yaml").write_text(contract(n))
            start = time.perf_counter()
            result = build(folder, Path(tmp) / "generated")
            assert result.ok
            out.append((size, time.perf_counter() - start))
    return out


def generation_only(size: int) -> float:
    """Per table: load, plan and render in-process, without writing files (what a generator costs)."""
    from contractgen.codegen import render
    from contractgen.codegen.fingerprint import content_hash
    from contractgen.codegen.plan import plan
    from contractgen.export import to_json
    from contractgen.export.jsonschema import export as row_schema
    from contractgen.load import load_all

    env = render.environment(None)
    texts = [contract(n).encode() for n in range(size)]
    start = time.perf_counter()
    for data in texts:
        (loaded,), _ = load_all(data, "t.yaml")
        schema = to_json(row_schema(loaded).data)
        render.render(plan(loaded, "contracts/t.yaml", content_hash(data, b"")), env, json_schema=schema)
    return (time.perf_counter() - start) / size


def json_schema(size: int) -> dict[str, object]:
    kinds = [
        {"type": "integer"},
        {"type": "string"},
        {"type": "string", "format": "date"},
        {"type": "number"},
        {"enum": ["a", "b", "c"]},
    ]
    defs = {
        f"Table{n}": {
            "type": "object",
            "properties": {f"column_{i}": {**kinds[i % 5], "description": f"Column {i}."} for i in range(12)},
            "required": [f"column_{i}" for i in range(12) if i % 2],
        }
        for n in range(size)
    }
    return {
        "$defs": defs,
        "type": "object",
        "properties": {f"t{n}": {"$ref": f"#/$defs/Table{n}"} for n in range(size)},
    }


def datamodel_code_generator(size: int) -> float | None:
    """datamodel-code-generator, in-process, per model, on a schema of the same tables."""
    try:
        from datamodel_code_generator import DataModelType, InputFileType, generate
    except ImportError:
        return None
    import json

    schema = json.dumps(json_schema(size))
    start = time.perf_counter()
    generate(
        schema, input_file_type=InputFileType.JsonSchema, output_model_type=DataModelType.PydanticV2BaseModel
    )
    return (time.perf_counter() - start) / size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--sizes", default="1,10,100,1000")
    parser.add_argument("--datacontract", help="the datacontract executable, if not on PATH")
    args = parser.parse_args()
    exe = str(Path(sys.executable).parent / "contractgen")
    work = Path(tempfile.mkdtemp(prefix="contractgen-bench-"))
    try:
        (work / "bare.py").write_text(BARE_TYPER)
        four = work / "four"
        shutil.copytree(ROOT / "contracts", four / "contracts")
        cases: dict[str, Case] = {
            "bare Typer command (baseline)": ([[sys.executable, str(work / "bare.py")]], work, None),
            "contractgen build, no-op, 4 contracts": ([[exe, "build"]], four, None),
            "contractgen build, full, 4 contracts": (
                [[exe, "build"]],
                four,
                lambda: shutil.rmtree(four / "generated", ignore_errors=True),
            ),
        }
        aw = args.corpus / "odcs" / "postgresql-adventureworks-contract.odcs.yaml"
        if aw.exists():
            adventure = work / "aw"
            (adventure / "contracts").mkdir(parents=True)
            shutil.copy(aw, adventure / "contracts" / "adventureworks.yaml")
            cases["contractgen build, no-op, AdventureWorks (68 tables)"] = (
                [[exe, "build"]],
                adventure,
                None,
            )
            cases["contractgen build, full, AdventureWorks (68 tables)"] = (
                [[exe, "build"]],
                adventure,
                lambda: shutil.rmtree(adventure / "generated", ignore_errors=True),
            )
        datacontract = args.datacontract or shutil.which("datacontract")
        if datacontract:
            cases.update(datacontract_cases(datacontract, work, aw if aw.exists() else None))
        for commands, cwd, _ in cases.values():  # warm up, and make the no-op cases no-ops
            for command in commands:
                subprocess.run(command, cwd=cwd, check=True, capture_output=True)
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.runs):
            for name, (command, cwd, before) in cases.items():
                times[name].append(timed(command, cwd, before))
        base = statistics.median(times["bare Typer command (baseline)"])
        machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        print(f"# Build latency ({machine})")
        print(f"command: {' '.join(sys.argv)}; median of {args.runs} runs, each in a fresh process\n")
        print("| case | median | ratio to bare Typer |")
        print("|---|---|---|")
        for name, samples in times.items():
            median = statistics.median(samples)
            print(f"| {name} | {median * 1000:.0f} ms | {median / base:.2f}x |")
        dmcg_cli = shutil.which("datamodel-codegen", path=str(Path(sys.executable).parent))
        if dmcg_cli:
            (work / "four.json").write_text(json.dumps(json_schema(4)))
            cli = [
                dmcg_cli,
                "--input",
                "four.json",
                "--input-file-type",
                "jsonschema",
                "--output-model-type",
                "pydantic_v2.BaseModel",
            ]
            samples = [timed([cli], work) for _ in range(args.runs)]
            print(
                f"| datamodel-codegen CLI, 4-object schema | {statistics.median(samples) * 1000:.0f} ms | "
                f"{statistics.median(samples) / base:.2f}x |"
            )
        ours = generation_only(100)
        theirs = datamodel_code_generator(100)
        print("\n| generation cost per table, in-process, 100 tables of 12 columns | per table |")
        print("|---|---|")
        print(f"| contractgen: load + plan + render (models, frame, package files) | {ours * 1000:.2f} ms |")
        if theirs is not None:
            print(f"| datamodel-code-generator: JSON Schema to Pydantic v2 models | {theirs * 1000:.2f} ms |")
        sizes = [int(s) for s in args.sizes.split(",")]
        print("\n| tables (12 columns each) | full build, in-process | per table |")
        print("|---|---|---|")
        for size, seconds in scaling(sizes):
            print(f"| {size} | {seconds * 1000:.0f} ms | {seconds / size * 1000:.2f} ms |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Property tests: any names, descriptions and enum values give code that is safe and exact.

Budget: 60 examples for compile/import/literal checks (CONTRACTGEN_PROPERTY_EXAMPLES raises it
for a deeper local run), 30 through a user's template, 30 through ODCS input (every text field,
the version and the file name) and 4 for mypy, fixed so CI time is predictable. On failure
Hypothesis prints the falsifying example and a reproduction blob.
"""

from __future__ import annotations

import importlib
import itertools
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from contractgen.codegen import fingerprint, render
from contractgen.codegen.plan import plan
from contractgen.export import to_json
from contractgen.export.jsonschema import export as row_schema
from contractgen.load import load_all, load_bytes

SENTINEL = Path("/tmp/contractgen-property-sentinel")
HOSTILE = [
    '"""',
    "'''",
    "\\",
    '"); open("/tmp/contractgen-property-sentinel", "w")  #',
    "{{ 7 * 7 }}",
    "{% raw %}",
    "__import__('os').system('touch /tmp/contractgen-property-sentinel')",
    "\n",
    "\r\n",
    "\u202e",
    "\x00",
    "class",
    "model_config",
    "_pd",
    "SCHEMA",
    "None",
    "1st",
    "Ünïcödé",
    "名前",
]
text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=30),
    st.lists(st.sampled_from(HOSTILE), min_size=2, max_size=4).map("".join),
)
names = st.lists(text, min_size=1, max_size=5, unique=True).filter(lambda ns: all(n.strip() for n in ns))
counter = itertools.count()


def yaml_str(value: str) -> str:
    """A YAML double-quoted scalar for any text: printable characters as they are, the rest escaped."""
    out = []
    for ch in value:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif (
            0x20 <= code <= 0x7E
            or 0xA0 <= code <= 0xD7FF
            or (0xE000 <= code <= 0xFFFD and code != 0xFEFF)
            or code >= 0x10000
        ):
            out.append(ch)
        elif code <= 0xFF:
            out.append(f"\\x{code:02x}")
        else:
            out.append(f"\\u{code:04x}")
    return '"' + "".join(out) + '"'


def contract_yaml(data_source: str, fields: list[str], descriptions: list[str], values: list[str]) -> bytes:
    lines = [
        f"data_source: {data_source}",
        "version: 1.0.0",
        f"description: {yaml_str(descriptions[0])}",
        "schema:",
    ]
    for i, name in enumerate(fields):
        lines.append(f"  {yaml_str(name)}:")
        if i == 0:
            lines.append("    type: enum")
            lines.append(f"    values: [{', '.join(yaml_str(v) for v in values)}]")
        else:
            lines.append("    type: string")
        if i == 1:  # any text as a default, and as a pattern that matches exactly that text
            lines.append(f"    default: {yaml_str(descriptions[-1])}")
            lines.append(f"    pattern: {yaml_str(regex_escape(descriptions[-1]))}")
        lines.append(f"    description: {yaml_str(descriptions[i % len(descriptions)])}")
    return ("\n".join(lines) + "\n").encode()


def regex_escape(text: str) -> str:
    """Escape what is special to both Python's and Rust's regex syntax."""
    return "".join("\\" + ch if ch in "\\.+*?()|[]{}^$#&-~ " else ch for ch in text)


def generate(
    tmp: Path, fields: list[str], descriptions: list[str], values: list[str], templates: Path | None = None
) -> tuple[str, Path] | None:
    """Build one package from the texts; None when the loader rightly refuses them."""
    name = f"prop_pkg_{next(counter)}"
    source = contract_yaml(name, fields, descriptions, values)
    contract, diagnostics = load_bytes(source, "p.yaml")
    # The secret scanner may (rightly) refuse text that looks like a credential; nothing else may fail.
    if any("credential" in d.message or "looks like" in d.message for d in diagnostics):
        return None
    assert contract is not None, [d.render() for d in diagnostics]
    schema = to_json(row_schema(contract).data)
    files = render.render(
        plan(contract, "contracts/p.yaml", "0" * 16), render.environment(templates), json_schema=schema
    )
    root = tmp / name
    for rel, body in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(body, encoding="utf-8")
    return name, root


@settings(
    max_examples=int(os.environ.get("CONTRACTGEN_PROPERTY_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    print_blob=True,
)
@given(
    fields=names,
    descriptions=st.lists(text, min_size=1, max_size=3),
    values=st.lists(text, min_size=1, max_size=4, unique=True),
)
def test_any_text_compiles_imports_and_stays_literal(tmp_path, fields, descriptions, values):
    SENTINEL.unlink(missing_ok=True)
    built = generate(tmp_path, fields, descriptions, values)
    assume(built is not None)
    assert built is not None
    package, root = built
    for path in root.rglob("*.py"):
        compile(path.read_text("utf-8"), str(path), "exec")
    fmt = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--no-cache", "-q", "."],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert fmt.returncode == 0, fmt.stdout
    sys.path.insert(0, str(root))
    try:
        module = importlib.import_module(package)
        model = getattr(module, next(n for n in module.__all__ if n.startswith("PropPkg")))
        columns = [info.alias or attr for attr, info in model.model_fields.items()]
        assert columns == fields
        assert list(module.SCHEMA.names()) == fields
        described = [info.description for info in model.model_fields.values()]
        assert described == [descriptions[i % len(descriptions)] for i in range(len(fields))]
        if len(fields) > 1:
            second = list(model.model_fields.values())[1]
            assert second.default == descriptions[-1]
            patterns = [getattr(m, "pattern", None) for m in second.metadata]
            assert regex_escape(descriptions[-1]) in patterns
        constant = next(n for n in module.__all__ if n.endswith("_VALUES"))
        assert list(getattr(module, constant)) == values
        assert list(module.SCHEMA[fields[0]].categories) == values
    finally:
        sys.path.remove(str(root))
        for loaded in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
            del sys.modules[loaded]
    assert not SENTINEL.exists(), "text from a contract was executed"


@pytest.mark.parametrize("seed", range(4))
def test_any_text_passes_mypy_strict(tmp_path, seed):
    import random

    rng = random.Random(seed)
    fields = rng.sample(HOSTILE, 5)
    descriptions = rng.sample(HOSTILE, 3)
    values = rng.sample(HOSTILE, 4)
    built = generate(tmp_path, fields, descriptions, values)
    assert built is not None
    package, root = built
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir=/dev/null", package],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    print_blob=True,
)
@given(
    fields=names,
    descriptions=st.lists(text, min_size=1, max_size=2),
    values=st.lists(text, min_size=1, max_size=3, unique=True),
)
def test_user_templates_get_the_same_escaped_values(tmp_path, fields, descriptions, values):
    """A house template that puts the contract's description and title into its own code."""
    templates = tmp_path / "house"
    (templates / "package").mkdir(parents=True, exist_ok=True)
    builtin = (fingerprint.builtin_templates() / "package" / "models.py.jinja").read_text()
    (templates / "package" / "models.py.jinja").write_text(
        builtin
        + "\n\nCONTRACT_DESCRIPTION: _t.Final = {{ description_literal }}\n"
        + 'CONTRACT_TITLE_DOC: _t.Final = """{{ title }}"""\n'
    )
    SENTINEL.unlink(missing_ok=True)
    built = generate(tmp_path, fields, descriptions, values, templates)
    assume(built is not None)
    assert built is not None
    package, root = built
    models = (root / package / "models.py").read_text("utf-8")
    compile(models, "models.py", "exec")
    namespace: dict[str, object] = {}
    exec(compile(models, "models.py", "exec"), namespace)
    assert namespace["CONTRACT_DESCRIPTION"] == descriptions[0]
    assert not SENTINEL.exists(), "text from a contract was executed"


# Mostly versions that build (so the other texts reach the output); the rest must be refused.
semver = st.sampled_from(["1.0.0", "0.1.0-rc.1+build.5", "10.20.30-alpha-1", ""]).flatmap(
    lambda v: st.just(v) if v else st.one_of(text, text.map(lambda t: "1.0.0" + t))
)


def odcs_yaml(
    table: str,
    name: str,
    business: str | None,
    version: str,
    props: list[str],
    descriptions: list[str],
    values: list[str],
) -> bytes:
    lines = [
        "apiVersion: v3.0.2",
        "kind: DataContract",
        "id: 53581432-6c55-4ba2-a65f-72344a91553b",
        "status: active",
        f"name: {yaml_str(name)}",
        f"version: {yaml_str(version)}",
        "schema:",
        f"  - name: {yaml_str(table)}",
        f"    physicalName: {yaml_str(descriptions[-1])}",
        f"    description: {yaml_str(descriptions[0])}",
    ]
    if business is not None:
        lines.append(f"    businessName: {yaml_str(business)}")
    lines.append("    properties:")
    for i, prop in enumerate(props):
        lines += [
            f"      - name: {yaml_str(prop)}",
            "        logicalType: string",
            f"        physicalName: {yaml_str(prop)}",
            f"        businessName: {yaml_str(descriptions[i % len(descriptions)])}",
            f"        description: {yaml_str(descriptions[i % len(descriptions)])}",
            f"        examples: [{', '.join(yaml_str(v) for v in values)}]",
            "        quality:",
            "          - metric: invalidValues",
            f"            arguments: {{validValues: [{', '.join(yaml_str(v) for v in values)}]}}",
        ]
    return ("\n".join(lines) + "\n").encode()


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    print_blob=True,
)
@given(
    table=text,
    name=text,
    business=st.one_of(st.none(), text),
    version=semver,
    file_name=text,
    props=names,
    descriptions=st.lists(text, min_size=1, max_size=3),
    values=st.lists(text, min_size=1, max_size=3, unique=True),
)
def test_any_odcs_text_compiles_imports_and_stays_literal(
    tmp_path, table, name, business, version, file_name, props, descriptions, values
):
    """The same hostile texts through an ODCS file: names, descriptions, businessName,
    physicalName, enum values, the version and the file name never become code or TOML."""
    SENTINEL.unlink(missing_ok=True)
    shown = f"contracts/{file_name}.odcs.yaml"
    table = f"prop odcs {next(counter)} {table}"  # a fresh package each time, named after the text too
    source = odcs_yaml(table, name, business, version, props, descriptions, values)
    contracts, diagnostics = load_all(source, shown)
    errors = [d for d in diagnostics if d.severity == "error"]
    if errors:  # refused: only a version that is not semver, or text that looks like a credential
        assert all("semantic version" in d.message or "looks like" in d.message for d in errors), errors
        assert all(len(d.render().splitlines()) == 1 + (d.hint is not None) for d in errors)
        return
    (contract,) = contracts
    files = render.render(
        plan(contract, shown, "0" * 16),
        render.environment(None),
        json_schema=to_json(row_schema(contract).data),
    )
    root = tmp_path / contract.data_source
    for rel, body in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(body, encoding="utf-8")
    assert tomllib.loads(files["pyproject.toml"])["project"]["version"] == version
    for rel, body in files.items():
        if rel.endswith((".py", ".toml")):
            first = body.split("\n", 1)[0]
            assert first.startswith("# Code generated by contractgen") and first.endswith("DO NOT EDIT."), rel
        if rel.endswith(".py"):
            compile(body, rel, "exec")
    package = contract.data_source
    sys.path.insert(0, str(root))
    try:
        module = importlib.import_module(package)
        assert version == module.CONTRACT_VERSION
        assert list(module.SCHEMA.names()) == props
        (model,) = [
            m
            for m in vars(module.models).values()
            if isinstance(m, type) and m.__module__.endswith(".models")
        ]
        described = [info.description for info in model.model_fields.values()]
        assert described == [descriptions[i % len(descriptions)] for i in range(len(props))]
    finally:
        sys.path.remove(str(root))
        for loaded in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
            del sys.modules[loaded]
    assert not SENTINEL.exists(), "text from a contract was executed"

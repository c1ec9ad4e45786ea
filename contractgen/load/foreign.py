"""Formats contractgen does not read, recognised by their top-level keys.

A file in one of them would otherwise be read as a native contract and drown its author in
unknown-key errors; naming the format and the formats we do read says what to do instead.
"""

from __future__ import annotations

from contractgen.load.yamltree import Map, Node, Scalar, Seq

READ = (
    "contractgen contracts (data_source:), ODCS v3 (apiVersion: v3.x, kind: DataContract) "
    "and the Data Contract Specification (dataContractSpecification:)"
)


def foreign_hint() -> str:
    """What to write instead: the formats contractgen reads."""
    return f"contractgen reads {READ}"


def foreign_format(root: Node) -> str | None:  # noqa: PLR0911 -- one return per recognised format
    """The name of the format `root` looks like, if it is one we do not read."""
    if not isinstance(root, Map):
        return None
    keys = {k.text: v for k, v in root.items}

    def text(key: str) -> str:
        value = keys.get(key)
        return value.text if isinstance(value, Scalar) else ""

    if "openapi" in keys or "swagger" in keys:
        return "an OpenAPI document"
    if "asyncapi" in keys:
        return "an AsyncAPI document"
    if text("kind") == "DataContract" and text("apiVersion").lstrip("vV").startswith(("0.", "1.", "2.")):
        return f"an ODCS {text('apiVersion')} contract (ODCS before v3)"
    if "dataset" in keys and ("quantumName" in keys or "datasetName" in keys):
        return "an ODCS v2 contract (ODCS before v3)"
    if "data_source" in keys or "dataContractSpecification" in keys or "apiVersion" in keys:
        return None
    if text("type") == "record" and isinstance(keys.get("fields"), Seq):
        return "an Avro schema"
    if "$schema" in keys or (text("type") == "object" and isinstance(keys.get("properties"), Map)):
        return "a JSON Schema"
    if isinstance(keys.get("models"), Seq) or isinstance(keys.get("sources"), Seq):
        return "a dbt schema.yml"
    return None

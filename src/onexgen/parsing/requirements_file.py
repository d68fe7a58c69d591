"""Requirements files (YAML or JSON with the fields of ModelPRDRequirements) instead of a prompt.

Fields a file leaves out are derived the same way the prompt parser derives them (names from
each other, domain from the category), and every problem is reported as one readable line
naming the field, e.g. ``reqs.yaml: node_name: must be PascalCase such as 'OrderWriter'``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from onexgen.parsing.errors import RequirementsFileError
from onexgen.parsing.names import to_pascal_case, to_snake_case

if TYPE_CHECKING:
    from pathlib import Path

    from onexgen.models.requirements import ExplicitField, ModelPRDRequirements

_IDENTITY_FIELDS: tuple[ExplicitField, ...] = ("node_type", "node_name", "service_name", "domain")
_FIELD_HINTS: dict[str, str] = {
    "node_name": "must be PascalCase such as 'OrderWriter'",
    "service_name": "must be snake_case such as 'order_writer'",
    "domain": "must be snake_case such as 'billing'",
    "node_type": "must be one of effect, compute, reducer, orchestrator",
    "category": "must be one of database, cache, api, messaging, storage, ml, monitoring, "
    "security, workflow, data, general",
}


def _read_mapping(path: Path) -> dict[str, Any]:
    from onexgen.bounded_input import InputFileError, load_structured_file

    try:
        data = load_structured_file(path, "requirements file")
    except InputFileError as error:
        raise RequirementsFileError(str(error)) from None
    if not isinstance(data, dict):
        raise RequirementsFileError(
            f"{path}: expected a mapping of requirement fields (node_type, node_name, ...), "
            f"found {type(data).__name__}"
        )
    return {str(key): value for key, value in data.items()}


def requirements_from_mapping(
    data: dict[str, Any], *, source: str = "requirements"
) -> ModelPRDRequirements:
    """Validate a mapping of requirement fields, deriving the identity fields it leaves out."""
    from pydantic import ValidationError

    from onexgen.models.enums import EnumCategory
    from onexgen.models.requirements import ModelPRDRequirements

    values = dict(data)
    stated = [name for name in _IDENTITY_FIELDS if values.get(name) not in (None, "")]
    if isinstance(values.get("node_type"), str):
        values["node_type"] = values["node_type"].strip().lower().removesuffix("_generic")
    name = values.get("node_name")
    service = values.get("service_name")
    if not name and isinstance(service, str) and service:
        values["node_name"] = to_pascal_case(service)
    if not service and isinstance(values.get("node_name"), str) and values["node_name"]:
        values["service_name"] = to_snake_case(values["node_name"])
    if not values.get("domain"):
        category = values.get("category") or EnumCategory.GENERAL.value
        values["domain"] = str(category)
    if not values.get("business_description") and values.get("node_name"):
        kind = str(values.get("node_type") or "").capitalize()
        values["business_description"] = f"{kind} node {values['node_name']}".strip()
    for list_field in ("operations", "features", "external_systems", "dependencies"):
        if isinstance(values.get(list_field), list):
            values[list_field] = tuple(values[list_field])
    values.setdefault("explicit_fields", tuple(stated))
    try:
        return ModelPRDRequirements.model_validate(values)
    except ValidationError as error:
        first = error.errors()[0]
        location = ".".join(str(part) for part in first["loc"]) or "(top level)"
        if first["type"] == "missing":
            detail = "is required"
        elif first["type"] == "extra_forbidden":
            detail = "is not a requirements field (check the spelling)"
        else:
            detail = (
                _FIELD_HINTS.get(str(first["loc"][0]), first["msg"])
                if first["loc"]
                else first["msg"]
            )
            if first["type"] not in {"string_pattern_mismatch", "enum"}:
                detail = f"{first['msg']}"
        more = (
            f" (and {error.error_count() - 1} more problem(s))" if error.error_count() > 1 else ""
        )
        raise RequirementsFileError(f"{source}: {location}: {detail}{more}") from None


def load_requirements_file(path: Path) -> ModelPRDRequirements:
    """Read a YAML (``.yaml``/``.yml``) or JSON (``.json``) requirements file."""
    return requirements_from_mapping(_read_mapping(path), source=str(path))

"""The batch spec: many nodes in one YAML file, checked completely before anything is generated.

A spec that names a missing dependency, repeats a name or has a cycle would otherwise fail half-way
through a long run; here it fails in milliseconds with one line per problem that names the entry
and the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from onexgen.batch.scheduler import DependencyAwareScheduler, DependencyError
from onexgen.models.enums import EnumNodeKind
from onexgen.models.requirements import _PASCAL, _SNAKE, ModelPRDRequirements, SnakeName
from onexgen.models.strategy import EnumGenerationStrategy
from onexgen.models.validation import EnumValidationLevel


class BatchSpecError(ValueError):
    """The spec cannot be used; ``problems`` holds one readable line per problem."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = tuple(problems)
        lines = [f"{source}: {problem}" for problem in problems]
        super().__init__("\n".join(lines))


class ModelBatchDefaults(BaseModel):
    """Options shared by every node of the spec; command-line flags override each of them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    output_dir: Path | None = Field(
        default=None, description="Relative paths are taken from the spec file's directory."
    )
    validation: EnumValidationLevel | None = None
    strategy: EnumGenerationStrategy | None = Field(
        default=None,
        description="As --strategy (which overrides it): auto, jinja2, hybrid or llm; "
        "'template' (older specs) means jinja2.",
    )
    force: bool | None = None
    jobs: int | None = Field(default=None, ge=1, le=64)
    fail_fast: bool | None = None
    timeout_seconds: float | None = Field(default=None, gt=0)

    @field_validator("strategy", mode="before")
    @classmethod
    def _template_is_jinja2(cls, value: object) -> object:
        """Specs written when templates were the only strategy said ``template``."""
        if isinstance(value, str) and value.strip().lower() == "template":
            return EnumGenerationStrategy.JINJA2
        return value


class ModelBatchNodeSpec(BaseModel):
    """One node of the spec: a name, a prompt or requirements, and what it depends on."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: SnakeName
    prompt: str | None = Field(default=None, min_length=1, max_length=4000)
    requirements: ModelPRDRequirements | None = None
    node_type: EnumNodeKind | None = None
    depends_on: tuple[SnakeName, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _node_type_into_requirements(cls, data: Any) -> Any:
        """Let ``node_type`` at entry level stand in for the one inside ``requirements``."""
        if isinstance(data, dict):
            if data.get("prompt") is not None and data.get("requirements") is not None:
                # checked first: else the half-written requirements report missing fields
                raise ValueError("has both 'prompt' and 'requirements'; give exactly one of them")
            requirements = data.get("requirements")
            node_type = data.get("node_type")
            if (
                isinstance(requirements, dict)
                and node_type is not None
                and "node_type" not in requirements
            ):
                return {**data, "requirements": {**requirements, "node_type": node_type}}
        return data

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.prompt is None) == (self.requirements is None):
            raise ValueError("give exactly one of 'prompt' or 'requirements'")
        if (
            self.requirements is not None
            and self.node_type is not None
            and self.requirements.node_type is not self.node_type
        ):
            raise ValueError(
                f"node_type is '{self.node_type.value}' but requirements.node_type is "
                f"'{self.requirements.node_type.value}'; keep one of them"
            )
        if self.name in self.depends_on:
            raise ValueError(f"node '{self.name}' depends on itself")
        if len(set(self.depends_on)) != len(self.depends_on):
            raise ValueError("depends_on lists a name twice")
        return self


class ModelBatchSpec(BaseModel):
    """A whole spec: shared defaults and the nodes, in the order they were written."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    defaults: ModelBatchDefaults = Field(default_factory=ModelBatchDefaults)
    nodes: tuple[ModelBatchNodeSpec, ...] = Field(min_length=1)

    def node(self, name: str) -> ModelBatchNodeSpec:
        """The entry called ``name`` (KeyError when there is none)."""
        for entry in self.nodes:
            if entry.name == name:
                return entry
        raise KeyError(name)

    def scheduler(self) -> DependencyAwareScheduler:
        """The dependency graph of the spec, ready to be staged."""
        return DependencyAwareScheduler({n.name: n.depends_on for n in self.nodes})


def _entry_label(raw: Any, loc: tuple[int | str, ...]) -> tuple[str, tuple[int | str, ...]]:
    """``nodes[2] ('orders')`` for a location inside the nodes list, plus the rest of the path."""
    if len(loc) >= 2 and loc[0] == "nodes" and isinstance(loc[1], int):
        index = loc[1]
        label = f"nodes[{index}]"
        nodes = raw.get("nodes") if isinstance(raw, dict) else None
        if isinstance(nodes, list) and index < len(nodes) and isinstance(nodes[index], dict):
            name = nodes[index].get("name")
            if isinstance(name, str):
                label += f" ('{name}')"
        return label, loc[2:]
    return "", loc


def _field_path(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _pattern_hint(value: object, pattern: str) -> str:
    """Say which naming style was expected instead of echoing a regular expression."""
    if pattern == _SNAKE.pattern:
        return f"{value!r} must be snake_case, e.g. 'orders_writer'"
    if pattern == _PASCAL.pattern:
        return f"{value!r} must be PascalCase, e.g. 'OrdersWriter'"
    return f"{value!r} does not match {pattern}"


def _describe_errors(raw: Any, exc: ValidationError) -> list[str]:
    """One line per pydantic error: which entry, which field, what is wrong."""
    problems: list[str] = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        if error["type"] == "too_short" and loc == ("nodes",) and raw.get("nodes"):
            continue  # pydantic's echo of failed entries; they are reported one by one
        label, rest = _entry_label(raw, loc)
        field = _field_path(rest)
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown field (check its spelling)"
        elif error["type"] == "missing":
            message = "required field is missing"
        elif loc == ("defaults", "strategy"):
            message = (
                f"{error['input']!r} is not a strategy: use 'auto', 'jinja2', 'hybrid' or 'llm' "
                "(as --strategy; 'template' is an old name for 'jinja2'), or leave it out"
            )
        elif error["type"] == "string_pattern_mismatch":
            message = _pattern_hint(error["input"], str(error.get("ctx", {}).get("pattern", "")))
        where = ": ".join(part for part in (label, field) if part)
        problems.append(f"{where}: {message}" if where else message)
    return problems


def parse_batch_spec(raw: Any, source: str = "<spec>") -> ModelBatchSpec:
    """Validate already-loaded YAML data; raise :class:`BatchSpecError` listing every problem."""
    if not isinstance(raw, dict):
        raise BatchSpecError(source, ["the spec must be a mapping with a top-level 'nodes:' list"])
    if "nodes" not in raw:
        raise BatchSpecError(source, ["missing the top-level 'nodes:' list"])
    if not isinstance(raw["nodes"], list):
        raise BatchSpecError(source, ["'nodes:' must be a list of entries"])
    if not raw["nodes"]:
        raise BatchSpecError(source, ["'nodes:' is empty; list at least one node"])
    try:
        spec = ModelBatchSpec.model_validate(raw)
    except ValidationError as exc:
        raise BatchSpecError(source, _describe_errors(raw, exc)) from None
    problems: list[str] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(spec.nodes):
        if entry.name in seen:
            problems.append(
                f"nodes[{index}] ('{entry.name}'): name: '{entry.name}' is already used by "
                f"nodes[{seen[entry.name]}]; names must be unique"
            )
        else:
            seen[entry.name] = index
    if problems:
        raise BatchSpecError(source, problems)
    for index, entry in enumerate(spec.nodes):
        for dep in entry.depends_on:
            if dep not in seen:
                problems.append(
                    f"nodes[{index}] ('{entry.name}'): depends_on: node '{entry.name}' depends "
                    f"on '{dep}', which is not in the spec"
                )
    if problems:
        raise BatchSpecError(source, problems)
    try:
        spec.scheduler().validate()
    except DependencyError as exc:
        raise BatchSpecError(source, [str(exc)]) from None
    return spec


def load_batch_spec(path: Path) -> ModelBatchSpec:
    """Read and validate a spec file; relative ``defaults.output_dir`` is resolved beside it."""
    from onexgen.bounded_input import InputFileError, load_structured_file

    source = str(path)
    try:
        raw = load_structured_file(path, "batch spec")
    except InputFileError as exc:
        message = str(exc)
        raise BatchSpecError(source, [message.removeprefix(f"{source}: ")]) from None
    spec = parse_batch_spec(raw, source)
    output_dir = spec.defaults.output_dir
    if output_dir is not None and not output_dir.is_absolute():
        defaults = spec.defaults.model_copy(update={"output_dir": path.parent / output_dir})
        spec = spec.model_copy(update={"defaults": defaults})
    return spec


__all__ = [
    "BatchSpecError",
    "ModelBatchDefaults",
    "ModelBatchNodeSpec",
    "ModelBatchSpec",
    "load_batch_spec",
    "parse_batch_spec",
]


def named_after_entry(
    entry: ModelBatchNodeSpec, requirements: ModelPRDRequirements
) -> ModelPRDRequirements:
    """The node is called what its entry is called, unless the request states another name.

    A prompt entry's name is the user's name for the node, so it is the service name (and, in
    PascalCase, the node name); a name stated in the prompt ("called X") or in the entry's
    requirements wins. Entry names are unique, so entries never collide by accident.
    """
    stated = {"node_name", "service_name"} & set(requirements.explicit_fields)
    if entry.prompt is None or stated:
        return requirements
    pascal = "".join(part[:1].upper() + part[1:] for part in entry.name.split("_") if part)
    explicit = tuple(dict.fromkeys((*requirements.explicit_fields, "node_name", "service_name")))
    confidence = requirements.field_confidence.model_copy(update={"node_name": 1.0})
    return ModelPRDRequirements.model_validate(
        {
            **requirements.model_dump(),
            "node_name": pascal,
            "service_name": entry.name,
            "explicit_fields": explicit,
            "field_confidence": confidence.model_dump(),
        }
    )

"""ONEX compliance (30%): names, the real omnibase_core base, the exact ``process`` signature,
ModelOnexError handling, and agreement between ``contract.yaml`` and the code.

Everything here is read from the AST, so it runs at the ``basic`` level in milliseconds and also
works on hand-edited nodes that no longer import cleanly. ``onex validate --strict`` (the
ecosystem's own checker) is added at the ``strict`` level.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from onexgen.models.enums import EnumNodeKind
from onexgen.models.validation import EnumIssueSeverity, EnumValidationComponent
from onexgen.validation.python_ast import (
    annotation_root,
    find_class,
    guarded_imports,
    methods,
    module_files,
    package_parts,
    top_level_names,
)
from onexgen.validation.scoring import ComponentOutcome
from onexgen.validation.tools import run_tool

if TYPE_CHECKING:
    from onexgen.validation.layout import NodeLayout, ParsedFile
    from onexgen.validation.workspace import Workspace

CRITICAL = EnumIssueSeverity.CRITICAL
ERROR = EnumIssueSeverity.ERROR
WARNING = EnumIssueSeverity.WARNING
ONEX_TIMEOUT_SECONDS = 120.0


@dataclass(frozen=True)
class KindSpec:
    """What omnibase_core expects of one node kind."""

    base: str
    generic: bool
    input_model: str
    output_model: str
    signature: str


KIND_SPECS: dict[EnumNodeKind, KindSpec] = {
    EnumNodeKind.EFFECT: KindSpec(
        "NodeEffect",
        False,
        "ModelEffectInput",
        "ModelEffectOutput",
        "async def process(self, input_data: ModelEffectInput) -> ModelEffectOutput",
    ),
    EnumNodeKind.COMPUTE: KindSpec(
        "NodeCompute",
        True,
        "ModelComputeInput",
        "ModelComputeOutput",
        "async def process(self, input_data: ModelComputeInput[TIn]) -> ModelComputeOutput[TOut]",
    ),
    EnumNodeKind.REDUCER: KindSpec(
        "NodeReducer",
        True,
        "ModelReducerInput",
        "ModelReducerOutput",
        "async def process(self, input_data: ModelReducerInput[TIn], "
        "projection_intents: tuple[ModelProjectionIntent, ...] = ()) -> ModelReducerOutput[TOut]",
    ),
    EnumNodeKind.ORCHESTRATOR: KindSpec(
        "NodeOrchestrator",
        False,
        "ModelOrchestratorInput",
        "ModelOrchestratorOutput",
        "async def process(self, input_data: ModelOrchestratorInput) -> ModelOrchestratorOutput",
    ),
}

_BASES = {spec.base: kind for kind, spec in KIND_SPECS.items()}
_LEGACY_ENTRY_POINTS = (
    "execute_effect",
    "execute_compute",
    "execute_reduction",
    "execute_orchestration",
    "run",
    "execute",
    "handle",
)
_REQUIRED_CONTRACT_FIELDS = (
    "name",
    "contract_version",
    "node_version",
    "node_type",
    "description",
    "input_model",
    "output_model",
    "handler_routing",
)
_BUILTIN_RAISES = frozenset({"Exception", "ValueError", "RuntimeError", "TypeError", "KeyError"})
_ONEX_LINE = re.compile(r"^\s*- (?P<file>[^:\s]+):\s*(?:Line (?P<line>\d+):\s*)?(?P<msg>.*)$")


def check_onex_compliance(layout: NodeLayout) -> ComponentOutcome:
    """All AST-level ONEX checks of one node."""
    outcome = ComponentOutcome(EnumValidationComponent.ONEX_COMPLIANCE)
    _check_syntax(layout, outcome)
    _check_package_name(layout, outcome)
    _check_node_class(layout, outcome)
    _check_contract(layout, outcome)
    _check_imports(layout, outcome)
    _check_error_handling(layout, outcome)
    return outcome


def _check_syntax(layout: NodeLayout, outcome: ComponentOutcome) -> None:
    for parsed in layout.files:
        error = parsed.syntax_error
        if error is None:
            continue
        outcome.add(
            CRITICAL,
            "ONEX001",
            f"syntax error: {error.msg}",
            f"Fix the syntax at line {error.lineno} ({error.msg}); "
            "the file must compile before any other check can run on it.",
            file=parsed.rel,
            line=error.lineno,
            column=error.offset,
        )


def _check_package_name(layout: NodeLayout, outcome: ComponentOutcome) -> None:
    if layout.kind is None or not layout.package.endswith(f"_{layout.kind.value}"):
        outcome.add(
            ERROR,
            "ONEX002",
            f"directory name {layout.package!r} is not node_<name>_<kind>",
            "Rename the directory to node_<snake_name>_<effect|compute|reducer|orchestrator>, "
            "e.g. node_postgres_writer_effect.",
        )


def _check_node_class(layout: NodeLayout, outcome: ComponentOutcome) -> None:
    node_file = layout.file("node.py")
    if node_file is None:
        outcome.add(
            CRITICAL,
            "ONEX010",
            "node.py is missing",
            f"Create node.py with class {layout.class_name} subclassing the omnibase_core base.",
            file="node.py",
        )
        return
    if node_file.tree is None or layout.kind is None:
        return
    spec = KIND_SPECS[layout.kind]
    cls = find_class(node_file.tree, layout.class_name)
    if cls is None:
        others = [
            node.name
            for node in node_file.tree.body
            if isinstance(node, ast.ClassDef) and node.name.startswith("Node")
        ]
        if not others:
            outcome.add(
                CRITICAL,
                "ONEX011",
                f"node.py defines no class {layout.class_name}",
                f"Define `class {layout.class_name}({_base_text(spec)}):` in node.py.",
                file="node.py",
            )
            return
        cls = find_class(node_file.tree, others[0])
        assert cls is not None
        outcome.add(
            ERROR,
            "ONEX011",
            f"node class is named {cls.name}, expected {layout.class_name}",
            f"Rename class {cls.name} to {layout.class_name} (Node<Pascal><Kind>) and update "
            "its imports.",
            file="node.py",
            line=cls.lineno,
        )
    _check_base(node_file, cls, spec, layout.kind, outcome)
    _check_process(node_file, cls, spec, outcome)


def _base_text(spec: KindSpec) -> str:
    return f"{spec.base}[TIn, TOut]" if spec.generic else spec.base


def _omnibase_node_imports(tree: ast.Module) -> dict[str, str]:
    """Local name -> omnibase_core base name, for bases imported from ``omnibase_core.nodes``."""
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "omnibase_core.nodes"
        ):
            for alias in node.names:
                if alias.name in _BASES:
                    found[alias.asname or alias.name] = alias.name
    return found


def _check_base(
    parsed: ParsedFile,
    cls: ast.ClassDef,
    spec: KindSpec,
    kind: EnumNodeKind,
    outcome: ComponentOutcome,
) -> None:
    assert parsed.tree is not None
    imported = _omnibase_node_imports(parsed.tree)
    for base in cls.bases:
        root = annotation_root(base)
        real = imported.get(root)
        if real is None and isinstance(base, ast.Attribute | ast.Subscript):
            text = ast.unparse(base)
            real = root if text.startswith("omnibase_core.") and root in _BASES else None
        if real is None:
            continue
        if _BASES[real] is not kind:
            outcome.add(
                ERROR,
                "ONEX012",
                f"{cls.name} subclasses {real}, but this is a {kind.value} node",
                f"Subclass {_base_text(spec)} from omnibase_core.nodes, or rename the node "
                f"for kind {_BASES[real].value}.",
                file=parsed.rel,
                line=cls.lineno,
            )
        elif spec.generic and not isinstance(base, ast.Subscript):
            outcome.add(
                ERROR,
                "ONEX013",
                f"{cls.name} subclasses bare {real}; mypy --strict rejects a missing type argument",
                f"Parameterise the base: `class {cls.name}({spec.base}[YourInput, YourOutput]):`.",
                file=parsed.rel,
                line=cls.lineno,
            )
        return
    outcome.add(
        CRITICAL,
        "ONEX012",
        f"{cls.name} does not subclass omnibase_core's {spec.base}",
        f"Add `from omnibase_core.nodes import {spec.base}` and declare "
        f"`class {cls.name}({_base_text(spec)}):`.",
        file=parsed.rel,
        line=cls.lineno,
    )


def _check_process(
    parsed: ParsedFile, cls: ast.ClassDef, spec: KindSpec, outcome: ComponentOutcome
) -> None:
    defined = methods(cls)
    process = defined.get("process")
    if process is None and not defined:
        # The framework's documented "zero custom code" form: the base class runs the node and
        # the contract's handler / handler_routing bind the logic (checked by _check_handler).
        return
    if process is None:
        candidates = [
            name
            for name in sorted(defined)
            if name in _LEGACY_ENTRY_POINTS or name.startswith("process")
        ]
        hint = (
            f"rename {candidates[0]}() to process() with the exact signature"
            if candidates
            else "add the process() override"
        )
        outcome.add(
            CRITICAL,
            "ONEX014",
            f"{cls.name} does not override process(); the runtime never calls "
            + (", ".join(f"{name}()" for name in candidates) or "anything else"),
            f"{hint[:1].upper()}{hint[1:]}: `{spec.signature}`.",
            file=parsed.rel,
            line=cls.lineno,
        )
        return
    problems: list[str] = []
    if not isinstance(process, ast.AsyncFunctionDef):
        problems.append("it is not async")
    args = process.args
    positional = [*args.posonlyargs, *args.args]
    names = [arg.arg for arg in positional]
    expected_names = ["self", "input_data"]
    if spec.base == "NodeReducer":
        expected_names.append("projection_intents")
    if names != expected_names:
        problems.append(
            f"parameters are ({', '.join(names)}), expected ({', '.join(expected_names)})"
        )
    elif annotation_root(positional[1].annotation) != spec.input_model:
        problems.append(f"input_data must be annotated {spec.input_model}")
    if spec.base == "NodeReducer" and len(positional) == 3 and not args.defaults:
        problems.append("projection_intents must keep its default ()")
    if args.vararg or args.kwarg or args.kwonlyargs:
        problems.append("it takes extra *args/**kwargs/keyword-only parameters")
    if annotation_root(process.returns) != spec.output_model:
        problems.append(f"it must return {spec.output_model}")
    if problems:
        outcome.add(
            ERROR,
            "ONEX015",
            f"{cls.name}.process() does not match the base signature: {'; '.join(problems)}",
            f"Use exactly `{spec.signature}`.",
            file=parsed.rel,
            line=process.lineno,
        )
    for name in sorted(defined):
        if name in _LEGACY_ENTRY_POINTS[:4]:
            outcome.add(
                WARNING,
                "ONEX018",
                f"{cls.name}.{name}() is a legacy entry point that omnibase_core never calls",
                f"Move the logic of {name}() into process() or the handler and delete it.",
                file=parsed.rel,
                line=defined[name].lineno,
            )


def _check_error_handling(layout: NodeLayout, outcome: ComponentOutcome) -> None:
    node_file = layout.file("node.py")
    overrides = node_file is not None and any(
        isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(node_file.tree or ast.Module(body=[], type_ignores=[]))
    )
    # a zero-custom-code node.py has nothing that could fail; its handler reports failures
    if node_file is not None and node_file.tree is not None and overrides:
        raises_onex = any(
            isinstance(node, ast.Raise)
            and node.exc is not None
            and annotation_root(node.exc.func if isinstance(node.exc, ast.Call) else node.exc)
            == "ModelOnexError"
            for node in ast.walk(node_file.tree)
        )
        if not raises_onex:
            outcome.add(
                WARNING,
                "ONEX016",
                "node.py never raises ModelOnexError; process() must report failures with it",
                "Wrap failures in process(): `raise ModelOnexError(message, "
                "error_code=EnumCoreErrorCode.OPERATION_FAILED) from exc` "
                "(from omnibase_core.errors / omnibase_core.enums).",
                file="node.py",
            )
    for parsed in layout.source_files:
        if parsed.tree is None:
            continue
        for node in ast.walk(parsed.tree):
            if isinstance(node, ast.Raise) and node.exc is not None:
                target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                name = annotation_root(target)
                if name in _BUILTIN_RAISES:
                    outcome.add(
                        WARNING,
                        "ONEX017",
                        f"raises built-in {name} instead of ModelOnexError",
                        f"Raise ModelOnexError(message, error_code=EnumCoreErrorCode.X) instead "
                        f"of {name} so callers get a structured ONEX error.",
                        file=parsed.rel,
                        line=node.lineno,
                    )
            elif isinstance(node, ast.ExceptHandler) and node.type is None:
                outcome.add(
                    WARNING,
                    "ONEX019",
                    "bare `except:` swallows every error, including cancellation",
                    "Catch the specific exceptions and re-raise them as ModelOnexError.",
                    file=parsed.rel,
                    line=node.lineno,
                )


def _check_contract(layout: NodeLayout, outcome: ComponentOutcome) -> None:
    if layout.contract is None:
        outcome.add(
            CRITICAL,
            "ONEX020",
            layout.contract_error or "contract.yaml cannot be read",
            "Provide a contract.yaml mapping with name, contract_version, node_version, "
            "node_type, description, input_model, output_model and handler_routing.",
            file="contract.yaml",
        )
        return
    contract = layout.contract
    for field in _REQUIRED_CONTRACT_FIELDS:
        if field not in contract:
            outcome.add(
                ERROR,
                "ONEX023",
                f"contract.yaml has no {field!r}",
                f"Add the {field!r} field (see omnibase_core's contract fields).",
                file="contract.yaml",
            )
    name = contract.get("name")
    if name is not None and name != layout.package:
        outcome.add(
            ERROR,
            "ONEX021",
            f"contract name {name!r} does not match the package {layout.package!r}",
            f"Set `name: {layout.package}` in contract.yaml (or rename the directory).",
            file="contract.yaml",
            line=layout.contract_line("name"),
        )
    if layout.kind is not None and "node_type" in contract:
        expected = layout.kind.contract_node_type
        if contract.get("node_type") != expected:
            outcome.add(
                ERROR,
                "ONEX022",
                f"contract node_type is {contract.get('node_type')!r}, expected {expected!r}",
                f"Set `node_type: {expected}` in contract.yaml.",
                file="contract.yaml",
                line=layout.contract_line("node_type"),
            )
    for field in ("input_model", "output_model"):
        ref = _dotted_ref(contract.get(field))
        if ref is not None:
            _check_reference(layout, outcome, field, ref[0], ref[1])
    _check_handler(layout, outcome, contract)


def _dotted_ref(value: Any) -> tuple[str, str] | None:
    """``pkg.models.model_x.ModelX`` or ``{name, module}`` -> (module, class)."""
    if isinstance(value, dict):
        module, name = value.get("module"), value.get("name")
        if isinstance(module, str) and isinstance(name, str):
            return module, name
        return None
    if isinstance(value, str) and "." in value:
        module, _, name = value.rpartition(".")
        return module, name
    return None


def _check_reference(
    layout: NodeLayout, outcome: ComponentOutcome, field: str, module: str, name: str
) -> None:
    parts = module.split(".")
    if layout.package in parts:
        # inside an ONEX project the path is rooted above the package (<pkg>.nodes.<package>...)
        parts = parts[parts.index(layout.package) :]
    if parts[0] != layout.package:
        if importlib.util.find_spec(parts[0]) is None:
            outcome.add(
                ERROR,
                "ONEX024",
                f"contract {field} refers to {module}.{name}, but {parts[0]!r} is not importable",
                f"Point {field} at a model inside {layout.package} "
                f"(e.g. {layout.package}.models.model_x.ModelX).",
                file="contract.yaml",
                line=layout.contract_line(field),
            )
        return
    parsed = _module_file(layout, parts[1:])
    if parsed is None:
        outcome.add(
            ERROR,
            "ONEX024",
            f"contract {field} refers to module {module}, which does not exist",
            f"Create {module_files(parts[1:])[0]} defining class {name}, or fix {field} "
            "in contract.yaml.",
            file="contract.yaml",
            line=layout.contract_line(field),
        )
        return
    if parsed.tree is not None and name not in top_level_names(parsed.tree):
        outcome.add(
            ERROR,
            "ONEX024",
            f"contract {field} refers to {name}, which {parsed.rel} does not define",
            f"Define class {name} in {parsed.rel}, or fix {field} in contract.yaml.",
            file="contract.yaml",
            line=layout.contract_line(field),
        )


def _module_file(layout: NodeLayout, parts: list[str]) -> ParsedFile | None:
    for rel in module_files(parts):
        parsed = layout.file(rel)
        if parsed is not None:
            return parsed
    return None


def _check_handler(layout: NodeLayout, outcome: ComponentOutcome, contract: dict[str, Any]) -> None:
    handler_rel = layout.handler_file
    handler_cls_name = layout.handler_class
    routing = contract.get("handler_routing")
    if isinstance(routing, dict) and isinstance(routing.get("default_handler"), str):
        module, _, cls_name = str(routing["default_handler"]).partition(":")
        parts = module.split(".")
        if layout.package in parts:
            # "<root>.<package>.handlers.x", "<package>.handlers.x" and "handlers.x" all name it
            parts = parts[parts.index(layout.package) + 1 :]
        if cls_name and _module_file(layout, parts) is not None:
            handler_rel = module_files(parts)[0]
            handler_cls_name = cls_name
    handler_file = layout.file(handler_rel)
    if handler_file is None:
        outcome.add(
            ERROR,
            "ONEX025",
            f"handler module {handler_rel} is missing",
            f"Create {handler_rel} with class {handler_cls_name}, one async method per "
            "contract operation.",
            file=handler_rel,
        )
        return
    if handler_file.tree is None:
        return
    cls = find_class(handler_file.tree, handler_cls_name)
    if cls is None:
        outcome.add(
            ERROR,
            "ONEX025",
            f"{handler_rel} defines no class {handler_cls_name}",
            f"Define class {handler_cls_name} in {handler_rel} (contract handler_routing "
            "names it).",
            file=handler_rel,
        )
        return
    defined = methods(cls)
    operations = contract.get("operations")
    if not isinstance(operations, list):
        return
    for operation in operations:
        op_name = operation.get("name") if isinstance(operation, dict) else operation
        if not isinstance(op_name, str):
            continue
        method = defined.get(f"handle_{op_name}") or defined.get(op_name)
        if method is None:
            outcome.add(
                ERROR,
                "ONEX026",
                f"contract operation {op_name!r} has no handler method {handler_cls_name}."
                f"{op_name}() or .handle_{op_name}()",
                f"Add `async def {op_name}(self, request: <InputModel>) -> <OutputModel>:` to "
                f"{handler_cls_name} in {handler_rel}, or remove {op_name!r} from the "
                f"contract's operations (contract.yaml line "
                f"{layout.contract_line('operations', op_name) or '?'}).",
                file=handler_rel,
                line=cls.lineno,
            )
        elif not isinstance(method, ast.AsyncFunctionDef):
            outcome.add(
                WARNING,
                "ONEX026",
                f"handler method {handler_cls_name}.{op_name}() is not async",
                f"Declare it `async def {op_name}(...)`; the node awaits handler methods.",
                file=handler_rel,
                line=method.lineno,
            )


def _check_imports(layout: NodeLayout, outcome: ComponentOutcome) -> None:
    for parsed in layout.files:
        if parsed.tree is None:
            continue
        guarded = guarded_imports(parsed.tree)
        for node in ast.walk(parsed.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    _check_absolute(
                        layout,
                        outcome=outcome,
                        parsed=parsed,
                        module=alias.name,
                        names=[],
                        node=node,
                        guarded=guarded,
                    )
            elif isinstance(node, ast.ImportFrom):
                names = [alias.name for alias in node.names]
                if node.level:
                    base = package_parts(parsed.rel)
                    if node.level - 1 > len(base):
                        outcome.add(
                            ERROR,
                            "ONEX030",
                            f"relative import goes above the package ({'.' * node.level}"
                            f"{node.module or ''})",
                            "Use fewer leading dots so the import stays inside the node package.",
                            file=parsed.rel,
                            line=node.lineno,
                        )
                        continue
                    target = base[: len(base) - (node.level - 1)]
                    target += (node.module or "").split(".") if node.module else []
                    _check_local(
                        layout, outcome=outcome, parsed=parsed, parts=target, names=names, node=node
                    )
                elif node.module and node.module != "__future__":
                    _check_absolute(
                        layout,
                        outcome=outcome,
                        parsed=parsed,
                        module=node.module,
                        names=names,
                        node=node,
                        guarded=guarded,
                    )


def _check_absolute(
    layout: NodeLayout,
    *,
    outcome: ComponentOutcome,
    parsed: ParsedFile,
    module: str,
    names: list[str],
    node: ast.stmt,
    guarded: set[int],
) -> None:
    parts = module.split(".")
    if parts[0] == layout.package:
        _check_local(
            layout, outcome=outcome, parsed=parsed, parts=parts[1:], names=names, node=node
        )
        return
    if node.lineno in guarded or importlib.util.find_spec(parts[0]) is not None:
        return
    outcome.add(
        ERROR,
        "ONEX032",
        f"import of missing module {module!r}: {parts[0]!r} is not installed",
        f"Install it (`uv add {parts[0].replace('_', '-')}`) and list it in the node's "
        f"dependencies, or remove the import of {module!r}.",
        file=parsed.rel,
        line=node.lineno,
    )


def _check_local(
    layout: NodeLayout,
    *,
    outcome: ComponentOutcome,
    parsed: ParsedFile,
    parts: list[str],
    names: list[str],
    node: ast.stmt,
) -> None:
    dotted = ".".join([layout.package, *parts])
    target = _module_file(layout, parts)
    if target is None:
        outcome.add(
            ERROR,
            "ONEX030",
            f"import of missing module {dotted!r}",
            f"Create {module_files(parts)[0]} or correct the import in {parsed.rel}.",
            file=parsed.rel,
            line=node.lineno,
        )
        return
    if target.tree is None:
        return
    defined = top_level_names(target.tree)
    for name in names:
        if name == "*" or name in defined or _module_file(layout, [*parts, name]) is not None:
            continue
        outcome.add(
            ERROR,
            "ONEX031",
            f"{dotted} has no name {name!r}",
            f"Define {name} in {target.rel} or import it from the module that defines it.",
            file=parsed.rel,
            line=node.lineno,
        )


async def run_onex_validate(workspace: Workspace, outcome: ComponentOutcome) -> None:
    """``onex --verbose validate --strict`` on the node copy; each reported problem is an issue."""
    run = await run_tool(
        "onex",
        ["--verbose", "validate", "--strict", workspace.package],
        cwd=workspace.root,
        timeout=ONEX_TIMEOUT_SECONDS,
    )
    outcome.tools.append("onex validate --strict")
    if run.timed_out:
        add_onex_timeout(outcome, ONEX_TIMEOUT_SECONDS)
        return
    found = add_onex_findings(outcome, run.stdout, f"{workspace.package}/")
    if run.returncode != 0 and found == 0:
        tail = (run.stderr.strip() or run.stdout.strip()).splitlines()[-3:]
        add_onex_failure(outcome, " | ".join(tail) or f"exit {run.returncode}")


def add_onex_findings(outcome: ComponentOutcome, output: str, prefix: str) -> int:
    """Add one ONEX041 error per problem ``onex --verbose validate`` printed; return the count.

    ``output`` is the tool's stdout for one node (batched validation passes each node's section)
    and ``prefix`` (``<package>/``) is stripped from the reported paths, so files are named
    relative to the node whichever way the tool was run.
    """
    reported = parse_onex_output(output, prefix)
    for file, line, message in reported:
        outcome.add(
            ERROR,
            "ONEX041",
            f"onex validate --strict: {message}",
            onex_fix(message, file),
            file=file,
            line=line,
        )
    return len(reported)


def add_onex_failure(outcome: ComponentOutcome, detail: str) -> None:
    """ONEX040: ``onex validate`` failed without naming a problem we could attribute."""
    outcome.add(
        ERROR,
        "ONEX040",
        f"onex validate --strict failed: {detail}",
        "Run `onex --verbose validate --strict <node_dir>` and fix what it reports.",
    )


def add_onex_timeout(outcome: ComponentOutcome, timeout_seconds: float) -> None:
    """ONEX040: ``onex validate`` was killed at its timeout, so the node is not known to pass."""
    outcome.add(
        ERROR,
        "ONEX040",
        f"onex validate --strict did not finish within {timeout_seconds:g} s",
        "Run `onex --verbose validate --strict <node_dir>` by hand to see where it stalls.",
    )


def parse_onex_output(stdout: str, prefix: str) -> list[tuple[str, int | None, str]]:
    """``(file, line, message)`` of each ``- file: Line N: message`` item of ``onex --verbose
    validate`` output, continuation lines joined; ``prefix`` is stripped from the file."""
    items: list[tuple[str, int | None, list[str]]] = []
    for raw in stdout.splitlines():
        match = _ONEX_LINE.match(raw)
        if match is not None:
            line = int(match.group("line")) if match.group("line") else None
            items.append((match.group("file").removeprefix(prefix), line, [match.group("msg")]))
            continue
        stripped = raw.strip()
        if (
            items
            and stripped
            and not stripped.startswith(("[", "Files processed", "Issues:", "Validat", "All "))
            and "errors.pydantic.dev" not in stripped
        ):
            items[-1][2].append(stripped)
    return [(file, line, " ".join(parts)[:400]) for file, line, parts in items]


def onex_fix(message: str, file: str) -> str:
    """The suggested fix for one ``onex validate`` message about ``file``."""
    if "should use UUID type" in message:
        return "Annotate the identifier field as uuid.UUID instead of str."
    if "contract_version" in message or "node_type" in message:
        return (
            f"onex validates every YAML file in the node as a contract: give {file} top-level "
            "`contract_version: {major, minor, patch}` and `node_type: <KIND>_GENERIC` "
            "(and no top-level `version`)."
        )
    return f"Change {file} so that `onex validate --strict` accepts it: {message}"

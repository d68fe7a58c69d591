"""The framework's own verdict on nodes, run in a subprocess (``python -m`` this module).

Why a subprocess: it imports omnibase_core (~1 s) and the node's own modules, and generated code
must never be imported into onexgen's process. It runs with the nodes' import root on
``PYTHONPATH``, exactly as the framework's runtime would see them, and prints one JSON document:

- ``suite``: ``onex validate --strict``'s checks through its Python API
  (``omnibase_core.validation.ServiceValidationSuite``), per validator, as structured items;
- ``sections``: each behaviour section of ``contract.yaml`` loaded into the framework's model
  for it (``onexgen.validation.contract_sections``), with pydantic's errors;
- ``handler``: the handler and models resolved as ``RuntimeLocal`` resolves them
  (``omnibase_core/runtime/runtime_local.py``: ``handler.module``/``class``/``input_model``,
  else ``handler_routing.default_handler`` "<module>:<Class>", absolute imports), and
  ``examples/request.json`` validated against the input model when the node ships one.

Usage: ``python -m onexgen.validation.framework_probe REQUEST_JSON`` where the request is
``{"suite": bool, "nodes": [{"dir": ..., "module": ..., "kind": ...}]}``.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml

from onexgen.validation.contract_sections import section_models

_ERROR_TEXT = re.compile(r"^(?P<file>[^:\n]+?):\s*(?:Line (?P<line>\d+):\s*)?(?P<msg>.*)$", re.S)
_ENTRY_METHODS = ("handle", "run_full_cycle", "run", "execute")  # RuntimeLocal's order
_MAX_MESSAGE = 600


def main(argv: list[str]) -> int:
    """Check every node of the request; print the JSON report on stdout."""
    request = json.loads(argv[1])
    report: dict[str, Any] = {}
    real_stdout = sys.stdout
    # validators and imported node code may print: keep stdout for the report alone
    with contextlib.redirect_stdout(sys.stderr):
        suite = _suite() if request.get("suite") else None
        for node in request["nodes"]:
            node_dir = Path(node["dir"])
            contract = _contract(node_dir)
            entry: dict[str, Any] = {
                "sections": _sections(contract, node.get("kind")),
                "handler": _handler(contract, node_dir, str(node["module"])),
            }
            if suite is not None:
                entry["suite"], entry["suite_error"] = _run_suite(suite, node_dir)
            report[str(node_dir)] = entry
    real_stdout.write(json.dumps({"nodes": report}, sort_keys=True))
    return 0


def _suite() -> Any:
    from omnibase_core.validation import ServiceValidationSuite

    return ServiceValidationSuite()


def _contract(node_dir: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load((node_dir / "contract.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}  # the AST-level checks report an unreadable contract
    return data if isinstance(data, dict) else {}


def _run_suite(suite: Any, node_dir: Path) -> tuple[list[dict[str, Any]], str | None]:
    """``onex validate --strict``'s validators on one node, each problem as an item."""
    try:
        results = suite.run_all_validations(node_dir, strict=True)
    except Exception as exc:  # the suite itself broke: report it, do not pass the node
        return [], f"{type(exc).__name__}: {exc}"[:_MAX_MESSAGE]
    items: list[dict[str, Any]] = []
    for validator, result in sorted(results.items()):
        for issue in result.issues:
            items.append(
                {
                    "validator": validator,
                    "file": _rel(node_dir, str(issue.file_path or "")),
                    "line": issue.line_number,
                    "message": str(issue.message)[:_MAX_MESSAGE],
                }
            )
        for text in result.errors:
            items.append({"validator": validator, **_split_error(node_dir, str(text))})
        if not result.is_valid and not result.issues and not result.errors:
            items.append(
                {"validator": validator, "file": "", "line": None, "message": result.summary}
            )
    return items, None


def _split_error(node_dir: Path, text: str) -> dict[str, Any]:
    """``"<path>: [Line N: ]message"``, the suite's legacy error strings, as fields."""
    first = text.strip()
    # pydantic appends a documentation link line; it is noise in a one-line finding
    lines = [ln for ln in first.splitlines() if "errors.pydantic.dev" not in ln]
    match = _ERROR_TEXT.match("\n".join(lines))
    if match is None or "/" not in match.group("file"):  # the suite names files by path
        return {"file": "", "line": None, "message": " ".join(lines)[:_MAX_MESSAGE]}
    line = match.group("line")
    message = " ".join(part.strip() for part in match.group("msg").splitlines() if part.strip())
    return {
        "file": _rel(node_dir, match.group("file")),
        "line": int(line) if line else None,
        "message": message[:_MAX_MESSAGE],
    }


def _rel(node_dir: Path, path: str) -> str:
    if not path:
        return ""
    candidate = Path(path)
    if not candidate.is_absolute():
        candidate = Path.cwd() / candidate
    try:
        return candidate.resolve().relative_to(node_dir.resolve()).as_posix()
    except ValueError:
        return path


def _load(ref: str) -> Any:
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)


def _sections(contract: dict[str, Any], kind: str | None) -> list[dict[str, Any]]:
    """Each behaviour section present in the contract, loaded into the framework's model."""
    from pydantic import ValidationError

    found: list[dict[str, Any]] = []
    for key, ref in section_models(kind):
        if key not in contract or contract[key] is None:
            continue
        model = _load(ref)
        errors: list[dict[str, str]] = []
        try:
            loaded = model.model_validate(contract[key])
            errors = [{"loc": "", "msg": fault[:_MAX_MESSAGE]} for fault in _soundness(key, loaded)]
        except ValidationError as exc:
            errors = [
                {
                    "loc": ".".join(str(part) for part in error["loc"]),
                    "msg": str(error["msg"])[:_MAX_MESSAGE],
                }
                for error in exc.errors(include_url=False)
            ]
        except Exception as exc:  # a model validator raising ModelOnexError, for instance
            errors = [{"loc": "", "msg": _exc_text(exc)}]
        found.append({"section": key, "model": ref.partition(":")[2], "errors": errors})
    return found


def _soundness(key: str, section: Any) -> list[str]:
    """The framework's own checks beyond the model: a state machine's reachability and
    terminal states (``validate_fsm_contract``)."""
    if key != "state_machine":
        return []
    import asyncio

    from omnibase_core.utils.util_fsm_executor import validate_fsm_contract

    return list(asyncio.run(validate_fsm_contract(section)))


def _exc_text(exc: BaseException) -> str:
    message = getattr(exc, "message", None) or str(exc)
    return f"{type(exc).__name__}: {message}"[:_MAX_MESSAGE]


def _handler(contract: dict[str, Any], node_dir: Path, node_module: str) -> list[dict[str, str]]:
    """Problems resolving the handler and models the way ``RuntimeLocal`` does."""
    problems: list[dict[str, str]] = []
    bindings = _bindings(contract, node_module)
    if not bindings:
        return [
            {
                "field": "handler",
                "message": "neither handler.module/handler.class nor "
                "handler_routing.default_handler is set",
            }
        ]
    resolved: list[str] = []
    for field, module, cls_name in bindings:
        outside = _outside(module, node_module)
        if outside is not None:
            problems.append({"field": field, "message": outside})
            continue
        handler = _resolve(field, module, cls_name, problems)
        if handler is None:
            continue
        resolved.append(f"{module}:{cls_name}")
        if not any(callable(getattr(handler, name, None)) for name in _ENTRY_METHODS):
            problems.append(
                {
                    "field": field,
                    "message": f"{module}.{cls_name} has no handle() method (nor run_full_cycle/"
                    "run/execute) for the runtime to call",
                }
            )
    if len(set(resolved)) > 1:
        problems.append(
            {
                "field": "handler_routing.default_handler",
                "message": f"handler and handler_routing.default_handler name different classes "
                f"({' vs '.join(resolved)}); RuntimeLocal uses the first",
            }
        )
    input_model = _model_refs(contract, node_module, problems)
    example = node_dir / "examples" / "request.json"
    if input_model is not None and example.is_file():
        _check_example(example, input_model, problems)
    return problems


def _outside(module: str, node_module: str) -> str | None:
    """Why ``module`` is not something this node may refer to, or None when it may.

    A node refers to its own modules (``<node module>.…``), its project's (same top package) and
    installed packages. Anything else beside it under the import root is another node: it would
    resolve in a batch that happens to hold that node and fail everywhere else.
    """
    top = module.split(".", maxsplit=1)[0]
    if module.startswith(f"{node_module}.") or (
        "." in node_module and top == node_module.split(".", maxsplit=1)[0]
    ):
        return None
    spec = importlib.util.find_spec(top)
    origin = Path(spec.origin).resolve() if spec is not None and spec.origin else None
    if origin is not None and not origin.is_relative_to(Path.cwd().resolve()):
        return None  # an installed package
    return (
        f"{module} is neither a module of this node ({node_module}) nor of an installed "
        f"package; name it by its full path under {node_module}"
    )


def _bindings(contract: dict[str, Any], node_module: str) -> list[tuple[str, str, str]]:
    found: list[tuple[str, str, str]] = []
    handler = contract.get("handler")
    if isinstance(handler, dict) and handler.get("module") and handler.get("class"):
        found.append(("handler", str(handler["module"]), str(handler["class"])))
    routing = contract.get("handler_routing")
    default = routing.get("default_handler") if isinstance(routing, dict) else None
    if isinstance(default, str):
        module, sep, cls_name = default.rpartition(":")
        if not sep:
            found.append(("handler_routing.default_handler", default, ""))
        else:
            if "." not in module:  # a bare name resolves inside the contract's package
                module = f"{node_module}.{module}"
            found.append(("handler_routing.default_handler", module, cls_name))
    return found


def _resolve(field: str, module: str, cls_name: str, problems: list[dict[str, str]]) -> Any:
    if not cls_name:
        problems.append(
            {"field": field, "message": f"{module!r} is not '<module>:<Class>' (no ':Class')"}
        )
        return None
    try:
        loaded = importlib.import_module(module)
    except Exception as exc:  # any import-time failure is what the runtime would hit
        problems.append({"field": field, "message": f"cannot import {module}: {_exc_text(exc)}"})
        return None
    handler = getattr(loaded, cls_name, None)
    if handler is None:
        problems.append({"field": field, "message": f"{module} defines no {cls_name}"})
    return handler


def _model_refs(contract: dict[str, Any], node_module: str, problems: list[dict[str, str]]) -> Any:
    """Resolve input/output model references; return the handler's input model class."""
    from pydantic import BaseModel

    handler = contract.get("handler")
    spec: Any = handler.get("input_model") if isinstance(handler, dict) else None
    refs: list[tuple[str, Any]] = [
        ("handler.input_model", spec or contract.get("input_model")),
        ("output_model", contract.get("output_model")),
    ]
    classes: dict[str, Any] = {}
    for field, raw in refs:
        ref = (
            f"{raw.get('module')}.{raw.get('class') or raw.get('name')}"
            if isinstance(raw, dict)
            else raw
        )
        if not isinstance(ref, str) or "." not in ref:
            continue
        module, _, name = ref.rpartition(".")
        outside = _outside(module, node_module)
        if outside is not None:
            problems.append({"field": field, "message": outside})
            continue
        try:
            model = getattr(importlib.import_module(module), name)
        except Exception as exc:
            problems.append({"field": field, "message": f"cannot load {ref}: {_exc_text(exc)}"})
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            problems.append({"field": field, "message": f"{ref} is not a pydantic model"})
            continue
        classes[field] = model
    return classes.get("handler.input_model")


def _check_example(example: Path, model: Any, problems: list[dict[str, str]]) -> None:
    from pydantic import ValidationError

    try:
        model.model_validate(json.loads(example.read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError) as exc:
        problems.append({"field": "examples/request.json", "message": f"unreadable: {exc}"})
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "(root)"
        problems.append(
            {
                "field": "examples/request.json",
                "message": f"not a valid {model.__name__}: {where}: {first['msg']}",
            }
        )


if __name__ == "__main__":
    sys.exit(main(sys.argv))

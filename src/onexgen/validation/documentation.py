"""Documentation (15%): docstrings of the node's own code, README sections, contract description.

The score is measured coverage (half docstrings, 30% README sections, 20% contract description);
each gap is listed as an informational issue saying where, so penalties are not counted twice.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from onexgen.models.validation import EnumIssueSeverity, EnumValidationComponent
from onexgen.validation.scoring import ComponentOutcome

if TYPE_CHECKING:
    from onexgen.validation.layout import NodeLayout, ParsedFile

README_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Overview", ("overview", "description", "about")),
    ("Operations", ("operations", "api", "interface")),
    ("Usage", ("usage", "example", "examples", "quick start")),
    ("Testing", ("testing", "tests", "running tests", "checks")),
)
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")
_PLACEHOLDER = re.compile(r"^(todo|tbd|description|fixme|placeholder|n/?a)\b", re.IGNORECASE)
MIN_DESCRIPTION = 10


def check_documentation(layout: NodeLayout) -> ComponentOutcome:
    """Docstring, README and contract-description coverage of one node."""
    outcome = ComponentOutcome(EnumValidationComponent.DOCUMENTATION)
    documented, total = _docstrings(layout, outcome)
    docstring_ratio = documented / total if total else 1.0
    readme_ratio = _readme(layout, outcome)
    description_ok = _description(layout, outcome)
    outcome.base_score = 0.5 * docstring_ratio + 0.3 * readme_ratio + 0.2 * description_ok
    outcome.details.append(f"docstrings {documented}/{total}")
    outcome.details.append(f"README sections {readme_ratio:.0%}")
    outcome.details.append(f"contract description {'present' if description_ok else 'missing'}")
    return outcome


def _docstrings(layout: NodeLayout, outcome: ComponentOutcome) -> tuple[int, int]:
    documented = total = 0
    for parsed in layout.source_files:
        if parsed.tree is None:
            continue
        for kind, name, line, has_doc in _documentables(parsed):
            total += 1
            if has_doc:
                documented += 1
                continue
            outcome.add(
                EnumIssueSeverity.INFO,
                "DOC001",
                f"{kind} {name} has no docstring",
                f"Add a short docstring to {kind} {name} saying why it exists.",
                file=parsed.rel,
                line=line,
            )
    return documented, total


def _documentables(parsed: ParsedFile) -> list[tuple[str, str, int | None, bool]]:
    tree = parsed.tree
    assert tree is not None
    found: list[tuple[str, str, int | None, bool]] = []
    if tree.body or not parsed.rel.endswith("__init__.py"):
        found.append(("module", parsed.rel, 1, ast.get_docstring(tree) is not None))
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            if node.name.startswith("_"):
                continue
            kind = "class" if isinstance(node, ast.ClassDef) else "function"
            found.append((kind, node.name, node.lineno, ast.get_docstring(node) is not None))
    return found


def _readme(layout: NodeLayout, outcome: ComponentOutcome) -> float:
    readme = layout.node_dir / "README.md"
    if not readme.is_file():
        outcome.add(
            EnumIssueSeverity.WARNING,
            "DOC002",
            "README.md is missing",
            "Add README.md with Overview, Operations, Usage and Testing sections.",
            file="README.md",
        )
        return 0.0
    lines = readme.read_text(encoding="utf-8", errors="replace").splitlines()
    headings = [match.group(1).strip().lower() for line in lines if (match := _HEADING.match(line))]
    found = 0
    for title, synonyms in README_SECTIONS:
        intro = title == "Overview" and _has_intro(lines)
        if intro or any(heading.startswith(synonyms) for heading in headings):
            found += 1
        else:
            outcome.add(
                EnumIssueSeverity.INFO,
                "DOC003",
                f"README.md has no {title} section",
                f"Add a `## {title}` section to README.md.",
                file="README.md",
            )
    return found / len(README_SECTIONS)


def _has_intro(lines: list[str]) -> bool:
    """A paragraph between the title and the first section counts as the overview."""
    seen_title = False
    for line in lines:
        if _HEADING.match(line):
            if seen_title:
                return False
            seen_title = True
        elif seen_title and line.strip():
            return True
    return False


def _description(layout: NodeLayout, outcome: ComponentOutcome) -> bool:
    if layout.contract is None:
        return False
    description = layout.contract.get("description")
    text = description.strip() if isinstance(description, str) else ""
    if len(text) >= MIN_DESCRIPTION and not _PLACEHOLDER.match(text):
        return True
    outcome.add(
        EnumIssueSeverity.WARNING,
        "DOC004",
        "contract description is missing or a placeholder",
        "Write a one-sentence `description:` in contract.yaml saying what the node does.",
        file="contract.yaml",
    )
    return False

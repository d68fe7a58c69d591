"""The steps an orchestrator coordinates, read from its contract.

Why here and not in the renderer: the contract is the single source the code, tests and README
are rendered from, and ``onexgen generate --contract`` must give the same steps as the prompt
that produced the contract. Steps come, in this order of preference, from:

1. the nodes it depends on (``dependencies`` that are not external systems: a batch spec's
   ``depends_on`` names land there first);
2. a list in the description, as in "Coordinate user signup: create the account, send the
   verification email, and emit a signup event";
3. nothing (the renderer then uses its generic ``prepare``, ``execute``, ``finalize``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from onexgen.models.enums import EnumNodeKind
from onexgen.rendering.escaping import clean_text, snake

if TYPE_CHECKING:
    from onexgen.models.contract import ModelNodeContract

__all__ = [
    "DEFAULT_STEPS",
    "MAX_STEPS",
    "MAX_STEP_WORDS",
    "derived_steps",
    "steps_from_description",
    "workflow_steps",
]

DEFAULT_STEPS = ("prepare", "execute", "finalize")

MAX_STEP_WORDS = 5
MAX_STEPS = 12
_ARTICLES = frozenset({"a", "an", "the", "then", "finally", "first", "next"})
_SEPARATORS = re.compile(r"\s*(?:,|\band\b|\bthen\b|->|=>|\u2192)\s*", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[;.!?\n]")


def steps_from_description(description: str) -> tuple[str, ...]:
    """Step names listed after the first colon, up to the end of that clause.

    Each item must be a short phrase (at most ``MAX_STEP_WORDS`` words once articles are
    dropped) and there must be at least two; anything else is prose, not a list, and gives
    no steps. Names are snake_case identifiers, duplicates dropped, order kept.
    """
    text = clean_text(description)
    _, colon, rest = text.partition(":")
    if not colon:
        return ()
    clause = _CLAUSE_END.split(rest, maxsplit=1)[0]
    items = [item for item in _SEPARATORS.split(clause) if item.strip()]
    if not 2 <= len(items) <= MAX_STEPS:
        return ()
    steps: list[str] = []
    for item in items:
        words = [w for w in item.split() if w.lower() not in _ARTICLES]
        if not 1 <= len(words) <= MAX_STEP_WORDS:
            return ()
        name = snake("_".join(words), "step")
        if name not in steps:
            steps.append(name)
    return tuple(steps) if len(steps) >= 2 else ()


def _bare(name: str) -> str:
    """``PostgreSQL``, ``postgre_sql`` and ``postgresql`` compare equal."""
    return snake(name).replace("_", "")


def workflow_steps(contract: ModelNodeContract) -> tuple[str, ...]:
    """Names of an orchestrator contract's steps, in order; () for other kinds or when the
    contract only has the generic ones."""
    if contract.node_kind is not EnumNodeKind.ORCHESTRATOR:
        return ()
    names = tuple(step.name for step in contract.workflow_steps)
    if names and names != DEFAULT_STEPS:
        return names
    if names:
        return ()
    return derived_steps(contract)


def derived_steps(contract: ModelNodeContract) -> tuple[str, ...]:
    """Steps derived without stated facts: dependencies, else a list in the description."""
    systems = {_bare(system) for system in contract.external_systems}
    nodes: list[str] = []
    for dependency in contract.dependencies:
        name = snake(dependency, "step")
        if _bare(dependency) not in systems and name not in nodes:
            nodes.append(name)
    if nodes:
        return tuple(nodes[:MAX_STEPS])
    return steps_from_description(contract.description)

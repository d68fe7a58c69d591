"""Dependency-aware scheduling: turn ``name -> depends_on`` into waves of nodes that run together.

Built on :mod:`graphlib` so that ordering and cycle detection are the standard library's, not ours;
this module only adds deterministic order and error messages a user can act on.
"""

from __future__ import annotations

import graphlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping


class DependencyError(ValueError):
    """The dependency graph cannot be scheduled; the message says which node and how to fix it."""


class MissingDependencyError(DependencyError):
    """A node depends on a name that is not in the graph."""

    def __init__(self, node: str, missing: str) -> None:
        self.node = node
        self.missing = missing
        super().__init__(f"node '{node}' depends on '{missing}', which is not in the spec")


class DependencyCycleError(DependencyError):
    """The graph has a cycle; ``cycle`` lists it with the first node repeated at the end."""

    def __init__(self, cycle: tuple[str, ...]) -> None:
        self.cycle = cycle
        super().__init__(f"dependency cycle: {' -> '.join(cycle)}")


def _canonical_cycle(reported: list[str]) -> tuple[str, ...]:
    """Rewrite graphlib's cycle as ``a -> b`` meaning "a depends on b", starting at the least name.

    graphlib lists each node before its dependent; reversing gives the reading order users expect,
    and rotating to the least name keeps the message identical whatever order the spec used.
    """
    ring = list(reversed(reported[:-1]))
    start = ring.index(min(ring))
    ring = ring[start:] + ring[:start]
    return (*ring, ring[0])


class DependencyAwareScheduler:
    """Schedules named nodes into stages: each stage holds every node whose dependencies are done.

    Stages are waves of :meth:`graphlib.TopologicalSorter.get_ready`, sorted by name, so the
    schedule is the same whatever order the nodes were declared in.
    """

    def __init__(self, dependencies: Mapping[str, Iterable[str]]) -> None:
        self._graph: dict[str, tuple[str, ...]] = {
            name: tuple(sorted(set(deps))) for name, deps in sorted(dependencies.items())
        }

    @property
    def graph(self) -> Mapping[str, tuple[str, ...]]:
        """``name -> sorted dependency names``, as scheduled."""
        return dict(self._graph)

    def validate(self) -> None:
        """Raise :class:`MissingDependencyError` or :class:`DependencyCycleError`."""
        self.stages()

    def stages(self) -> tuple[tuple[str, ...], ...]:
        """The waves, in order; every node appears once, after all of its dependencies."""
        for name, deps in self._graph.items():
            for dep in deps:
                if dep not in self._graph:
                    raise MissingDependencyError(name, dep)
        sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
        for name, deps in self._graph.items():
            sorter.add(name, *deps)
        try:
            sorter.prepare()
        except graphlib.CycleError as exc:
            raise DependencyCycleError(_canonical_cycle(list(exc.args[1]))) from None
        waves: list[tuple[str, ...]] = []
        while sorter.is_active():
            ready = tuple(sorted(sorter.get_ready()))
            waves.append(ready)
            sorter.done(*ready)
        return tuple(waves)

    def transitive_dependents(self, name: str) -> tuple[str, ...]:
        """Every node that depends on ``name`` directly or indirectly, sorted."""
        found: set[str] = set()
        frontier = [name]
        while frontier:
            current = frontier.pop()
            for other, deps in self._graph.items():
                if current in deps and other not in found:
                    found.add(other)
                    frontier.append(other)
        return tuple(sorted(found))

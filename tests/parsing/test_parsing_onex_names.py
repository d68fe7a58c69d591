"""Derived names never contain the generic words ``onex validate --strict`` rejects."""

from __future__ import annotations

import pytest

from onexgen.parsing import PRDAnalyzer
from onexgen.parsing.names import generic_name_words, without_generic_words


@pytest.mark.parametrize(
    "prompt",
    [
        "Create a COMPUTE node that processes data",
        "A user service that writes users to PostgreSQL",
        "Monitor CPU utilization and aggregate it per minute",
        "Create a worker that consumes jobs from RabbitMQ",
        "Session manager that keeps login sessions in Redis",
        "Helper that formats dates for reports",
        "Create an ORCHESTRATOR node that coordinates the payment controller and the ledger",
    ],
)
def test_derived_names_avoid_onex_generic_words(prompt: str) -> None:
    requirements = PRDAnalyzer().analyze_prompt(prompt)
    assert "node_name" not in requirements.explicit_fields
    assert generic_name_words(requirements.node_name) == []


def test_stated_names_are_kept_even_with_generic_words() -> None:
    requirements = PRDAnalyzer().analyze_prompt(
        "Create EFFECT node called SessionManager that stores sessions in Redis"
    )
    assert requirements.node_name == "SessionManager"
    assert generic_name_words(requirements.node_name) == ["Manager"]


@pytest.mark.parametrize(
    ("name", "role", "expected"),
    [
        ("DataProcessor", "Transformer", "DataTransformer"),
        ("SessionManager", "Client", "SessionClient"),
        ("UserService", "Client", "UserClient"),
        ("Processor", "Transformer", "Transformer"),
        ("CpuUtilizationMonitor", "Aggregator", "CPUMonitorAggregator"),
    ],
)
def test_without_generic_words(name: str, role: str, expected: str) -> None:
    assert without_generic_words(name, role) == expected
    assert generic_name_words(expected) == []

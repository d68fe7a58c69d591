"""Step lists closed by a collective noun, and leading schedule adverbials (issue 9)."""

from __future__ import annotations

import pytest

from onexgen.models import EnumNodeKind, ModelPRDRequirements
from onexgen.parsing import PRDAnalyzer


def analyze(prompt: str) -> ModelPRDRequirements:
    return PRDAnalyzer().analyze_prompt(prompt)


def step_names(parsed: ModelPRDRequirements) -> list[str]:
    return [step.name for step in parsed.facts.steps]


# --- "to the A, B and C steps": the collective noun names every item and is dropped --------


@pytest.mark.parametrize(
    ("prompt", "steps"),
    [
        (
            "Fan out a thumbnail job to the resize, watermark and upload steps in parallel "
            "and wait for all of them",
            ["resize", "watermark", "upload"],
        ),
        (
            "Send each order into the fraud, credit and inventory services at the same time "
            "and gather the results",
            ["fraud", "credit", "inventory", "gather_results"],
        ),
        (
            "Dispatch every video across the transcode, caption and thumbnail tasks "
            "concurrently and wait for all of them",
            ["transcode", "caption", "thumbnail"],
        ),
        (
            "Run the lint, test and package stages concurrently, then publish the build",
            ["lint", "test", "package", "publish_build"],
        ),
    ],
)
def test_collective_noun_list_gives_one_parallel_group(prompt: str, steps: list[str]) -> None:
    parsed = analyze(prompt)
    assert parsed.node_type is EnumNodeKind.ORCHESTRATOR
    assert step_names(parsed) == steps
    listed = [step for step in parsed.facts.steps if step.name in steps[:3]]
    groups = {step.parallel_group for step in listed}
    assert len(groups) == 1
    assert None not in groups
    assert parsed.facts.parallel


@pytest.mark.parametrize(
    "prompt",
    [
        "Send the invoice to the billing and accounting services",
        "Publish order events to the shipping, billing and audit services",
    ],
)
def test_one_delivery_to_several_services_stays_an_effect(prompt: str) -> None:
    """Naming where one action delivers is not a workflow of its own."""
    parsed = analyze(prompt)
    assert parsed.node_type is EnumNodeKind.EFFECT
    assert step_names(parsed) == []


# --- "Nightly, ...": a schedule, not part of the clause that names the node ----------------


@pytest.mark.parametrize(
    ("prompt", "steps", "seconds", "cron"),
    [
        (
            "Nightly, run the orders ETL: extract, transform, load, alert on failure",
            ["extract", "transform", "load", "alert_failure"],
            86400.0,
            "0 2 * * *",
        ),
        (
            "Each morning, build the sales report: fetch the orders, total them per region, "
            "email the summary",
            ["fetch_orders", "total_region", "email_summary"],
            86400.0,
            "0 7 * * *",
        ),
        (
            "Every hour, rebuild the search index: crawl the pages, tokenize them, write the index",
            ["crawl_pages", "tokenize", "write_index"],
            3600.0,
            None,
        ),
        (
            "Every 5 minutes, poll the inventory API and store the stock levels in PostgreSQL",
            [],
            300.0,
            None,
        ),
        ("Nightly, create a node that exports the invoices to S3", [], 86400.0, "0 2 * * *"),
    ],
)
def test_leading_schedule_is_a_schedule_fact_and_changes_nothing_else(
    prompt: str, steps: list[str], seconds: float, cron: str | None
) -> None:
    adverbial, rest = prompt.split(", ", maxsplit=1)
    parsed = analyze(prompt)
    plain = analyze(rest[0].upper() + rest[1:])
    assert (parsed.node_type, parsed.node_name) == (plain.node_type, plain.node_name)
    assert step_names(parsed) == step_names(plain) == steps
    assert not plain.facts.schedules
    schedule = parsed.facts.schedules[0]
    assert (schedule.every_seconds, schedule.cron, schedule.source) == (seconds, cron, adverbial)


def test_leading_schedule_keeps_the_name_out_of_the_failure_clause() -> None:
    parsed = analyze("Nightly, run the orders ETL: extract, transform, load, alert on failure")
    assert parsed.node_type is EnumNodeKind.ORCHESTRATOR
    assert parsed.node_name == "OrdersETL"


# --- "and run them in parallel": a clause that points back qualifies the steps -------------


@pytest.mark.parametrize(
    ("prompt", "parallel", "after"),
    [
        (
            "Fetch the prices, fetch the stock levels and run them in parallel, "
            "then merge the results",
            ["fetch_prices", "fetch_stock_levels"],
            "merge_results",
        ),
        (
            "Split the upload into the scan, index and archive jobs and run them in parallel",
            ["scan", "index", "archive"],
            None,
        ),
    ],
)
def test_back_reference_runs_the_earlier_steps_side_by_side(
    prompt: str, parallel: list[str], after: str | None
) -> None:
    parsed = analyze(prompt)
    steps = {step.name: step for step in parsed.facts.steps}
    assert list(steps) == [*parallel, *([after] if after else [])]
    assert len({steps[name].parallel_group for name in parallel} - {None}) == 1
    assert all(steps[name].parallel_group for name in parallel)
    if after:
        assert steps[after].parallel_group is None
        assert set(steps[after].depends_on) == set(parallel)


def test_run_all_with_an_object_is_a_step() -> None:
    """'run all tests' has its own object: a step, not a pointer back."""
    parsed = analyze("Run all tests, then deploy the build to staging")
    assert [step.name for step in parsed.facts.steps] == ["run_tests", "deploy_build_to_staging"]

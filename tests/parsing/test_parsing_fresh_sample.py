"""A fresh sample of ten requests, written for this test after the rules (issue 9).

Different verbs from the corpora and none of "coordinate", "aggregate", "transform" or
"create": each must come back with the right kind, a name from its main action and object, and
the facts the user stated (steps in order, keys, windows, schedules, durations, limits).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from onexgen.parsing import PRDAnalyzer

if TYPE_CHECKING:
    from pathlib import Path

    from onexgen.models.requirements import ModelPRDRequirements

    from ..conftest import RunNodeTests


def parse(prompt: str) -> ModelPRDRequirements:
    return PRDAnalyzer().analyze_prompt(prompt)


def seconds_of(requirements: ModelPRDRequirements) -> dict[str, float]:
    return {duration.role: duration.seconds for duration in requirements.facts.durations}


def limits_of(requirements: ModelPRDRequirements) -> dict[str, int]:
    return {limit.role: limit.value for limit in requirements.facts.limits}


SAMPLE: list[tuple[str, str, str]] = [
    (
        "Archive closed support tickets to an S3 bucket every night and delete the local copies "
        "after 30 days",
        "effect",
        "S3ClosedSupportTicketArchive",
    ),
    ("Redact email addresses and phone numbers from chat transcripts", "compute", ""),
    (
        "Tally failed payments per merchant over tumbling ten-minute windows and raise an alert "
        "above 3 percent",
        "reducer",
        "FailedPaymentTally",
    ),
    (
        "Onboard a new employee: provision the laptop, open the email account, enroll them in "
        "payroll, and revoke the accounts if payroll enrollment fails",
        "orchestrator",
        "NewEmployeeWorkflow",
    ),
    (
        "Query the Stripe API for refunds issued today, 50 per page, with a timeout of 8 seconds",
        "effect",
        "",
    ),
    (
        "Deduplicate incoming sensor readings per device, remembering the last 500 ids for an hour",
        "reducer",
        "IncomingSensorReadingDeduplicator",
    ),
    ("Render invoice PDFs from order data at three paper sizes", "compute", "InvoicePDFRenderer"),
    (
        "Poll the warehouse inventory endpoint every five minutes and retry up to 3 times",
        "effect",
        "WarehouseInventoryEndpointPoller",
    ),
    (
        "Translate product descriptions into Spanish and return the top 20 keywords",
        "compute",
        "ProductDescriptionTranslator",
    ),
    (
        "Launch the quarterly report: gather sales figures, build the charts and email the "
        "board, running the charts and the figures in parallel",
        "orchestrator",
        "QuarterlyReportLauncher",
    ),
]


def test_the_sample_uses_none_of_the_tuned_keywords() -> None:
    for prompt, _, _ in SAMPLE:
        words = set(prompt.lower().replace(",", " ").split())
        assert not words & {"coordinate", "aggregate", "transform", "create"}, prompt


@pytest.mark.parametrize(("prompt", "kind", "name"), SAMPLE)
def test_kind_and_name(prompt: str, kind: str, name: str) -> None:
    requirements = parse(prompt)
    assert requirements.node_type.value == kind
    if name:
        assert requirements.node_name == name
    # the role word never contradicts the operations
    if {"create", "update", "delete"} & set(requirements.operations):
        assert not requirements.node_name.endswith("Reader")


def test_archive_schedule_and_retention() -> None:
    archive = parse(SAMPLE[0][0])
    assert [schedule.label for schedule in archive.facts.schedules] == ["every night"]
    assert seconds_of(archive)["ttl"] == 30 * 86400
    assert archive.performance_requirements.cache_ttl_seconds == 30 * 86400


def test_redaction_is_a_pure_function() -> None:
    redact = parse(SAMPLE[1][0])
    assert redact.node_name.endswith("Redactor")
    assert redact.facts.is_empty or not redact.facts.steps


def test_tally_key_window_and_threshold() -> None:
    tally = parse(SAMPLE[2][0])
    assert [key.name for key in tally.facts.group_by] == ["merchant"]
    assert [(w.kind, w.size_seconds) for w in tally.facts.windows] == [("tumbling", 600.0)]
    threshold = tally.facts.thresholds[0]
    assert (threshold.comparison, threshold.value, threshold.unit) == ("above", 3.0, "percent")
    assert "above 3 percent" in threshold.source


def test_onboarding_steps_in_order_with_compensation() -> None:
    onboarding = parse(SAMPLE[3][0]).facts
    names = [step.name for step in onboarding.steps]
    assert names == ["provision_laptop", "open_email_account", "enroll_payroll"]
    assert [step.depends_on for step in onboarding.steps] == [
        (),
        ("provision_laptop",),
        ("open_email_account",),
    ]
    assert onboarding.compensation
    undone = {
        step.name: step.compensation_trigger for step in onboarding.steps if step.compensation
    }
    assert undone == {"open_email_account": "enroll_payroll"}


def test_api_page_size_and_timeout() -> None:
    refunds = parse(SAMPLE[4][0])
    assert "Stripe" in refunds.node_name
    assert limits_of(refunds)["page_size"] == 50
    assert seconds_of(refunds)["timeout"] == 8
    assert refunds.performance_requirements.timeout_seconds == 8


def test_dedup_key_count_and_ttl() -> None:
    dedup = parse(SAMPLE[5][0])
    assert [key.name for key in dedup.facts.group_by] == ["device"]
    assert limits_of(dedup)["count"] == 500
    assert seconds_of(dedup)["ttl"] == 3600
    assert dedup.performance_requirements.cache_ttl_seconds == 3600


def test_render_variants() -> None:
    assert limits_of(parse(SAMPLE[6][0])) == {"variants": 3}


def test_poll_schedule_and_retries() -> None:
    poll = parse(SAMPLE[7][0])
    assert [schedule.every_seconds for schedule in poll.facts.schedules] == [300.0]
    assert limits_of(poll)["retries"] == 3
    assert poll.performance_requirements.retry_attempts == 3


def test_translate_top_n() -> None:
    assert limits_of(parse(SAMPLE[8][0]))["top_n"] == 20


def test_report_parallel_group_then_join() -> None:
    report = parse(SAMPLE[9][0]).facts
    assert [step.name for step in report.steps] == [
        "gather_sales_figures",
        "build_charts",
        "email_board",
    ]
    assert report.parallel
    groups = {step.name: step.parallel_group for step in report.steps}
    assert groups["gather_sales_figures"] == groups["build_charts"] is not None
    assert groups["email_board"] is None
    assert set(report.steps[2].depends_on) == {"gather_sales_figures", "build_charts"}
    assert all(step.source for step in report.steps), "every fact keeps the user's words"


@pytest.mark.parametrize(
    "prompt",
    [
        "node something 1234567890 in analytics, retry MetricsAggregator (path, metrics Kafka",
        "Run -- , then Run the -- , sanctions screening and -- side by side",
        "every 0 minutes above 1e9 percent, sliding windows of 0 seconds, top 0",
    ],
)
def test_odd_numbers_and_empty_steps_never_break_the_facts(prompt: str) -> None:
    """Found by feeding random word salads from the corpora: facts stay valid models."""
    requirements = parse(prompt)
    assert all(step.name for step in requirements.facts.steps)
    retries = requirements.performance_requirements.retry_attempts
    assert retries is None or 0 <= retries <= 100


def test_the_issues_saga_keeps_its_steps_and_rollback() -> None:
    saga = parse(
        "Place an order: reserve inventory, charge the card, create the shipment, roll back the "
        "reservation if payment fails"
    )
    assert saga.node_type.value == "orchestrator"
    steps = saga.facts.steps
    assert [step.name for step in steps] == ["reserve_inventory", "charge_card", "create_shipment"]
    assert saga.facts.compensation
    assert steps[0].compensation == "roll back the reservation if payment fails"
    assert steps[0].compensation_trigger == "charge_card"
    assert steps[1].compensation is None


def test_a_presigned_url_is_an_operation_and_a_named_output() -> None:
    upload = parse("Upload the file to S3 and return a presigned download URL")
    assert upload.node_name == "S3FileUploader"
    assert "presign" in upload.operations
    assert [output.name for output in upload.facts.outputs] == ["presigned_url"]


def test_lemmas_work_without_a_writable_cache_root(tmp_path: Path) -> None:
    """A read-only cache root (sandbox, read-only home) costs time, never correctness."""
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the cache root should be", encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from onexgen.parsing.lemmas import lemma; print(lemma('reserved'), lemma('copies'))",
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "ONEXGEN_CACHE_DIR": str(blocked)},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["reserve", "copy"]


def test_an_action_on_an_object_is_never_refused() -> None:
    unknown = parse("Frobnicate the widgets")
    assert unknown.node_type.value == "compute"
    assert unknown.field_confidence.node_type < 0.5


async def _generate_sample(out: Path) -> list[Path]:
    from onexgen.pipeline import CodeGenerationService

    service = CodeGenerationService()
    nodes = []
    for prompt, _, _ in SAMPLE:
        result = await service.generate_node(None, out, prompt=prompt, validation_level="none")
        assert result.success, (prompt, result.errors)
        assert result.node_path is not None
        nodes.append(result.node_path)
    return nodes


def _configuration(node: Path) -> dict[str, Any]:
    contract = yaml.safe_load((node / "contract.yaml").read_text(encoding="utf-8"))
    assert isinstance(contract, dict)
    configuration = contract["configuration"]
    assert isinstance(configuration, dict)
    return configuration


@pytest.mark.slow
def test_the_samples_numbers_reach_the_code_and_its_tests(
    tmp_path: Path, run_node_tests: RunNodeTests
) -> None:
    """The stated numbers are the generated code's settings, and its own tests exercise them:
    every sample node's test suite (with ``test_<name>_facts.py`` where the code acts on a
    stated number) passes."""
    nodes = asyncio.run(_generate_sample(tmp_path))
    config = {node.name: _configuration(node) for node in nodes}
    archive, _, _, _, refunds, _, invoices, poll, translate, _ = (node.name for node in nodes)
    assert config[archive]["schedule"]["cron"] == "0 2 * * *"  # "every night"
    assert config[refunds]["pagination"]["page_size"] == 50
    assert config[refunds]["timeout_seconds"] == 8.0
    assert config[invoices]["output_variants"] == 3
    assert config[poll]["schedule"] == {"every_seconds": 300.0, "cron": "*/5 * * * *"}
    assert config[poll]["retry"]["max_retries"] == 3  # "retry up to 3 times"
    assert config[translate]["top_n"] == 20
    with_facts = {archive, refunds, invoices, poll, translate}
    for node in nodes:
        facts_tests = list((node / "tests").glob("test_*_facts.py"))
        assert len(facts_tests) == (1 if node.name in with_facts else 0), node.name
    done = run_node_tests(tmp_path, [node.name for node in nodes])
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    summary = done.stdout.strip().splitlines()[-1]
    assert " passed" in summary
    assert "failed" not in summary

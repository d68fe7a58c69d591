"""Accuracy and speed of stage 1 (prompt understanding) on the shared corpora.

Run: ``.venv/bin/python benchmarks/parse_accuracy.py [--json] [--skip-cli-timing]``

Measures, on ``prompts_public.jsonl`` and the held-out ``prompts_public_2.jsonl``: node-type
and category accuracy, operation and feature recall, fact recall (steps, keys, windows,
durations, numbers), exactness of stated names and domains, naming every miss; on the peer suite
``omniclaude_prompt_suite.jsonl``: the share of its checkable expectations we meet (its field
names mapped onto ours); and the median in-process parse time and ``onexgen parse`` wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from onexgen.machine import machine_facts as shared_machine_facts
from onexgen.parsing import (
    NodeClassifier,
    PRDAnalyzer,
    PromptRefusedError,
    requirements_from_mapping,
)
from onexgen.parsing.names import to_snake_case
from onexgen.parsing.prd_analyzer import (
    find_external_systems,
    find_features,
    find_operations,
    find_stated_domain,
    find_stated_kind,
    find_stated_name,
)

if TYPE_CHECKING:
    from onexgen.models.classification import ModelClassificationResult
    from onexgen.models.requirements import ModelPRDRequirements

ROOT = Path(__file__).resolve().parents[1]
EVAL_DIR = Path(os.environ.get("ONEXGEN_EVAL_DIR", ROOT.parent / "shared" / "eval"))
PUBLIC = EVAL_DIR / "prompts_public.jsonl"
PUBLIC_2 = EVAL_DIR / "prompts_public_2.jsonl"
"""Held out: measured here, never used to write rules."""
PEER = EVAL_DIR / "omniclaude_prompt_suite.jsonl"
WRITTEN_AFTER = ROOT / "tests" / "parsing" / "data" / "heldout_prompts.jsonl"
"""30 prompts written after the rules (not from any corpus); first run: 25/30 kinds."""

FLOORS = {
    "node_type_accuracy": 0.95,
    "category_accuracy": 0.95,
    "operation_recall": 0.95,
    "feature_recall": 0.95,
    "peer_met_share_excluding_disagreements": 0.95,
}
"""prompts_public: >= 95% on every figure (issue 9)."""
FLOORS_2 = {"node_type_accuracy": 0.95, "category_accuracy": 0.90, "fact_recall": 0.90}
"""prompts_public_2 (held out)."""
"""The peer floor applies to the expectations we agree with; the raw share is reported too."""
PARSE_MEDIAN_BUDGET_MS = 2.0
TYPER_FLOOR = """
from typing import Annotated
import typer
app = typer.Typer(add_completion=False)
@app.command()
def parse(
    prompt: Annotated[str | None, typer.Argument()] = None,
    node_type: Annotated[str | None, typer.Option("--node-type")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    print("{}")
@app.command()
def other() -> None:
    pass
app()
"""
CLI_WALL_BUDGET_MS = 300.0

# Peer fields that describe other stages or the old tool's plumbing, not prompt understanding.
UNMAPPABLE_FIELDS = frozenset(
    {
        "output_dir",
        "files_generated",
        "files",
        "quality_score",
        "input_model",
        "stage_1_status",
        "stage_1_gates",
        "stage_3_gates",
        "status",
        "g7_prompt_gate",
        "best_practices",
    }
)
# The old parser's generic display names, mapped onto ours.
SYSTEM_ALIASES = {"API": "HTTP API"}

# Expectations we deliberately do not follow, and why. They stay in the denominator of the
# raw share; the adjusted share leaves them out.
DISAGREEMENTS: dict[str, str] = {
    "070": "vague prompt ('something that does stuff') must be refused, not defaulted to EFFECT",
    "163": "vague prompt ('Make something that does stuff') must be refused, not defaulted",
    "215": "'Do something with data' states no purpose; refused instead of defaulting to EFFECT",
    "094": "'something generic' states no purpose; refused instead of naming it DefaultEffect",
    "095": "'something generic' states no purpose; refused instead of naming it DefaultCompute",
    "096": "'something generic' states no purpose; refused instead of naming it DefaultReducer",
    "097": "'something generic' states no purpose; refused instead of DefaultOrchestrator",
    "108": "'does something generic' is refused instead of inventing 'default_domain'",
    "102": "domain is the stated domain, else the category ('database'), not 'data_services'",
    "103": "domain is the stated domain, else the category ('api'), not 'api_gateway'",
    "105": "domain is the stated domain, else the category ('cache'), not 'cache_services'",
    "106": "domain is the stated domain, else the category ('messaging'), not 'notification'",
    "107": "domain is the stated domain, else the category ('security'), not 'auth_services'",
    "109": "domain is the stated domain, else the category; not the old 'data_services' label",
    "217": "domain is the category ('database'); 'infrastructure' was the old pipeline's label",
    "228": "get/set/delete are canonical read/update/delete (as prompts_public p05 requires); "
    "domain is the category 'cache', not 'infrastructure'",
    "239": "data transformation is category/domain 'data' (prompts_public p08), not 'general'",
    "240": "collect/group are canonical 'aggregate'; the prompt also states windows and rolling "
    "state, so exact-equality on operations/features is too strict",
    "241": "the prompt never mentions a circuit breaker; domain is the category 'workflow'",
    "238": "the prompt lists List among the CRUD operations, so exact equality without 'list' "
    "would drop a stated operation",
    "243": "'secrets management' is not a stated domain (category 'security'); 'write' is the "
    "canonical create/update",
    "181": "service_name 'databasewriter' is the old code's lost word boundary; we give "
    "database_writer",
    "183": "service_name 'pricecalculator' is the old quirk; we give price_calculator",
    "186": "service_name 'eventaggregator' is the old quirk; we give event_aggregator",
    "189": "service_name 'paymentworkflow' is the old quirk; we give payment_workflow",
    "083": "'a node for User processing' gives the derived name UserProcessor; a bare 'User' "
    "says nothing about what the node does",
    "134": "'connects to database' names no database product; we do not invent PostgreSQL",
    "136": "'stores in cache' names no cache product; we do not invent Redis",
    "119": "'EFFECT node that X' states no purpose; refused instead of a filler description",
    "060": "a kind the user states is certain (confidence 1.0, issue 9), not 0.9",
    "237": "node_type given in the requirements is stated, so certain (1.0, issue 9); the weak "
    "evidence for other kinds is in the alternatives",
}


@dataclass
class PeerOutcome:
    """One peer record: whether it was checkable, met, and which expectations failed."""

    record_id: str
    checkable: bool
    met: bool
    failures: list[str] = field(default_factory=list)


def _load(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _analyze(
    prompt: str, hint: str | None = None
) -> tuple[ModelPRDRequirements, ModelClassificationResult]:
    requirements = PRDAnalyzer().analyze_prompt(prompt, node_type_hint=hint)
    return requirements, NodeClassifier().classify(requirements)


# --- prompts_public ----------------------------------------------------------------------------


def fact_checks(
    expected: dict[str, Any], requirements: ModelPRDRequirements
) -> list[tuple[str, bool]]:
    """Each expected fact (README of the eval corpora) and whether the structured facts carry it.

    A fact counts only when it is in ``requirements.facts`` (not in the description):
    ``seconds`` in a duration, window (size or slide) or schedule; ``numbers`` in a limit;
    ``group_by`` a word of a grouping key; ``steps`` a word of a step name, in the user's
    order; ``window``, ``parallel`` and ``compensation`` by value.
    """
    facts = requirements.facts
    seconds = {duration.seconds for duration in facts.durations}
    seconds |= {window.size_seconds for window in facts.windows}
    seconds |= {window.slide_seconds for window in facts.windows if window.slide_seconds}
    seconds |= {schedule.every_seconds for schedule in facts.schedules if schedule.every_seconds}
    numbers = {limit.value for limit in facts.limits}
    keys = [key.name for key in facts.group_by]
    step_names = [step.name for step in facts.steps]
    checks: list[tuple[str, bool]] = []
    for value in expected.get("seconds", []):
        checks.append((f"seconds {value}", float(value) in seconds))
    for value in expected.get("numbers", []):
        checks.append((f"number {value}", int(value) in numbers))
    for key in expected.get("group_by", []):
        checks.append((f"group_by {key}", any(key in name.split("_") for name in keys)))
    position = -1
    for word in expected.get("steps", []):
        index = next(
            (i for i, name in enumerate(step_names) if i > position and word in name), None
        )
        checks.append((f"step '{word}' (after the previous)", index is not None))
        if index is not None:
            position = index
    if "window" in expected:
        kinds = [window.kind for window in facts.windows]
        checks.append((f"window {expected['window']}", expected["window"] in kinds))
    for flag in ("parallel", "compensation"):
        if flag in expected:
            checks.append((f"{flag} {expected[flag]}", getattr(facts, flag) == expected[flag]))
    return checks


def evaluate_public(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Accuracy figures and per-prompt misses on a labelled set (kind, category,
    operations/features when labelled, stated names/domains, facts when labelled)."""
    facts_expected = facts_found = 0
    kind_ok = category_ok = 0
    ops_expected = ops_found = feats_expected = feats_found = 0
    names_total = names_ok = domains_total = domains_ok = 0
    misses: list[str] = []
    for record in records:
        requirements, classification = _analyze(record["prompt"])
        if classification.node_type.value == record["node_type"]:
            kind_ok += 1
        else:
            misses.append(f"{record['id']}: kind {classification.node_type.value}")
        if requirements.category.value in record["categories"]:
            category_ok += 1
        else:
            misses.append(f"{record['id']}: category {requirements.category.value}")
        for key, found in (
            ("operations", requirements.operations),
            ("features", requirements.features),
        ):
            missing = sorted(set(record.get(key, [])) - set(found))
            if missing:
                misses.append(f"{record['id']}: missing {key} {missing}")
        ops_expected += len(record.get("operations", []))
        ops_found += len(set(record.get("operations", [])) & set(requirements.operations))
        feats_expected += len(record.get("features", []))
        feats_found += len(set(record.get("features", [])) & set(requirements.features))
        for label, ok in fact_checks(record.get("facts", {}), requirements):
            facts_expected += 1
            facts_found += ok
            if not ok:
                misses.append(f"{record['id']}: missing fact {label}")
        if "name" in record:
            names_total += 1
            names_ok += requirements.node_name == record["name"]
        if "domain" in record:
            domains_total += 1
            domains_ok += requirements.domain == record["domain"]
    count = len(records)
    return {
        "prompts": count,
        "node_type_accuracy": kind_ok / count,
        "category_accuracy": category_ok / count,
        "operation_recall": ops_found / ops_expected if ops_expected else 1.0,
        "feature_recall": feats_found / feats_expected if feats_expected else 1.0,
        "stated_name_exact": names_ok / names_total if names_total else 1.0,
        "stated_domain_exact": domains_ok / domains_total if domains_total else 1.0,
        "stated_names": names_total,
        "stated_domains": domains_total,
        "fact_recall": facts_found / facts_expected if facts_expected else 1.0,
        "facts_expected": facts_expected,
        "misses": misses,
    }


def evaluate_written_after(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Kind and category accuracy on prompts written after the rules were."""
    kinds = categories = 0
    for record in records:
        requirements, _ = _analyze(record["prompt"])
        kinds += requirements.node_type.value == record["kind"]
        categories += requirements.category.value in record["cats"]
    return {
        "prompts": len(records),
        "node_type_accuracy": kinds / len(records),
        "category_accuracy": categories / len(records),
    }


# --- peer suite --------------------------------------------------------------------------------


def _hint_for(record: dict[str, Any]) -> str | None:
    if record.get("node_type_hint"):
        return str(record["node_type_hint"])
    match = re.search(r"extra args: \[([^\]]*)\]|\(prompt,\s*'(\w+)'\)", record["target"])
    if not match:
        return None
    if match.group(2):
        return match.group(2)
    kinds = [arg for arg in re.findall(r"'(\w+)'", match.group(1)) if arg.upper() in KINDS]
    return kinds[0] if kinds else None


def _injected_args(record: dict[str, Any]) -> list[str]:
    match = re.search(r"extra args: \[([^\]]*)\]", record["target"])
    return re.findall(r"'(\w+)'", match.group(1)) if match else []


KINDS = {"EFFECT", "COMPUTE", "REDUCER", "ORCHESTRATOR"}


def _value_of(
    name: str,
    requirements: ModelPRDRequirements,
    classification: ModelClassificationResult,
) -> Any:
    """Our value for one of the peer's field names (after the mapping described above)."""
    mapping: dict[str, Any] = {
        "node_type": requirements.node_type.value,
        "node_name": requirements.node_name,
        "class_stem_pascal": requirements.node_name,
        "service_name": requirements.service_name,
        "service_name_snake": requirements.service_name,
        "domain": requirements.domain,
        "description": requirements.business_description,
        "external_systems": list(requirements.external_systems),
        "functional_requirements": [*requirements.operations, *requirements.features],
        "operations": list(requirements.operations),
        "features": list(requirements.features),
        "confidence": requirements.extraction_confidence,
        "extraction_confidence": requirements.extraction_confidence,
        "node_type_confidence": requirements.field_confidence.node_type,
        "node_name_confidence": requirements.field_confidence.node_name,
        "domain_confidence": requirements.field_confidence.domain,
        "classification.node_type": classification.node_type.value,
        "classification.confidence": classification.confidence,
        "classification.template_name": classification.template_name,
    }
    return mapping[name]


def _normalise_expected(name: str, value: Any) -> Any:
    if name in {"node_type", "classification.node_type"}:
        if isinstance(value, list):
            return [str(item).lower() for item in value]
        return str(value).lower()
    if name == "external_systems" and isinstance(value, list):
        return [SYSTEM_ALIASES.get(item, item) for item in value]
    if name == "features" and isinstance(value, list):
        return [to_snake_case(item) for item in value]
    return value


def _check(operator: str, actual: Any, expected: Any) -> bool:
    checks: dict[str, Any] = {
        "eq": lambda: actual == expected,
        "ne": lambda: actual != expected,
        "min": lambda: actual >= expected,
        "max": lambda: actual <= expected,
        "gt": lambda: actual > expected,
        "lt": lambda: actual < expected,
        "one_of": lambda: actual in expected,
        "any_of": lambda: any(item in actual for item in expected),
        "min_len": lambda: len(actual) >= expected,
        "max_len": lambda: len(actual) <= expected,
        "len": lambda: len(actual) == expected,
        "gt_len": lambda: len(actual) > expected,
        "startswith": lambda: str(actual).startswith(expected),
        "contains_substring": lambda: expected in str(actual),
        "type": lambda: type(actual).__name__ == expected,
    }
    if operator == "contains":
        items = expected if isinstance(expected, list) else [expected]
        return all(item in actual for item in items)
    if operator == "not_contains":
        items = expected if isinstance(expected, list) else [expected]
        return not any(item in actual for item in items)
    return bool(checks[operator]())


def evaluate_peer_record(record: dict[str, Any]) -> PeerOutcome:
    """Run one peer record through our parser and check its mappable expectations."""
    record_id = record["id"][:3]
    expected: dict[str, dict[str, Any]] = record.get("expected") or {}
    injected = [arg for arg in _injected_args(record) if arg.upper() not in KINDS]
    checks: list[tuple[str, str, str, Any]] = []
    for raw_name, operators in expected.items():
        name = raw_name.removesuffix("(lower)")
        if name in UNMAPPABLE_FIELDS:
            continue
        for operator, value in operators.items():
            if any(arg in json.dumps(value) for arg in injected):
                continue  # depends on a name injected into the old private helper
            checks.append((raw_name, name, operator, _normalise_expected(name, value)))
    if not checks:
        return PeerOutcome(record_id, checkable=False, met=False)
    if any(name == "raises" for _, name, _, _ in checks):
        try:
            _analyze(record["prompt"] or "", _hint_for(record))
        except PromptRefusedError:
            return PeerOutcome(record_id, checkable=True, met=True)
        return PeerOutcome(record_id, True, False, ["raises: prompt was not refused"])
    try:
        if record.get("prompt") is None:
            if not record.get("requirements_input"):
                return PeerOutcome(record_id, checkable=False, met=False)
            requirements = requirements_from_mapping(record["requirements_input"])
            classification = NodeClassifier().classify(requirements)
        else:
            requirements, classification = _analyze(record["prompt"], _hint_for(record))
    except PromptRefusedError as error:
        helper_values = _helper_values(record)
        if helper_values is None:
            return PeerOutcome(record_id, True, False, [f"refused: {error.message}"])
        return _compare(record_id, checks, helper_values.get)
    return _compare(record_id, checks, lambda name: _value_of(name, requirements, classification))


def _helper_values(record: dict[str, Any]) -> dict[str, Any] | None:
    """Our extractor's answer for a fragment aimed at one of the old parser's private helpers.

    The old suite feeds sentence fragments ("in data_services domain") to private helpers.
    As a whole request such a fragment is rightly refused; the unit under test (finding a
    stated domain, name, kind, systems, requirements) is our matching ``find_*`` function.
    """
    target, prompt = record["target"], record["prompt"] or ""
    if "_extract_domain" in target and "GenerationPipeline._extract_domain" not in target:
        domain = find_stated_domain(prompt)
        return {"domain": domain, "domain_confidence": 1.0 if domain else 0.0}
    if "_extract_node_name" in target:
        name = find_stated_name(prompt)
        return {
            "node_name": name[0] if name else None,
            "node_name_confidence": name[1] if name else 0.0,
        }
    if "_extract_node_type" in target or "_detect_node_type" in target:
        kind = find_stated_kind(prompt)
        return {
            "node_type": kind[0] if kind else None,
            "node_type_confidence": kind[1] if kind else 0.0,
        }
    if "_detect_external_systems" in target:
        return {"external_systems": list(find_external_systems(prompt))}
    if "_extract_requirements" in target:
        return {"functional_requirements": [*find_operations(prompt), *find_features(prompt)]}
    return None


def _compare(record_id: str, checks: list[tuple[str, str, str, Any]], value_of: Any) -> PeerOutcome:
    failures: list[str] = []
    for raw_name, name, operator, value in checks:
        actual = value_of(name)
        if actual is None and operator not in {"ne", "not_contains"}:
            failures.append(f"{raw_name} {operator} {value!r}: no value")
            continue
        if raw_name.endswith("(lower)"):
            actual = actual.lower() if isinstance(actual, str) else actual
        if not _check(operator, actual, value):
            failures.append(f"{raw_name} {operator} {value!r}: got {actual!r}")
    return PeerOutcome(record_id, True, not failures, failures)


def evaluate_peer(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Share of the peer suite's checkable records whose expectations we meet."""
    outcomes = [evaluate_peer_record(record) for record in records]
    checkable = [outcome for outcome in outcomes if outcome.checkable]
    met = [outcome for outcome in checkable if outcome.met]
    agreed = [outcome for outcome in checkable if outcome.record_id not in DISAGREEMENTS]
    agreed_met = [outcome for outcome in agreed if outcome.met]
    reference_met = sum(1 for record in records if record.get("reference_meets_expected"))
    return {
        "records": len(records),
        "checkable": len(checkable),
        "met": len(met),
        "peer_met_share": len(met) / len(checkable),
        "peer_met_share_excluding_disagreements": len(agreed_met) / len(agreed),
        "reference_parser_met": reference_met,
        "unmet": {
            outcome.record_id: outcome.failures
            for outcome in checkable
            if not outcome.met and outcome.record_id not in DISAGREEMENTS
        },
        "disagreements": {
            record_id: {
                "reason": reason,
                "met_anyway": any(o.record_id == record_id and o.met for o in checkable),
            }
            for record_id, reason in sorted(DISAGREEMENTS.items())
        },
    }


# --- speed and machine -------------------------------------------------------------------------


def median_parse_ms(prompts: list[str], repeats: int = 50) -> float:
    """Median over prompts of each prompt's median in-process parse + classify time."""
    per_prompt: list[float] = []
    for prompt in prompts:
        _analyze(prompt)  # warm compiled patterns and caches
        timings = []
        for _ in range(repeats):
            start = time.perf_counter()
            _analyze(prompt)
            timings.append((time.perf_counter() - start) * 1000)
        per_prompt.append(statistics.median(timings))
    return statistics.median(per_prompt)


def median_cli_ms(command: list[str], runs: int = 7) -> dict[str, float]:
    """Median wall and CPU (user + system) time of a fresh process.

    CPU time is reported beside wall time because the machine is shared: when other jobs
    run, wall time grows while CPU time stays close to what an idle machine would show.
    """
    subprocess.run(command, check=True, capture_output=True)  # warm the OS file cache
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        walls.append((time.perf_counter() - start) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
    return {"wall_ms": statistics.median(walls), "cpu_ms": statistics.median(cpus)}


def machine() -> dict[str, object]:
    """Where the figures were measured."""
    return shared_machine_facts()


def run(skip_cli_timing: bool = False) -> dict[str, Any]:
    """All figures, with pass/fail against the issue's floors and budgets."""
    public_records = _load(PUBLIC)
    public = evaluate_public(public_records)
    public_2 = evaluate_public(_load(PUBLIC_2))
    peer = evaluate_peer(_load(PEER))
    written_after = evaluate_written_after(_load(WRITTEN_AFTER))
    parse_ms = median_parse_ms([record["prompt"] for record in public_records])
    prompt = public_records[0]["prompt"]
    script = str(Path(sys.executable).parent / "onexgen")
    cli_ms = typer_floor_ms = None
    if not skip_cli_timing:
        cli_ms = median_cli_ms([script, "parse", prompt, "--json"])
        typer_floor_ms = median_cli_ms([sys.executable, "-c", TYPER_FLOOR, "parse", "x", "--json"])
    figures = {**{k: v for k, v in public.items() if k != "misses"}, **peer}
    floors = {name: figures[name] >= floor for name, floor in FLOORS.items()}
    floors.update({f"public_2 {name}": public_2[name] >= floor for name, floor in FLOORS_2.items()})
    floors["parse_median_ms"] = parse_ms <= PARSE_MEDIAN_BUDGET_MS
    if cli_ms is not None:
        floors["cli_wall_ms"] = cli_ms["wall_ms"] <= CLI_WALL_BUDGET_MS
    return {
        "public": public,
        "public_2": public_2,
        "peer": peer,
        "written_after_rules": written_after,
        "parse_median_ms": parse_ms,
        "cli_onexgen_parse": cli_ms,
        "cli_minimal_typer_app": typer_floor_ms,
        "floors_met": floors,
        "machine": machine(),
    }


def _print_human(result: dict[str, Any]) -> None:
    public, peer, public_2 = result["public"], result["peer"], result["public_2"]
    print(f"prompts_public ({public['prompts']} prompts)")
    print(f"  node type accuracy      {public['node_type_accuracy']:.1%}   (floor 95%)")
    print(f"  category accuracy       {public['category_accuracy']:.1%}   (floor 95%)")
    print(f"  operation recall        {public['operation_recall']:.1%}   (floor 95%)")
    print(f"  feature recall          {public['feature_recall']:.1%}   (floor 95%)")
    print(
        f"  stated names exact      {public['stated_name_exact']:.1%} of {public['stated_names']}"
    )
    print(
        f"  stated domains exact    {public['stated_domain_exact']:.1%} "
        f"of {public['stated_domains']}"
    )
    for miss in public["misses"]:
        print(f"    miss: {miss}")
    print(f"prompts_public_2, held out ({public_2['prompts']} prompts)")
    print(f"  node type accuracy      {public_2['node_type_accuracy']:.1%}   (floor 95%)")
    print(f"  category accuracy       {public_2['category_accuracy']:.1%}   (floor 90%)")
    print(
        f"  fact recall             {public_2['fact_recall']:.1%} of "
        f"{public_2['facts_expected']}   (floor 90%)"
    )
    for miss in public_2["misses"]:
        print(f"    miss: {miss}")
    print(f"peer suite ({peer['records']} records, {peer['checkable']} checkable)")
    agreed = peer["checkable"] - len(
        [entry for entry in peer["disagreements"].values() if not entry["met_anyway"]]
    )
    print(
        f"  expectations we agree with, met   {peer['met']}/{agreed} = "
        f"{peer['peer_met_share_excluding_disagreements']:.1%}   (floor 95%)"
    )
    print(
        f"  all checkable records, met        {peer['met']}/{peer['checkable']} = "
        f"{peer['peer_met_share']:.1%}   (raw; the original parser met "
        f"{peer['reference_parser_met']} of the suite's 220 = 90%)"
    )
    for record_id, failures in sorted(peer["unmet"].items()):
        print(f"    unmet {record_id}: {'; '.join(failures)}")
    print("  deliberate disagreements:")
    for record_id, entry in peer["disagreements"].items():
        note = " (met anyway)" if entry["met_anyway"] else ""
        print(f"    {record_id}: {entry['reason']}{note}")
    later = result["written_after_rules"]
    print(
        f"prompts written after the rules ({later['prompts']}): node type "
        f"{later['node_type_accuracy']:.1%}, category {later['category_accuracy']:.1%} "
        "(first run before the last general fixes: 83% / 80%)"
    )
    print(f"median parse time         {result['parse_median_ms']:.3f} ms   (budget 2 ms)")
    if result["cli_onexgen_parse"] is not None:
        for label, key, note in (
            ("onexgen parse", "cli_onexgen_parse", "the Typer app; budget 300 ms wall"),
            ("minimal Typer app", "cli_minimal_typer_app", "Typer's own floor, 3 parameters"),
        ):
            timing = result[key]
            print(
                f"{label:<25} {timing['wall_ms']:.0f} ms wall, {timing['cpu_ms']:.0f} ms CPU   "
                f"({note})"
            )
    info = result["machine"]
    print(f"machine: {info['cores']} cores, {info['cpu_model']}, Python {info['python']}")
    failed = [name for name, ok in result["floors_met"].items() if not ok]
    print("all floors met" if not failed else f"floors NOT met: {', '.join(failed)}")


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
    parser.add_argument(
        "--skip-cli-timing", action="store_true", help="do not time `onexgen parse` processes"
    )
    args = parser.parse_args()
    result = run(skip_cli_timing=args.skip_cli_timing)
    if args.json:
        print(json.dumps(result, indent=2, sort_keys=True))
    else:
        _print_human(result)


if __name__ == "__main__":
    main()

"""The strategies at work: understanding help, proposals, quorum votes, code with a repair loop.

``StrategyEngine`` lives as long as the CLI invocation or service (one client, one circuit
breaker for every node); ``StrategySession`` is one node's run and collects what happened into a
``ModelStrategyReport``. Any model trouble degrades: an unreachable model means templates only
(with a warning), code that never passes the strict checks means the template version is kept
and the node is marked ``needs_review``.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import TYPE_CHECKING

from onexgen.models.strategy import (
    EnumGenerationStrategy,
    ModelDiagnostic,
    ModelLLMCall,
    ModelQuorumDecision,
    ModelQuorumVote,
    ModelRepairRound,
    ModelStrategyReport,
    summarise_usage,
)

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from onexgen.llm.candidate import Candidate
    from onexgen.llm.client import LLMClient
    from onexgen.llm.schemas import ModelRequirementsAnswer
    from onexgen.llm.settings import ModelLLMSettings, ModelStrategyChoice
    from onexgen.llm.targets import CodeTarget
    from onexgen.models.classification import ModelClassificationResult
    from onexgen.models.rendered import ModelRenderedNode
    from onexgen.models.requirements import ModelPRDRequirements

S = EnumGenerationStrategy


class StrategyEngine:
    """Owns the model client; hands out one session per node."""

    def __init__(self, settings: ModelLLMSettings) -> None:
        self.settings = settings
        self._client: LLMClient | None = None

    def client(self) -> LLMClient:
        """The client, created (and ``openai`` imported) on first use."""
        if self._client is None:
            from onexgen.llm.client import LLMClient

            self._client = LLMClient(self.settings)
        return self._client

    def session(self, choice: ModelStrategyChoice) -> StrategySession:
        """A fresh per-node session for ``choice``."""
        return StrategySession(self, choice)

    async def aclose(self) -> None:
        """Close the client's connections."""
        if self._client is not None:
            await self._client.close()
            self._client = None


class StrategySession:
    """One node's dealings with the models."""

    def __init__(self, engine: StrategyEngine, choice: ModelStrategyChoice) -> None:
        self.engine = engine
        self.settings = engine.settings
        self.choice = choice
        self.used = choice.used
        self.reason = choice.reason
        self.calls: list[ModelLLMCall] = []
        self.warnings: list[str] = []
        self.quorum: list[ModelQuorumDecision] = []
        self.disagreements: list[str] = []
        self.proposals: list[str] = []
        self.rounds: list[ModelRepairRound] = []
        self.methods: tuple[str, ...] = ()
        self.test_file: str | None = None
        self.needs_review = False
        self.review_reason = ""
        self.model: str | None = None
        self._busy_s = 0.0
        self._excluded_s = 0.0

    @property
    def active(self) -> bool:
        """Whether models are still asked (not jinja2, no fallback yet)."""
        return self.used is not S.JINJA2

    # -- degradation ----------------------------------------------------------------------------

    def _fall_back(self, why: str) -> None:
        self.used = S.JINJA2
        self.reason = f"fell back to jinja2: {why}"
        self.warnings.append(
            self.settings.redact(f"model unavailable ({why}); the templates' version was used")
        )

    # -- understanding help, proposals and votes ------------------------------------------------

    async def understand(
        self, requirements: ModelPRDRequirements, classification: ModelClassificationResult
    ) -> tuple[ModelPRDRequirements, ModelClassificationResult]:
        """Ask for the requirements when the rules are unsure, the strategy is ``llm``, or a
        quorum is on; apply what wins (what the user stated explicitly always wins)."""
        if not self.active:
            return requirements, classification
        quorum = self.settings.enable_quorum and len(self.settings.quorum_models) > 1
        # A threshold of 1.0 means "always ask": a stated kind is certain (1.0) since issue 9.
        threshold = self.settings.confidence_threshold
        unsure = threshold >= 1.0 or classification.confidence < threshold
        if not (quorum or unsure or self.used is S.LLM):
            return requirements, classification
        started = time.perf_counter()
        try:
            models = self.settings.quorum_models if quorum else self.settings.code_models[:1]
            text = requirements.original_prompt or requirements.business_description
            answers = await self._ask_requirements(models, text)
            if answers is None:
                return requirements, classification
            updates: dict[str, object] = {}
            kind = self._decide(
                "node_type",
                {m: (a.node_type, a.reason) for m, a in answers.items()},
                len(models),
                requirements.node_type.value,
                stated="node_type" in requirements.explicit_fields,
                enabled=quorum or unsure,
            )
            if kind is not None:
                updates["node_type"] = kind
            operations = self._decide(
                "operations",
                {m: (",".join(a.operations), a.reason) for m, a in answers.items()},
                len(models),
                ",".join(sorted(requirements.operations)),
                stated=False,
                enabled=quorum or self.used is S.LLM,
            )
            if operations:
                updates["operations"] = tuple(operations.split(","))
            if self.used is S.LLM:
                facts = self._proposed_facts(requirements, answers)
                if facts is not None:
                    updates["facts"] = facts
            if not updates:
                return requirements, classification
            return _apply(requirements, updates)
        finally:
            self._busy_s += time.perf_counter() - started

    def _proposed_facts(
        self,
        requirements: ModelPRDRequirements,
        answers: dict[str, ModelRequirementsAnswer],
    ) -> dict[str, object] | None:
        """``llm``: the model's output fields and grouping keys, where the request named none
        (the templates render them like stated facts; the source says who proposed them)."""
        model, answer = sorted(answers.items())[0]
        facts = requirements.facts.model_dump()
        source = f"proposed by {model}"
        changed = False
        if not facts["outputs"] and answer.output_fields:
            facts["outputs"] = [{"name": n, "source": source} for n in answer.output_fields]
            changed = True
        if not facts["group_by"] and answer.group_by:
            facts["group_by"] = [{"name": n, "source": source} for n in answer.group_by]
            changed = True
        if changed:
            self.proposals.append(
                f"fields proposed by {model}: outputs {answer.output_fields}, "
                f"group_by {answer.group_by}"
            )
        return facts if changed else None

    async def _ask_requirements(
        self, models: tuple[str, ...], prompt: str
    ) -> dict[str, ModelRequirementsAnswer] | None:
        from onexgen.llm.client import LLMAnswerError, LLMUnavailableError
        from onexgen.llm.prompts import requirements_prompt, requirements_system
        from onexgen.llm.schemas import ModelRequirementsAnswer

        answers: dict[str, ModelRequirementsAnswer] = {}
        unavailable: list[str] = []
        for model in models:
            try:
                reply = await self.engine.client().ask(
                    model=model,
                    stage="understanding",
                    system=requirements_system(),
                    user=requirements_prompt(prompt),
                    schema=ModelRequirementsAnswer,
                )
            except LLMUnavailableError as exc:
                self.calls.append(exc.call)
                unavailable.append(str(exc))
                continue
            except LLMAnswerError as exc:
                self.calls.append(exc.call)
                self.warnings.append(f"ignored {model}'s requirements: {exc}")
                continue
            self.calls.append(reply.call)
            answers[model] = reply.value
        if len(unavailable) == len(models):
            self._fall_back(unavailable[0])
            return None
        return answers

    def _decide(
        self,
        subject: str,
        answers: dict[str, tuple[str, str]],
        voters: int,
        rules: str,
        *,
        stated: bool,
        enabled: bool,
    ) -> str | None:
        """The value to apply for ``subject`` (None: keep the rules'); records votes and
        disagreements. One model needs no vote; several need the agreement threshold."""
        if not answers or not enabled:
            return None
        votes = tuple(
            ModelQuorumVote(model=m, subject=subject, answer=a, reason=r)
            for m, (a, r) in sorted(answers.items())
        )
        top, count = Counter(a for a, _ in answers.values()).most_common(1)[0]
        agreement = count / max(voters, 1)
        if voters > 1:
            if agreement < self.settings.quorum_agreement:
                self.quorum.append(
                    ModelQuorumDecision(
                        subject=subject,
                        votes=votes,
                        winner=None,
                        agreement=round(agreement, 3),
                        reason=f"agreement {agreement:.2f} < {self.settings.quorum_agreement}: "
                        "the rules decided",
                    )
                )
                self.warnings.append(
                    f"no quorum on {subject} (agreement {agreement:.2f} < "
                    f"{self.settings.quorum_agreement}); the rules' {rules or 'default'} was kept"
                )
                return None
            self.quorum.append(
                ModelQuorumDecision(
                    subject=subject,
                    votes=votes,
                    winner=top,
                    agreement=round(agreement, 3),
                    reason=f"{count} of {voters} models agree",
                )
            )
        if not top or top == rules:
            return None
        if stated:
            self.disagreements.append(
                f"{subject}: the model says {top!r}, the request states {rules!r}; the request wins"
            )
            return None
        self.disagreements.append(
            f"{subject}: the rules said {rules!r}, the model {top!r}; the model's was used"
        )
        return top

    # -- code -----------------------------------------------------------------------------------

    async def write_code(
        self,
        rendered: ModelRenderedNode,
        requirements: ModelPRDRequirements,
        destination: Path | None = None,
    ) -> ModelRenderedNode:
        """``rendered`` with model-written bodies and tests that passed the strict checks; else
        ``rendered`` unchanged (and ``needs_review`` set when code was rejected)."""
        if not self.active:
            return rendered
        from onexgen.llm.targets import find_all_targets

        started = time.perf_counter()
        try:
            files = {f.path: f.content for f in rendered.files}
            targets = find_all_targets(files)
            if not targets:
                self.reason += "; no method left for a model to write"
                return rendered
            test_path = f"tests/test_{requirements.service_name}_behaviour.py"
            candidates: list[Candidate] = []
            unavailable: list[str] = []
            rejected: dict[str, str] = {}
            for model in self.settings.code_models:
                try:
                    found = await self._repair_loop(
                        model,
                        package_name=rendered.package_name,
                        files=files,
                        targets=targets,
                        requirements=requirements,
                        test_path=test_path,
                        destination=destination,
                    )
                except _UnavailableError as exc:
                    unavailable.append(exc.why)
                    rejected[model] = f"unavailable: {exc.why}"
                    continue
                if found is not None:
                    candidates.append(found)
                else:
                    rejected[model] = (
                        f"no candidate passed the strict checks in "
                        f"{self.settings.max_repair_rounds} rounds"
                    )
            if len(unavailable) == len(self.settings.code_models):
                self._fall_back(unavailable[0])
                return rendered
            if not candidates:
                if len(self.settings.code_models) > 1:
                    self.quorum.append(
                        ModelQuorumDecision(
                            subject="code",
                            votes=_rejected_votes(rejected),
                            winner=None,
                            agreement=0.0,
                            reason="no model's code passed: the template version was kept",
                        )
                    )
                self.needs_review = True
                last = next((r for r in reversed(self.rounds) if r.diagnostics), None)
                first = f"; last finding: {last.diagnostics[0]}" if last else ""
                self.review_reason = (
                    f"no model-written code passed the strict checks in "
                    f"{self.settings.max_repair_rounds} rounds{first}"
                )[:600]
                self.warnings.append(
                    f"needs review: {self.review_reason}; the template version was kept"
                )
                return rendered
            best = await self._choose(candidates, rejected, rendered.package_name, test_path)
            self.methods = best.methods
            self.model = best.model
            self.test_file = test_path
            from onexgen.models.rendered import ModelRenderedFile

            changed = tuple(
                ModelRenderedFile(path=path, content=text)
                for path, text in sorted(best.files.items())
                if files.get(path) != text
            )
            return rendered.with_files(changed, {})
        finally:
            self._busy_s += time.perf_counter() - started

    async def _repair_loop(
        self,
        model: str,
        *,
        package_name: str,
        files: dict[str, str],
        targets: tuple[CodeTarget, ...],
        requirements: ModelPRDRequirements,
        test_path: str,
        destination: Path | None,
    ) -> Candidate | None:
        """Up to ``max_repair_rounds`` answers from ``model``; the first that passes wins."""
        from onexgen.llm.candidate import Candidate, apply_answer, check_candidate, diagnostics
        from onexgen.llm.client import LLMAnswerError, LLMUnavailableError
        from onexgen.llm.prompts import code_prompt, code_system, repair_prompt
        from onexgen.llm.schemas import ModelCodeAnswer
        from onexgen.llm.targets import CodeAnswerError

        base = code_prompt(requirements, files, targets, test_path)
        previous = ""
        findings: tuple[ModelDiagnostic, ...] = ()
        for number in range(1, self.settings.max_repair_rounds + 1):
            user = base if number == 1 else base + "\n\n" + repair_prompt(previous, findings)
            try:
                reply = await self.engine.client().ask(
                    model=model,
                    stage="code" if number == 1 else f"repair_{number}",
                    system=code_system(),
                    user=user,
                    schema=ModelCodeAnswer,
                )
            except LLMUnavailableError as exc:
                self.calls.append(exc.call)
                if number == 1:
                    raise _UnavailableError(str(exc)) from None
                self.warnings.append(f"{exc}; the repair loop of {model} stopped")
                return None
            except LLMAnswerError as exc:
                self.calls.append(exc.call)
                findings = (ModelDiagnostic(tool="json", code="json", message=str(exc)),)
                previous = "(no usable JSON)"
                self.rounds.append(
                    ModelRepairRound(
                        round=number, model=model, accepted=False, diagnostics=findings
                    )
                )
                continue
            self.calls.append(reply.call)
            previous = reply.value.model_dump_json()
            try:
                candidate_files, methods = apply_answer(files, targets, reply.value, test_path)
            except CodeAnswerError as exc:
                findings = (ModelDiagnostic(tool="ast", code="ast", message=str(exc)),)
                self.rounds.append(
                    ModelRepairRound(
                        round=number, model=model, accepted=False, diagnostics=findings
                    )
                )
                continue
            checked_at = time.perf_counter()
            formatted, validation = await check_candidate(
                candidate_files, package_name, destination
            )
            self._excluded_s += time.perf_counter() - checked_at
            candidate = Candidate(model, number, formatted, validation, methods)
            findings = () if candidate.accepted else diagnostics(validation)
            self.rounds.append(
                ModelRepairRound(
                    round=number,
                    model=model,
                    accepted=candidate.accepted,
                    quality_score=validation.quality_score,
                    diagnostics=findings,
                )
            )
            if candidate.accepted:
                return candidate
        return None

    async def _choose(
        self,
        candidates: list[Candidate],
        rejected: dict[str, str],
        package_name: str,
        test_path: str,
    ) -> Candidate:
        """Best score wins; a tie goes to the candidate that passes most of the others' tests."""
        if len(candidates) == 1 and len(self.settings.code_models) == 1:
            return candidates[0]
        top = max(c.score for c in candidates)
        tied = [c for c in candidates if c.score == top]
        agreement = dict.fromkeys((c.model for c in tied), 0)
        if len(tied) > 1:
            checked_at = time.perf_counter()
            agreement = await _test_agreement(tied, package_name, test_path)
            self._excluded_s += time.perf_counter() - checked_at
        best = max(tied, key=lambda c: (agreement[c.model], -candidates.index(c)))
        self.quorum.append(
            ModelQuorumDecision(
                subject="code",
                votes=tuple(
                    ModelQuorumVote(
                        model=c.model,
                        subject="code",
                        answer=", ".join(c.methods),
                        reason=(
                            f"quality {c.score:.2f}"
                            + (
                                f", passes {agreement[c.model]} of the others' tests"
                                if c.model in agreement and len(tied) > 1
                                else ""
                            )
                        ),
                        score=c.score,
                    )
                    for c in candidates
                )
                + _rejected_votes(rejected),
                winner=best.model,
                agreement=round(len(candidates) / len(self.settings.code_models), 3),
                reason="best quality score"
                + (", tie broken by agreement of test results" if len(tied) > 1 else ""),
            )
        )
        return best

    # -- report ---------------------------------------------------------------------------------

    def report(self) -> ModelStrategyReport:
        """What this session did."""
        calls = tuple(self.calls)
        model_s = sum(c.latency_ms for c in calls) / 1000.0
        overhead = max(0.0, self._busy_s - model_s - self._excluded_s) * 1000.0
        return ModelStrategyReport(
            requested=self.choice.requested,
            used=self.used,
            reason=self.reason,
            model=self.model or (self.settings.code_models[0] if self.active else None),
            needs_review=self.needs_review,
            review_reason=self.review_reason,
            methods_written=self.methods,
            test_file=self.test_file,
            rounds=tuple(self.rounds),
            quorum=tuple(self.quorum),
            disagreements=tuple(self.disagreements),
            proposals=tuple(self.proposals),
            calls=calls,
            usage=summarise_usage(calls),
            overhead_ms=round(overhead, 3),
            checks_ms=round(self._excluded_s * 1000.0, 3),
            busy_ms=round(self._busy_s * 1000.0, 3),
            warnings=tuple(self.warnings),
        )


def _rejected_votes(rejected: dict[str, str]) -> tuple[ModelQuorumVote, ...]:
    """Code votes of the models whose code did not count, with why."""
    return tuple(
        ModelQuorumVote(model=model, subject="code", answer="", reason=f"rejected: {why}")
        for model, why in sorted(rejected.items())
    )


class _UnavailableError(Exception):
    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


def _apply(
    requirements: ModelPRDRequirements, updates: dict[str, object]
) -> tuple[ModelPRDRequirements, ModelClassificationResult]:
    """Requirements re-validated with ``updates``; the classifier confirms the kind again."""
    from onexgen.models.requirements import ModelPRDRequirements
    from onexgen.parsing import NodeClassifier

    data = requirements.model_dump()
    data.update(updates)
    updated = ModelPRDRequirements.model_validate(data)
    reclassified = NodeClassifier().classify(updated)
    if reclassified.node_type is not updated.node_type:
        reclassified = reclassified.model_copy(update={"node_type": updated.node_type})
    return updated, reclassified


async def _test_agreement(
    tied: list[Candidate], package_name: str, test_path: str
) -> dict[str, int]:
    """For each tied candidate: how many of the other candidates' test modules pass against its
    implementation (each run in a subprocess, through the tool runner)."""
    import tempfile
    from pathlib import Path

    from onexgen.testing.test_executor import TestExecutor

    scores: dict[str, int] = {}
    for candidate in tied:
        others = [c for c in tied if c is not candidate]
        with tempfile.TemporaryDirectory(prefix="onexgen-quorum-") as tmp:
            node_dir = Path(tmp) / package_name
            files = dict(candidate.files)
            files.pop(test_path, None)
            stem = test_path.removesuffix(".py")
            for index, other in enumerate(others):
                files[f"{stem}_{index}.py"] = other.files[test_path]
            for path, text in files.items():
                target = node_dir / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
            results = await TestExecutor().run(node_dir)
        failed_files = {f.file for f in results.failed_tests}
        scores[candidate.model] = sum(
            1 for index in range(len(others)) if f"{stem}_{index}.py" not in failed_files
        )
        await asyncio.sleep(0)
    return scores


def engine_from_env(environ: Mapping[str, str] | None = None) -> StrategyEngine | None:
    """One engine for a long-lived process (the service, a worker) when a model is configured
    (``ONEXGEN_LLM_*``); None: templates only, and ``hybrid``/``llm`` requests are refused."""
    import os

    from onexgen.llm.settings import settings_from_env

    settings = settings_from_env(os.environ if environ is None else environ)
    return StrategyEngine(settings) if settings.configured else None

"""Batched validation: one mypy and one pytest run, every finding attributed to its own node."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from onexgen.batch.batched_validation import validate_batch
from onexgen.models.validation import EnumValidationLevel
from onexgen.validation.quality_validator import QualityValidator

FIXTURE = Path(__file__).parents[1] / "validation" / "fixtures" / "node_postgres_writer_effect"


def _package(root: Path, name: str, files: dict[str, str]) -> Path:
    node = root / name
    for rel, text in {"__init__.py": "", **files}.items():
        path = node / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return node


def test_findings_are_attributed_to_the_node_that_has_them(tmp_path: Path) -> None:
    clean = _package(
        tmp_path,
        "node_clean",
        {
            "logic.py": "def double(x: int) -> int:\n    return 2 * x\n",
            "tests/__init__.py": "",
            "tests/test_logic.py": (
                "from ..logic import double\n\n\n"
                "def test_double() -> None:\n    assert double(2) == 4\n"
            ),
        },
    )
    broken = _package(
        tmp_path,
        "node_broken",
        {
            "logic.py": 'def double(x: int) -> int:\n    return "no"\n',
            "tests/__init__.py": "",
            "tests/test_logic.py": (
                "from ..logic import double\n\n\n"
                "def test_double() -> None:\n    assert double(2) == 4\n"
            ),
        },
    )
    cache = tmp_path / "mypy_cache"
    result = asyncio.run(validate_batch([broken, clean], mypy_cache=cache))

    assert [n.node_dir for n in result.nodes] == [str(broken), str(clean)]
    assert [r.tool for r in result.runs] == ["mypy", "pytest"]
    assert all(run.node_count == 2 for run in result.runs)

    good = result.for_node(clean)
    assert good.passed
    assert good.type_issues == ()
    assert good.tests is not None
    assert (good.tests.passed, good.tests.failed) == (1, 0)
    assert good.tests.coverage_percent == 100.0

    bad = result.for_node(broken)
    assert not bad.passed
    assert [(i.file, i.line, i.code) for i in bad.type_issues] == [
        ("logic.py", 2, "mypy:return-value")
    ]
    assert bad.tests is not None
    assert (bad.tests.passed, bad.tests.failed) == (0, 1)
    assert bad.tests.failed_tests[0].name == "tests/test_logic.py::test_double"
    assert result.unattributed == ()
    assert not (clean / "__pycache__").exists(), "tools must not litter the output directory"


def test_a_node_whose_conftest_breaks_pytest_does_not_take_the_others_down(
    tmp_path: Path,
) -> None:
    clean = _package(
        tmp_path,
        "node_clean",
        {"tests/__init__.py": "", "tests/test_ok.py": "def test_ok() -> None:\n    pass\n"},
    )
    broken = _package(
        tmp_path,
        "node_conftest",
        {
            "tests/__init__.py": "",
            "tests/conftest.py": "import module_that_does_not_exist\n",
            "tests/test_ok.py": "def test_ok() -> None:\n    pass\n",
        },
    )
    result = asyncio.run(
        validate_batch([clean, broken], type_check=False, mypy_cache=tmp_path / "cache")
    )
    assert [r.tool for r in result.runs] == ["pytest"]
    good = result.for_node(clean).tests
    bad = result.for_node(broken).tests
    assert good is not None
    assert bad is not None
    assert good.is_passing
    assert not bad.is_passing
    assert "module_that_does_not_exist" in bad.failed_tests[0].error


@pytest.mark.slow
def test_real_nodes_share_one_run_and_a_failing_one_is_singled_out(tmp_path: Path) -> None:
    good = tmp_path / "node_good_effect"
    bad = tmp_path / "node_bad_effect"
    shutil.copytree(FIXTURE, good)
    shutil.copytree(FIXTURE, bad)
    test_file = bad / "tests" / "unit" / "test_handler_postgres_writer.py"
    text = test_file.read_text(encoding="utf-8")
    test_file.write_text(
        text.replace("result.affected_rows == 1", "result.affected_rows == 2"), encoding="utf-8"
    )
    handler = bad / "handlers" / "handler_postgres_writer.py"
    handler.write_text(
        handler.read_text(encoding="utf-8") + "\n\nBROKEN: int = 'text'\n", encoding="utf-8"
    )

    result = asyncio.run(validate_batch([good, bad]))

    ok = result.for_node(good)
    assert ok.passed, ok
    assert ok.tests is not None
    assert ok.tests.passed >= 5
    failing = result.for_node(bad)
    assert [i.code for i in failing.type_issues] == ["mypy:assignment"]
    assert failing.type_issues[0].file == "handlers/handler_postgres_writer.py"
    assert failing.tests is not None
    assert [f.name for f in failing.tests.failed_tests] == [
        "tests/unit/test_handler_postgres_writer.py::test_create_inserts_one_row"
    ]
    assert failing.tests.passed == ok.tests.passed - 1


@pytest.mark.slow
def test_strict_batch_result_equals_single_node_validation(tmp_path: Path) -> None:
    """Batching changes how often the tools run, never what a node scores."""
    node = tmp_path / FIXTURE.name
    shutil.copytree(FIXTURE, node)
    noisy = _package(
        tmp_path,
        "node_noisy_compute",
        {
            "logic.py": "def f(x):\n    return x\n",
            "tests/__init__.py": "",
            "tests/test_logic.py": "def test_fails() -> None:\n    assert False\n",
        },
    )
    failing = tmp_path / "node_failing_effect"
    shutil.copytree(FIXTURE, failing)
    test_file = failing / "tests" / "unit" / "test_handler_postgres_writer.py"
    test_file.write_text(
        test_file.read_text(encoding="utf-8").replace(
            "result.affected_rows == 1", "result.affected_rows == 2"
        ),
        encoding="utf-8",
    )
    batch = asyncio.run(validate_batch([node, noisy, failing], level=EnumValidationLevel.STRICT))
    # the failing node too: its failed test is read and scored by the same functions
    for each in (node, failing):
        batched = batch.for_node(each).validation
        alone = QualityValidator().validate_sync(each, EnumValidationLevel.STRICT)
        assert batched is not None
        assert batched.passed == alone.passed
        assert batched.quality_score == alone.quality_score
        assert batched.component_scores == alone.component_scores
        assert batched.issues == alone.issues
        assert batched.tools_run == alone.tools_run
    assert any(i.code == "TEST:assertion_error" for i in alone.issues)
    assert [run.tool for run in batch.runs] == ["mypy", "pytest", "onex validate"]
    other = batch.for_node(noisy).validation
    assert other is not None
    assert not other.passed

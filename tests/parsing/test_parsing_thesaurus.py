"""The action vocabulary is seeds plus WordNet's synonyms (issue 9: synonyms come from a library
that ships its data, not from hand-kept lists)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from onexgen.parsing.lexicon import ACTION_SEEDS, UNDO_SEEDS
from onexgen.parsing.thesaurus import (
    TABLE,
    action_kind,
    concepts,
    expanded_concepts,
    seeds_digest,
    undo_actions,
)

ROOT = Path(__file__).resolve().parents[2]


def test_wordnet_synonyms_of_the_seeds_carry_the_seed_kind() -> None:
    # none of these is a seed: each comes from WordNet through a seed's first sense
    derived = {
        "superintend": "orchestrator",  # supervise
        "oversee": "orchestrator",  # supervise
        "decipher": "compute",  # decode
        "calculate": "compute",  # compute
        "amass": "reducer",  # collect
        "accumulate": "reducer",  # collect
        "synchronize": "effect",  # sync
        "apprise": "effect",  # notify
    }
    for word, kind in derived.items():
        assert word not in ACTION_SEEDS, word
        assert action_kind(word) == kind, word


def test_undo_actions_grow_through_wordnet_too() -> None:
    for word in ("annul", "countermand", "revoke", "nullify"):
        assert word not in UNDO_SEEDS
        assert word in undo_actions(), word


def test_seeds_keep_their_own_kind() -> None:
    for word, kind in ACTION_SEEDS.items():
        assert action_kind(word) == kind, word


def test_vague_and_mostly_noun_words_are_not_actions() -> None:
    # "sanctions screening" is a noun phrase; "go"/"hold" have dozens of senses; "die" would
    # come in through "expire" only by a rare sense of it
    for word in ("sanction", "go", "hold", "die", "table", "number"):
        assert action_kind(word) is None, word


def test_the_committed_table_is_wordnets_expansion_of_the_current_seeds() -> None:
    """The table is rebuilt from WordNet (``wn`` parses the whole database: seconds, 350 MB, so
    in its own process) and must equal the committed one."""
    committed = json.loads(TABLE.read_text(encoding="utf-8"))
    assert committed["seeds_digest"] == seeds_digest(concepts()), "run scripts/build_synonyms.py"
    assert expanded_concepts() == committed["synonyms"]
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_synonyms.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr


def test_doer_nouns_come_from_wordnet_derivations() -> None:
    from onexgen.parsing.lexicon import AGENT_NOUNS
    from onexgen.parsing.thesaurus import agent_noun

    derived = {"detect": "detector", "compress": "compressor", "split": "splitter"}
    for action, noun in derived.items():
        assert action not in AGENT_NOUNS
        assert agent_noun(action) == noun
    assert agent_noun("frobnicate") is None  # the regular -er rule names it


def test_a_node_is_named_after_the_derived_doer() -> None:
    from onexgen.parsing import PRDAnalyzer

    analyzer = PRDAnalyzer()
    assert analyzer.analyze_prompt("Detect faces in each uploaded photo").node_name == (
        "FaceDetector"
    )
    assert analyzer.analyze_prompt("Compress log archives with zstd").node_name == (
        "LogArchiveCompressor"
    )

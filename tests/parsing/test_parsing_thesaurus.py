"""The action vocabulary is seeds plus WordNet's synonyms (issue 9: synonyms come from a library
that ships its data, not from hand-kept lists)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import TYPE_CHECKING

from onexgen.parsing.lexicon import ACTION_SEEDS, UNDO_SEEDS
from onexgen.parsing.thesaurus import action_kind, expanded_concepts, undo_actions

if TYPE_CHECKING:
    from pathlib import Path


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


def test_the_expansion_is_cached_and_rebuilt_without_a_cache_root(tmp_path: Path) -> None:
    """A fresh cache root is filled once; an unwritable one costs time, never correctness."""
    script = (
        "import json; from onexgen.parsing.thesaurus import expanded_concepts;"
        " print(json.dumps(expanded_concepts(), sort_keys=True))"
    )
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the cache root should be", encoding="utf-8")
    outputs = []
    for root in (tmp_path / "cache", blocked):
        done = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "ONEXGEN_CACHE_DIR": str(root)},
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(json.loads(done.stdout))
    assert outputs[0] == outputs[1] == expanded_concepts()
    assert len(list((tmp_path / "cache" / "thesaurus").glob("wordnet-*.json"))) == 1

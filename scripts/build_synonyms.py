"""Rebuild ``src/onexgen/parsing/data/wordnet_synonyms.json`` from WordNet.

Run after changing a seed in ``parsing/lexicon.py`` or a rule in ``parsing/thesaurus.py``:
``.venv/bin/python scripts/build_synonyms.py``. The table is the library's expansion of the
seeds, never edited by hand. ``--check`` rebuilds it without writing and exits 1 when the
committed file differs (``tests/parsing/test_parsing_thesaurus.py`` runs that; in its own
process, because WordNet holds about 350 MB once loaded).
"""

from __future__ import annotations

import json
import sys

from onexgen.parsing.thesaurus import TABLE, build_table


def main(argv: list[str]) -> int:
    text = json.dumps(build_table(), indent=1, sort_keys=True) + "\n"
    if "--check" in argv:
        if TABLE.read_text(encoding="utf-8") != text:
            print(f"{TABLE} is stale: run scripts/build_synonyms.py", file=sys.stderr)
            return 1
        print(f"{TABLE} is WordNet's expansion of the current seeds")
        return 0
    TABLE.parent.mkdir(parents=True, exist_ok=True)
    TABLE.write_text(text, encoding="utf-8")
    print(f"{TABLE}: rebuilt")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

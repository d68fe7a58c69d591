"""Rebuild ``src/onexgen/parsing/data/wordnet_synonyms.json`` from WordNet.

Run after changing a seed in ``parsing/lexicon.py`` or a rule in ``parsing/thesaurus.py``:
``.venv/bin/python scripts/build_synonyms.py``. The table is the library's expansion of the
seeds, never edited by hand; ``tests/parsing/test_parsing_thesaurus.py`` rebuilds it and
fails when the committed file differs.
"""

from __future__ import annotations

import json

from onexgen.parsing.thesaurus import TABLE, build_table


def main() -> None:
    table = build_table()
    TABLE.parent.mkdir(parents=True, exist_ok=True)
    TABLE.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    synonyms = table["synonyms"]
    print(f"{TABLE}: {len(synonyms) if isinstance(synonyms, dict) else 0} synonyms")


if __name__ == "__main__":
    main()

"""English lemmas ("reserved" -> reserve, "copies" -> copy) from simplemma's bundled dictionary.

Inflections come from a library that ships its data instead of hand-written suffix rules.
Loading simplemma's English dictionary costs about 0.3 s of CPU (an LZMA pickle of 180,000
forms), more than the whole ``onexgen parse`` budget, so the first use copies it once into an
SQLite table under the cache root (``onexgen.cache_dirs``); later processes look words up in
it for microseconds. The file name carries the dictionary's size and mtime, so a new simplemma
release builds a fresh table.
"""

from __future__ import annotations

import functools
import os
import sqlite3
from importlib.util import find_spec
from pathlib import Path

from onexgen.cache_dirs import user_cache_dir

_LANGUAGE = "en"


def _dictionary_file() -> Path:
    spec = find_spec("simplemma")
    if spec is None or spec.origin is None:  # pragma: no cover - a declared dependency
        raise RuntimeError("simplemma is not installed; run ./scripts/setup.sh")
    data = Path(spec.origin).parent / "strategies" / "dictionaries" / "data"
    return data / f"{_LANGUAGE}.plzma"


def _table_path() -> Path:
    source = _dictionary_file()
    stat = source.stat()
    return (
        user_cache_dir() / "lemmas" / f"simplemma-{_LANGUAGE}-{stat.st_size}-{stat.st_mtime_ns}.db"
    )


def _build_table(path: Path) -> None:
    """Copy simplemma's dictionary into an SQLite table (atomically: temp file, then rename)."""
    import tempfile

    from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

    dictionary = DefaultDictionaryFactory().get_dictionary(_LANGUAGE)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(handle)
    try:
        with sqlite3.connect(temporary) as connection:
            connection.execute(
                "CREATE TABLE lemma (form TEXT PRIMARY KEY, lemma TEXT) WITHOUT ROWID"
            )
            connection.executemany(
                "INSERT OR REPLACE INTO lemma VALUES (?, ?)",
                ((form, str(lemma)) for form, lemma in dictionary.items()),
            )
        connection.close()
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


@functools.cache
def _connection() -> sqlite3.Connection:
    path = _table_path()
    try:
        if not path.exists():
            _build_table(path)
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    except (OSError, sqlite3.Error):
        # no writable cache root (read-only home, sandbox): same table, in memory, per process
        from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

        memory = sqlite3.connect(":memory:", check_same_thread=False)
        memory.execute("CREATE TABLE lemma (form TEXT PRIMARY KEY, lemma TEXT) WITHOUT ROWID")
        dictionary = DefaultDictionaryFactory().get_dictionary(_LANGUAGE)
        memory.executemany(
            "INSERT OR REPLACE INTO lemma VALUES (?, ?)",
            ((form, str(value)) for form, value in dictionary.items()),
        )
        return memory


@functools.lru_cache(maxsize=4096)
def lemma(word: str) -> str:
    """The dictionary form of ``word`` in lower case; the word itself when it is unknown."""
    lowered = word.lower()
    row = (
        _connection()
        .execute(
            "SELECT lemma FROM lemma WHERE form IN (?, ?) ORDER BY form = ? DESC LIMIT 1",
            (word, lowered, lowered),
        )
        .fetchone()
    )
    return str(row[0]).lower() if row else lowered


__all__ = ["lemma"]

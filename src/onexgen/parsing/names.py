"""Node names: stated names kept as written, converted between PascalCase and snake_case.

The conversions keep acronyms and brand spellings, so ``PostgresCRUD -> postgres_crud ->
PostgresCRUD``, ``RestAPI -> rest_api -> RestAPI``, ``APIClient -> api_client -> APIClient`` and
``PostgreSQLWriter -> postgresql_writer -> PostgreSQLWriter``. Every result is a valid Python
identifier that is not a keyword.
"""

from __future__ import annotations

import keyword
import re
import unicodedata

ACRONYMS: frozenset[str] = frozenset(
    str.split(
        """
    api apis crud http https sql json xml csv yaml url uri id ids uuid io ml ai llm jwt tls ssl
    aes rsa gcm s3 sqs sns smtp imap tcp udp ip dns cdn cpu gpu etl kv ttl rpc grpc fsm sdk cli
    db ui html css pdf ldap saml sso oauth2 mq ssh ftp sftp iot nlp ocr
    """
    )
)

BRANDS: dict[str, str] = {
    brand.lower(): brand
    for brand in (
        "PostgreSQL",
        "MySQL",
        "MariaDB",
        "SQLite",
        "MongoDB",
        "DynamoDB",
        "ClickHouse",
        "BigQuery",
        "InfluxDB",
        "RabbitMQ",
        "GitHub",
        "GitLab",
        "OpenAI",
        "OAuth",
        "GraphQL",
        "JavaScript",
        "TypeScript",
        "OpenSearch",
        "SendGrid",
        "PagerDuty",
        "Neo4j",
    )
}

_BRAND_SPLIT = re.compile(
    "|".join(sorted((re.escape(b) for b in BRANDS.values()), key=lambda b: (-len(b), b)))
)
_CAMEL_WORD = re.compile(r"[A-Z]+\d*(?=[A-Z][a-z])|[A-Z]?[a-z]+\d*|[A-Z]+\d*|\d+")
_PASCAL = re.compile(r"^[A-Z][A-Za-z0-9]*$")


def _ascii(text: str) -> str:
    """Drop accents and anything that cannot appear in a Python identifier we generate."""
    normalized = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in normalized if ch.isascii())


def split_words(name: str) -> list[str]:
    """Split an identifier or phrase into words, keeping acronyms and brand names whole."""
    words: list[str] = []
    for chunk in re.split(r"[^A-Za-z0-9]+", _ascii(name)):
        if not chunk:
            continue
        position = 0
        for brand in _BRAND_SPLIT.finditer(chunk):
            words.extend(_CAMEL_WORD.findall(chunk[position : brand.start()]))
            words.append(brand.group(0))
            position = brand.end()
        words.extend(_CAMEL_WORD.findall(chunk[position:]))
    return words


def _pascal_word(word: str) -> str:
    lower = word.lower()
    if lower in BRANDS:
        return BRANDS[lower]
    if lower in ACRONYMS:
        return word.upper()
    if word.isupper() and len(word) > 1:
        # An all-capitals word the user wrote (e.g. "CRUD") is an acronym we do not know yet.
        return word
    return word[:1].upper() + word[1:]


def to_pascal_case(name: str) -> str:
    """PascalCase class stem; a name already in PascalCase is returned exactly as written."""
    cleaned = _ascii(name).strip()
    if _PASCAL.match(cleaned):
        result = cleaned
    else:
        result = "".join(_pascal_word(word) for word in split_words(cleaned))
    if not result:
        return ""
    if result[0].isdigit():
        result = "Node" + result
    if keyword.iskeyword(result) or keyword.issoftkeyword(result):
        result += "Node"
    return result[:80]


def to_snake_case(name: str) -> str:
    """snake_case identifier (service and module names) that round-trips through PascalCase."""
    words = [word.lower() for word in split_words(name)]
    result = "_".join(words)
    if not result:
        return ""
    if result[0].isdigit():
        result = "node_" + result
    if keyword.iskeyword(result) or keyword.issoftkeyword(result):
        result += "_node"
    return result[:80].rstrip("_")


ONEX_GENERIC_NAME_WORDS: tuple[str, ...] = (
    "Manager",
    "Handler",
    "Helper",
    "Utility",
    "Util",
    "Service",
    "Controller",
    "Processor",
    "Worker",
)
"""Words ``onex validate --strict`` rejects anywhere in a class name (case-insensitive
substring match, omnibase_core's ``checker_naming_convention``): a node named with one cannot
pass the ecosystem's own validator, because every generated class name contains the node name."""

KIND_ROLE: dict[str, str] = {
    "effect": "Client",
    "compute": "Transformer",
    "reducer": "Aggregator",
    "orchestrator": "Orchestrator",
}
"""The role word that ends a derived name when the prompt gives no better one."""

_GENERIC_WORD = re.compile("|".join(ONEX_GENERIC_NAME_WORDS), re.IGNORECASE)


def generic_name_words(name: str) -> list[str]:
    """The ONEX-rejected words inside ``name`` (empty when the name is acceptable)."""
    return sorted({match.group(0).capitalize() for match in _GENERIC_WORD.finditer(name)})


def without_generic_words(name: str, role: str) -> str:
    """``name`` with ONEX-rejected words removed, ending in ``role`` when little is left.

    Used for names onexgen derives itself (a stated name is never rewritten silently):
    ``DataProcessor`` with role ``Transformer`` gives ``DataTransformer``.
    """
    kept = [word for word in split_words(name) if not _GENERIC_WORD.search(word)]
    stem = to_pascal_case(" ".join(kept)) if kept else ""
    if _GENERIC_WORD.search(stem):  # a rejected word spanning two kept words
        stem = _GENERIC_WORD.sub("", stem)
    if not stem.endswith(role):
        stem = f"{stem}{role}"
    return stem

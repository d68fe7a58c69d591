"""Phrase tables (data): how users say kinds, categories, operations, features and systems.

Every entry is matched as whole words or whole phrases (never substrings: "log" does not match
"logic", "ml" does not match "xml", "pg" does not match "upgrade", "db" does not match
"feedback"), case-insensitively. Tables are immutable module constants compiled once; how they
are written and compiled (``verb``, ``noun``, ``phrase_pattern``, ``terms``, ``cues``) lives in
``phrases``, the structural word classes of the request reader in ``lexicon``.
"""

from __future__ import annotations

from onexgen.parsing.phrases import (
    Category,
    Cue,
    ExternalSystem,
    Kind,
    Term,
    cues,
    phrase_pattern,
    terms,
    verb,
    word_set,
)

# --- node kinds --------------------------------------------------------------------------------

KIND_WORDS: frozenset[str] = frozenset(Kind.ALL)

# --- operations (canonical snake_case names) ---------------------------------------------------

OPERATIONS: tuple[Term, ...] = terms(
    {
        "create": (
            verb("create"),
            verb("flush", "flushes"),
            verb("insert"),
            verb("write", "wrote", "written", "writer", "writers"),
            verb("persist"),
            verb("save"),
            verb("store"),
            verb("upload"),
            r"creation",
            r"insertion",
            r"uploads",
            r"inserts",
        ),
        "read": (
            verb("read", "reader", "readers"),
            verb("pull"),
            verb("scrape"),
            verb("crawl"),
            verb("fetch"),
            verb("retrieve"),
            verb("get", "getting", "got"),
            verb("load"),
            verb("query", "querying"),
            verb("lookup"),
            r"look(?:s|ing|ed)? ?up",
            verb("download"),
            r"reads",
            r"queries",
            r"retrieval",
        ),
        "update": (
            verb("update"),
            verb("modify"),
            verb("upsert"),
            verb("patch"),
            r"set(?!\s+of\b)|sets(?!\s+of\b)|setting",
            verb("edit"),
            r"updates",
            r"modification",
        ),
        "delete": (
            verb("delete"),
            verb("remove"),
            verb("purge"),
            verb("evict"),
            r"deletion|deletes|removal|eviction",
        ),
        "list": (r"list(?!\s+of\b)|lists(?!\s+of\b)|listed|listing", verb("enumerate")),
        "search": (verb("search", "searches"), r"full[- ]text search", verb("index")),
        "transform": (
            verb("transform"),
            r"turn(?:s|ing|ed)?(?=\s[^.;\n]{1,60}?\binto\b)",
            r"transformations?|transformer|conversions?|converter|normali[sz]ation",
            verb("convert"),
            verb("normalize"),
            verb("normalise"),
            verb("map"),
            verb("enrich"),
            verb("reshape"),
            verb("format", "formatting", "formatted"),
            verb("serialize"),
            verb("translate"),
            verb("mask"),
            verb("redact"),
            verb("anonymize"),
            verb("anonymise"),
            verb("obfuscate"),
            verb("scrub"),
        ),
        "parse": (
            verb("parse"),
            r"parser|parsers",
            verb("deserialize"),
            verb("decode"),
            verb("extract"),
        ),
        "validate": (
            verb("validate"),
            r"validation|validator|validators",
            verb("verify", "verifies"),
            r"verification",
            r"sanitize[sd]?|sanitizing",
            r"check(?:s|ing)? (?:if|whether|that)",
        ),
        "calculate": (
            verb("calculate"),
            r"calculations?|calculator",
            r"comput(?:es|ing|ed)|computations?",
            r"compute(?!\s+nodes?\b)",
            r"scoring",
            verb("rank"),
            verb("estimate"),
        ),
        "aggregate": (
            verb("aggregate"),
            r"aggregations?|aggregator",
            verb("accumulate"),
            verb("summarize"),
            verb("summarise"),
            verb("sum"),
            verb("count"),
            verb("tally", "tallies"),
            r"roll(?:s|ing|ed)? ?ups?",
            r"group(?:s|ed|ing)? by",
            r"running (?:totals?|balances?|counts?|sums?)",
            verb("collect"),
            r"averages?|avg|medians?|percentiles?",
        ),
        "merge": (
            verb("merge"),
            verb("combine"),
            verb("consolidate"),
            verb("reconcile"),
            r"join(?:s|ed|ing)? (?:the )?(?:streams?|results?|records?)",
        ),
        "deduplicate": (
            verb("deduplicate"),
            verb("dedupe"),
            verb("dedup", "deduping", "deduped"),
            r"deduplication|(?:remov(?:e|es|ing)|drop(?:s|ping)?) duplicates",
        ),
        "predict": (
            verb("predict"),
            r"predictions?|inference|inferences|predictor",
            verb("classify", "classifies"),
            r"classifier|classification",
            r"embeddings?",
            verb("detect"),
        ),
        "publish": (
            verb("publish", "publishes"),
            verb("emit", "emitting", "emitted"),
            verb("produce"),
            r"producer",
            verb("broadcast"),
        ),
        "consume": (
            verb("consume"),
            r"consumer",
            verb("subscribe"),
            r"listen(?:s|ing)? (?:to|on|for)",
        ),
        "send": (
            verb("send", "sent"),
            verb("forward"),
            verb("notify", "notifies"),
            verb("deliver"),
            verb("dispatch", "dispatches"),
            r"sender",
        ),
        "authenticate": (
            verb("authenticate"),
            r"authentication|log(?:s|ging)? in|sign(?:s|ing)? in",
        ),
        "authorize": (
            verb("authorize"),
            verb("authorise"),
            r"authori[sz]ation",
            r"check(?:s|ing)? (?:\w+ )?permissions?",
        ),
        "encrypt": (verb("encrypt"), r"encryption"),
        "decrypt": (verb("decrypt"), r"decryption"),
        "hash": (r"hash(?:es|ing|ed)?(?! ?(?:map|table))", r"checksums?"),
        "sign": (r"sign(?:s|ing|ed)?(?! (?:in|up|on|out)\b)", r"signer", r"signatures?"),
        "filter": (r"filter(?:s|ing|ed)?(?! (?:by|on)\b)", r"filters"),
        "route": (verb("route"), r"router|routing"),
        "coordinate": (
            verb("coordinate"),
            r"coordination|coordinator",
            verb("orchestrate"),
            r"orchestration",
            r"(?:run|runs|running|execute|executes|executing|drive|drives|driving) (?:the |an? )?"
            r"(?:[\w-]+ ){0,2}(?:workflows?|sagas?|pipelines?|playbooks?)",
            r"sequence[sd]? (?:the|an?|all)",
        ),
        "schedule": (verb("schedule"), r"scheduler"),
        "presign": (
            r"pre-?sign(?:s|ing)?|pre-?signed (?:download |upload )?(?:urls?|links?)",
            r"signed (?:download |upload )?urls?",
            r"(?:download|upload) links? that expires?",
        ),
    }
)

# "CRUD" is shorthand for four operations at once.
CRUD_PATTERN = phrase_pattern(r"crud")

# --- features ----------------------------------------------------------------------------------

FEATURES: tuple[Term, ...] = terms(
    {
        "connection_pooling": (
            r"connection[- ]pool(?:s|ing)?",
            r"pool(?:ed|ing)?(?: of)?(?: \d+(?: ?(?:-|to) ?\d+)?)? connections?",
            r"pool[- ]size",
            r"connection[- ]pooling",
        ),
        "retry_logic": (
            r"retr(?:y|ies|ying|ied)",
            r"(?:exponential )?back-?off",
            r"re-?tr(?:y|ies)",
        ),
        "circuit_breaker": (r"circuit[- ]?breakers?",),
        "caching": (
            r"cach(?:e|es|ed|ing)",
            r"ttl",
            r"memoi[sz](?:e|es|ed|ation)",
        ),
        "metrics": (
            r"metrics?",
            r"telemetry",
            r"instrumentation",
            r"prometheus",
            r"statsd",
            r"observability",
        ),
        "logging": (
            r"log(?:s|ged|ging)?(?! (?:in|on|out|into)\b)",
            r"logger",
            r"audit (?:logs?|trails?)",
            r"structured logging",
        ),
        "validation": (
            verb("validate"),
            r"validation|validator",
            r"schema[- ]check(?:s|ing)?",
            r"sanitiz(?:e|es|ed|ing|ation)",
        ),
        "rate_limiting": (
            r"rate[- ]?limit(?:s|ing|ed|er)?",
            r"throttl(?:e|es|ed|ing)",
            r"requests? (?:per|/|an?) ?(?:second|minute|hour|day|sec|min|hr)",
        ),
        "authentication": (
            r"auth",
            r"authenticat(?:e|es|ed|ing|ion)",
            r"oauth2?",
            r"jwts?",
            r"api[- ]keys?",
            r"bearer tokens?",
            r"token[- ]based",
            r"(?:access|auth) tokens?",
            r"credentials",
            r"(?:via|with|using) (?:a |an )?tokens?",
        ),
        "authorization": (
            r"authori[sz]ation",
            r"authori[sz]e[sd]?",
            r"permissions?",
            r"access control",
            r"rbac",
        ),
        "pagination": (r"paginat(?:e|es|ed|ing|ion)", r"paging", r"page tokens?"),
        "batching": (r"batch(?:es|ed|ing)?", r"bulk"),
        "timeout": (r"time-?outs?", r"timed out", r"deadlines?"),
        "transactions": (r"transactions?", r"transactional", r"atomic(?:ally)?"),
        "windowing": (
            r"windows?",
            r"windowing",
            r"windowed",
            r"tumbling",
            r"sliding",
            r"(?:per|each) (?:calendar )?(?:second|minute|hour|day|week|month)",
            r"(?:hourly|daily|weekly|monthly) (?:averages?|totals?|counts?|sums?|roll-?ups?|"
            r"buckets?|stats|statistics|summar(?:y|ies)|aggregates?|windows?)",
            r"(?:over|in|for) the (?:last|past) \d+ ?(?:seconds?|minutes?|mins?|hours?|days?)",
        ),
        "state_machine": (
            r"state[- ]machines?",
            r"fsm",
            r"state transitions?",
            r"finite[- ]state",
        ),
        "event_publishing": (
            r"(?:publish|emit|produc|send|broadcast)\w* (?:[\w.\-]+ ){0,3}(?:events?"
            r"|messages?|intents?)",
            r"event (?:publishing|emission)",
            r"(?:emits?|publish(?:es)?) intents?",
        ),
        "idempotency": (r"idempoten(?:t|cy|ce)", r"exactly[- ]once"),
        "health_check": (r"health[- ]?checks?",),
        "compensation": (r"rollbacks?", r"roll(?:s|ing)? back", r"compensat(?:e|es|ing|ion)"),
        "parallel_execution": (
            r"parallel",
            r"concurrent(?:ly)?",
            r"fan[- ]?out",
            r"fan[- ]?in",
        ),
        "dead_letter_queue": (r"dead[- ]letter(?: queues?)?", r"dlq"),
        "streaming": (r"stream(?:s|ing)?",),
        "encryption": (r"encrypt(?:s|ed|ing|ion)?", r"tls", r"aes(?:-gcm)?"),
        "compression": (r"compress(?:es|ed|ing|ion)?", r"gzip"),
    }
)

# --- external systems --------------------------------------------------------------------------

_C = Category
EXTERNAL_SYSTEMS: tuple[ExternalSystem, ...] = tuple(
    ExternalSystem(name, phrase_pattern(*alts), category)
    for name, alts, category in (
        ("PostgreSQL", (r"postgre(?:s|sql)", r"psql", r"pg"), _C.DATABASE),
        ("MySQL", (r"mysql", r"mariadb"), _C.DATABASE),
        ("SQLite", (r"sqlite3?",), _C.DATABASE),
        ("MongoDB", (r"mongo(?:db)?",), _C.DATABASE),
        ("Cassandra", (r"cassandra", r"scylla(?:db)?"), _C.DATABASE),
        ("DynamoDB", (r"dynamo(?:db)?",), _C.DATABASE),
        ("Neo4j", (r"neo4j",), _C.DATABASE),
        ("ClickHouse", (r"clickhouse",), _C.DATABASE),
        ("BigQuery", (r"bigquery",), _C.DATABASE),
        ("Snowflake", (r"snowflake",), _C.DATABASE),
        ("InfluxDB", (r"influx(?:db)?",), _C.MONITORING),
        ("Redis", (r"redis", r"valkey"), _C.CACHE),
        ("Memcached", (r"memcached?",), _C.CACHE),
        ("Kafka", (r"kafka", r"redpanda"), _C.MESSAGING),
        ("RabbitMQ", (r"rabbit(?:mq)?", r"amqp"), _C.MESSAGING),
        ("NATS", (r"nats",), _C.MESSAGING),
        ("SQS", (r"sqs",), _C.MESSAGING),
        ("SNS", (r"sns",), _C.MESSAGING),
        ("Pub/Sub", (r"pub/sub", r"pubsub"), _C.MESSAGING),
        ("S3", (r"s3", r"object storage", r"minio"), _C.STORAGE),
        ("GCS", (r"gcs", r"google cloud storage"), _C.STORAGE),
        ("Azure Blob Storage", (r"azure blob(?: storage)?",), _C.STORAGE),
        ("Filesystem", (r"(?:local )?file ?systems?", r"local dis[kc]s?"), _C.STORAGE),
        ("Elasticsearch", (r"elastic(?:search)?", r"opensearch"), _C.DATABASE),
        ("Qdrant", (r"qdrant",), _C.DATABASE),
        ("Pinecone", (r"pinecone",), _C.DATABASE),
        (
            "SMTP",
            (
                r"smtp",
                r"(?:send|sends|sending|sent|deliver\w*|forward\w*|via|through|for) "
                r"(?:\w+ ){0,3}?e-?mails?",
                r"e-?mail (?:notifications?|alerts?|messages?|servers?|providers?|delivery|"
                r"sending|sender|service|gateway|operations?)",
                r"e-?mails? (?:to|via)",
                r"emailing",
            ),
            _C.MESSAGING,
        ),
        ("SendGrid", (r"sendgrid",), _C.MESSAGING),
        ("Twilio", (r"twilio", r"sms"), _C.MESSAGING),
        ("Slack", (r"slack",), _C.MESSAGING),
        ("GitHub", (r"github",), _C.API),
        ("Stripe", (r"stripe",), _C.API),
        ("OpenAI", (r"openai", r"gpt-?\d?\w*"), _C.ML),
        ("Vault", (r"hashicorp vault", r"vault"), _C.SECURITY),
        ("Consul", (r"consul",), _C.GENERAL),
        ("Prometheus", (r"prometheus",), _C.MONITORING),
        ("gRPC", (r"grpc",), _C.API),
        ("GraphQL", (r"graphql",), _C.API),
        (
            "HTTP API",
            (
                r"apis?",
                r"rest(?:ful)?",
                r"https?",
                r"endpoints?",
                r"webhooks?",
                r"websites?|web ?pages?",
            ),
            _C.API,
        ),
    )
)

# --- categories --------------------------------------------------------------------------------


CATEGORY_CUES: tuple[Cue, ...] = (
    *cues(
        _C.DATABASE,
        (
            ("database", r"databases?|db|dbs|sql|rdbms", 1.5),
            ("crud", r"crud", 1.5),
            ("records", r"records?|rows?|tables?|schema migrations?", 0.5),
            ("repository", r"repository|repositories|persistence|persist\w*", 0.7),
        ),
    ),
    *cues(
        _C.CACHE,
        (
            ("cache", r"cach(?:e|es|ed|ing)", 1.5),
            ("ttl", r"ttl|expir(?:y|ation|es)", 0.7),
        ),
    ),
    *cues(
        _C.API,
        (
            ("api", r"apis?|rest(?:ful)?|https?|endpoints?|webhooks?|graphql|grpc", 1.2),
            ("client", r"clients?|sdk", 0.6),
            ("requests", r"requests?|responses?", 0.4),
            ("pagination", r"paginat\w*|rate[- ]?limit\w*", 0.5),
        ),
    ),
    *cues(
        _C.MESSAGING,
        (
            ("queue", r"queues?|topics?|message bus|event bus|broker|brokers", 1.2),
            ("messages", r"messages?|messaging", 1.0),
            ("publish", r"publish\w*|subscrib\w*|producer|consumer", 0.8),
            ("notification", r"notifications?|notify\w*|e-?mails?|sms|alerts?", 0.8),
        ),
    ),
    *cues(
        _C.STORAGE,
        (
            ("files", r"files?|uploads?|uploaded|downloads?|directory|directories|folders?", 1.2),
            ("blob", r"blobs?|buckets?|objects? storage|artifacts?", 1.2),
            ("backups", r"backups?|snapshots?|archives?", 1.0),
            ("storage", r"storage", 0.8),
        ),
    ),
    *cues(
        _C.ML,
        (
            (
                "nlp",
                r"named entit(?:y|ies)|entity extraction|sentiment|language detection"
                r"|(?:spacy|fasttext|hugging ?face|bert|transformer|nlp|language) models?"
                r"|(?:with|using) (?:an? |the )?(?:[\w-]+ ){0,2}models?",
                1.0,
            ),
            ("ml", r"ml|machine[- ]learning|ai|llm|llms", 1.5),
            (
                "model",
                r"models? inference|pre-?trained|classifier|embeddings?|neural|onnx|pytorch"
                r"|torch|tensorflow|scikit-learn|sklearn|(?:ml|ai|trained|local|onnx) models?",
                1.5,
            ),
            (
                "predict",
                r"predict\w*|inference|training|train(?:s|ed)? (?:a )?models?|classif\w*",
                1.0,
            ),
        ),
    ),
    *cues(
        _C.MONITORING,
        (
            ("metrics", r"metrics?|telemetry|monitoring|monitors?|observability", 2.0),
            ("alerts", r"alert(?:s|ing)?|dashboards?|sla|slo|latency|health[- ]?checks?", 0.8),
            ("logs", r"logs|log lines|log entries", 0.5),
            ("resources", r"cpu(?: usage)?|memory usage|disk usage|error rates?|uptime", 1.6),
        ),
    ),
    *cues(
        _C.SECURITY,
        (
            (
                "crypto",
                r"encrypt\w*|decrypt\w*|aes(?:-gcm)?|rsa|cipher\w*"
                r"|signatures?|sign(?:s|ing)? payloads?",
                1.5,
            ),
            ("auth", r"auth|authenticat\w*|authori[sz]\w*|oauth2?|jwts?|permissions?|rbac", 1.2),
            (
                "privacy",
                r"mask(?:s|ed|ing)?|redact\w*|anonymi[sz]\w*|obfuscat\w*|pii|personal data",
                1.2,
            ),
            (
                "secrets",
                r"secrets?|credentials?|passwords?|keys? rotation|hash(?:es|ing)? passwords?",
                1.2,
            ),
        ),
    ),
    *cues(
        _C.WORKFLOW,
        (
            ("workflow", r"workflows?|sagas?|orchestrat\w*|coordinat\w*", 1.5),
            (
                "listed steps",
                r"(?:[\w-]+ ){0,3}[\w-]+:\s*(?:[\w-]+(?: [\w-]+){0,4},\s*){2,}"
                r"|sequence[sd]? (?:the|an?|all)",
                1.5,
            ),
            ("steps", r"steps?|stages?|multi-?step|multi-?stage|pipelines?", 0.7),
            ("routing", r"rout(?:e|es|ing)|dispatch\w*|fan[- ]?out|fan[- ]?in", 0.5),
        ),
    ),
    *cues(
        _C.DATA,
        (
            (
                "analytics",
                r"analytics|page ?views?|clicks?|usage|sensor readings?|leaderboards?",
                0.8,
            ),
            ("formats", r"json|xml|csv|yaml|parquet|avro|protobuf", 1.2),
            ("data", r"data|datasets?|etl", 0.8),
            (
                "transform",
                r"transform\w*|convert\w*|normali[sz]\w*|pars(?:e|es|ing|er)|format\w*|serializ\w*",
                0.8,
            ),
            (
                "calculations",
                r"calculat\w*|comput(?:e|es|ing|ation)|prices?|pricing|tax|amounts?|totals?|sums?",
                0.4,
            ),
            (
                "aggregation",
                r"aggregat\w*|accumulat\w*|summari[sz]\w*|counts?|statistics|stats",
                0.3,
            ),
            ("events", r"events?", 0.3),
            ("addresses", r"addresses|records|fields|schemas?", 0.3),
        ),
    ),
)

# --- kind evidence (keyword factor) ------------------------------------------------------------

_K = Kind
KIND_CUES: tuple[Cue, ...] = (
    *cues(
        _K.EFFECT,
        (
            (
                "writes/stores",
                r"writ(?:e|es|ing|ten)|wrote|stor(?:e|es|ing)|persist\w*|sav(?:e|es|ing)|insert\w*",
                1.0,
            ),
            (
                "reads/queries",
                r"quer(?:y|ies|ying)|fetch\w*|retriev\w*|reads?|reading|look(?:s|ing)? ?up",
                0.9,
            ),
            (
                "sends/calls",
                r"send(?:s|ing)?|call(?:s|ing)?|invok\w*|forward\w*"
                r"|deliver\w*|notif\w*|upload\w*|download\w*",
                1.0,
            ),
            (
                "publishes",
                r"publish\w*|emit(?:s|ting)?|produc(?:e|es|er)|consum(?:e|es|er|ing)|subscrib\w*",
                0.9,
            ),
            ("crud", r"crud|upsert\w*|delet\w*|remov(?:e|es|ing)|updat(?:e|es|ing)", 0.8),
            (
                "i/o",
                r"i/o|side[- ]effects?|external (?:service"
                r"|system|api)s?|integrat\w*|connects?|connection\w*",
                0.8,
            ),
            (
                "client",
                r"clients?|adapters?|connectors?|gateway|webhooks?|endpoints?|requests",
                0.7,
            ),
            (
                "storage",
                r"databases?|db|tables?|queues?|buckets?|files?|filesystem|disk|sms",
                0.6,
            ),
        ),
    ),
    *cues(
        _K.COMPUTE,
        (
            (
                "transforms",
                r"transform\w*|convert\w*|normali[sz]\w*|map(?:s"
                r"|ping)?|enrich\w*|reshap\w*|format(?:s|ting)?|translat\w*"
                r"|mask(?:s|ing)?|redact\w*|anonymi[sz]\w*|obfuscat\w*|scrub\w*",
                1.1,
            ),
            (
                "parses/validates",
                r"pars(?:e|es|ing|er)|validat\w*|verif\w*|sanitiz\w*"
                r"|deserializ\w*|serializ\w*|decod\w*|encod\w*|check(?:s|ing)? (?:if|whether|that)",
                1.0,
            ),
            (
                "calculates",
                r"calculat\w*|scor(?:e|es|ing)|rank(?:s|ing)?|estimat\w*|derive[sd]?",
                1.1,
            ),
            ("computes", r"comput(?:e|es|ing|ation|ations)", 0.6),
            ("crypto", r"encrypt\w*|decrypt\w*|hash(?:es|ing)?|sign(?:s|ing)?|checksums?", 1.0),
            ("ml inference", r"predict\w*|inference|classif\w*|embeddings?|detect(?:s|ing)?", 1.0),
            (
                "pure",
                r"pure(?: functions?)?|deterministic|stateless"
                r"|no side[- ]effects?|without side[- ]effects?|algorithms?"
                r"|given (?:an? |the )?(?:list|set|array|payload|input|record|document)s?",
                1.3,
            ),
            (
                "processes",
                r"process(?:es|ing)?|filter\w*|sort\w*|extract\w*"
                r"|render\w*|generat(?:e|es|ing)|templat\w*",
                0.5,
            ),
        ),
    ),
    *cues(
        _K.REDUCER,
        (
            (
                "aggregates",
                r"aggregat\w*|accumulat\w*|summari[sz]\w*|roll(?:s|ing)? ?ups?|tall(?:y|ies)",
                1.3,
            ),
            (
                "counts/sums",
                r"sum(?:s|ming|med)?|counts?|counting|tall(?:y|ies)"
                r"|averages?|avg|min|max|mean|median|percentiles?|p\d\d",
                0.8,
            ),
            (
                "folds",
                r"reduc(?:e|es|ing|tion)|fold(?:s|ing)?|merg(?:e"
                r"|es|ing)|combin(?:e|es|ing)|consolidat\w*|reconcil\w*|collect(?:s|ing)?",
                1.0,
            ),
            (
                "state",
                r"state(?:ful)?|running (?:totals?|balances?"
                r"|counts?)|balances?|rolling|snapshots?|projections?|sessions?",
                0.9,
            ),
            (
                "windows",
                r"windows?|windowing|windowed|per (?:day|hour"
                r"|minute|week|month)|daily|hourly|group(?:s|ed|ing)? by|groups? events?"
                r"|(?:moving|rolling|running|sliding) (?:averages?|means?|sums?|counts?|windows?)",
                2.0,
            ),
            (
                "dedup",
                r"dedup\w*|deduplicat\w*|duplicates?|seen before|already (?:seen|processed)"
                r"|remember(?:s|ing)?",
                1.5,
            ),
            ("fsm", r"state[- ]machines?|fsm|state transitions?", 1.2),
            (
                "streams",
                r"streams? of|event streams?|over time|thresholds?|intents?"
                r"|from (?:\w+ ){0,2}events|leaderboards?|top[- ]\d+|top[- ]k",
                0.7,
            ),
            (
                "keeps state",
                r"maintain(?:s|ing)?|keep(?:s|ing)? (?:a |the )?(?:running|track|tally)"
                r"|track(?:s|ing)?",
                0.8,
            ),
        ),
    ),
    *cues(
        _K.ORCHESTRATOR,
        (
            ("coordinates", r"coordinat\w*|orchestrat\w*", 2.5),
            ("workflow", r"workflows?|sagas?|pipelines?|process flows?|playbooks?", 1.2),
            (
                "listed steps",
                r"(?:[\w-]+ ){0,3}[\w-]+:\s*(?:[\w-]+(?: [\w-]+){0,4},\s*){2,}",
                1.5,
            ),
            (
                "steps",
                r"steps?|stages?|multi-?step|multi-?stage|phases?"
                r"|sequential(?:ly)?|in sequence|then",
                0.8,
            ),
            ("fan-out", r"fan[- ]?out|fan[- ]?in|parallel|concurrent\w*|scatter[- ]gather", 0.8),
            ("routing", r"rout(?:e|es|ing)|dispatch\w*|delegat\w*|follow-?up actions?", 1.3),
            ("compensation", r"rollbacks?|compensat\w*|roll(?:s|ing)? back|retry each step", 0.8),
            (
                "manages",
                r"manag(?:e|es|ing) (?:the )?(?:\w+ ){0,2}(?:workflows?"
                r"|process(?:es)?|lifecycle|steps?)|lease\w*|nodes|services",
                0.7,
            ),
        ),
    ),
)

# Kinds that operations and categories point to (the operation and domain factors).
OPERATION_KIND: dict[str, str] = {
    "create": _K.EFFECT,
    "read": _K.EFFECT,
    "update": _K.EFFECT,
    "delete": _K.EFFECT,
    "list": _K.EFFECT,
    "search": _K.EFFECT,
    "publish": _K.EFFECT,
    "consume": _K.EFFECT,
    "send": _K.EFFECT,
    "transform": _K.COMPUTE,
    "parse": _K.COMPUTE,
    "validate": _K.COMPUTE,
    "calculate": _K.COMPUTE,
    "predict": _K.COMPUTE,
    "encrypt": _K.COMPUTE,
    "decrypt": _K.COMPUTE,
    "hash": _K.COMPUTE,
    "authenticate": _K.EFFECT,
    "authorize": _K.COMPUTE,
    "sign": _K.COMPUTE,
    "filter": _K.COMPUTE,
    "aggregate": _K.REDUCER,
    "merge": _K.REDUCER,
    "deduplicate": _K.REDUCER,
    "coordinate": _K.ORCHESTRATOR,
    "route": _K.ORCHESTRATOR,
    "schedule": _K.ORCHESTRATOR,
    "presign": _K.EFFECT,
}

CATEGORY_KIND: dict[str, dict[str, float]] = {
    _C.DATABASE: {_K.EFFECT: 1.0},
    _C.CACHE: {_K.EFFECT: 1.0},
    _C.API: {_K.EFFECT: 1.0},
    _C.MESSAGING: {_K.EFFECT: 1.0},
    _C.STORAGE: {_K.EFFECT: 1.0},
    _C.ML: {_K.COMPUTE: 0.8, _K.EFFECT: 0.2},
    _C.SECURITY: {_K.COMPUTE: 0.6, _K.EFFECT: 0.4},
    _C.MONITORING: {_K.REDUCER: 0.5, _K.EFFECT: 0.5},
    _C.WORKFLOW: {_K.ORCHESTRATOR: 1.0},
    _C.DATA: {_K.COMPUTE: 0.6, _K.REDUCER: 0.4},
    _C.GENERAL: {},
}

FEATURE_KIND: dict[str, dict[str, float]] = {
    "connection_pooling": {_K.EFFECT: 1.0},
    "retry_logic": {_K.EFFECT: 0.6, _K.ORCHESTRATOR: 0.4},
    "circuit_breaker": {_K.EFFECT: 1.0},
    "caching": {_K.EFFECT: 0.7, _K.COMPUTE: 0.3},
    "rate_limiting": {_K.EFFECT: 1.0},
    "authentication": {_K.EFFECT: 1.0},
    "pagination": {_K.EFFECT: 1.0},
    "batching": {_K.EFFECT: 0.6, _K.REDUCER: 0.4},
    "timeout": {_K.EFFECT: 0.8, _K.ORCHESTRATOR: 0.2},
    "transactions": {_K.EFFECT: 1.0},
    "windowing": {_K.REDUCER: 1.0},
    "state_machine": {_K.REDUCER: 0.7, _K.ORCHESTRATOR: 0.3},
    "event_publishing": {_K.EFFECT: 0.6, _K.ORCHESTRATOR: 0.2, _K.REDUCER: 0.2},
    "validation": {_K.COMPUTE: 1.0},
    "idempotency": {_K.EFFECT: 0.7, _K.REDUCER: 0.3},
    "compensation": {_K.ORCHESTRATOR: 1.0},
    "parallel_execution": {_K.ORCHESTRATOR: 1.0},
    "dead_letter_queue": {_K.EFFECT: 1.0},
    "health_check": {_K.EFFECT: 1.0},
    "encryption": {_K.COMPUTE: 1.0},
    "compression": {_K.COMPUTE: 1.0},
}

# Verbs too generic to say what a node is for ("Compute the moving average..."): they never
# count as the leading action.
GENERIC_VERBS: frozenset[str] = word_set(
    """
    compute computes computing process processes processing handle handles handling run runs
    running perform performs performing do does doing manage manages managing execute executes
    """
)

# Words that carry no purpose on their own: a prompt made only of these (after the stated kind,
# name and domain are removed) does not say what the node is for.
FILLER_WORDS: frozenset[str] = word_set(
    """
    a an the this that these those it its some something anything stuff thing things
    node nodes build make generate give me i we you need want please
    help with for of on in to and or new one simple basic generic type kind do does doing
    can could would should will must just some any kindly let lets us my our your an
    effect compute reducer orchestrator called named name domain using use uses via
    something's ok okay test tests handle handles handling deal deals
    """
)

# Words that name a topic but not an action: "Help me with databases" states no purpose.
TOPIC_ONLY_WORDS: frozenset[str] = word_set(
    """
    database databases db data api apis service services system systems code app application
    backend server servers project module component stuff things
    """
)

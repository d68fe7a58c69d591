"""PRDAnalyzer: stated fields win, kinds are inferred from meaning, whole words only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from onexgen.models import EnumCategory, EnumNodeKind, ModelPRDRequirements
from onexgen.parsing import NodeClassifier, PRDAnalyzer


def analyze(prompt: str, hint: str | None = None) -> ModelPRDRequirements:
    return PRDAnalyzer().analyze_prompt(prompt, node_type_hint=hint)


# --- what the user states wins -------------------------------------------------------------


@pytest.mark.parametrize(
    ("prompt", "kind"),
    [
        ("EFFECT node that stores invoices in MySQL", EnumNodeKind.EFFECT),
        ("Build an effect node that charges cards through Stripe", EnumNodeKind.EFFECT),
        ("node type: reducer, tallies votes per candidate", EnumNodeKind.REDUCER),
        ("REDUCER node for merging shopping carts", EnumNodeKind.REDUCER),
        ("an orchestrator that books flights, hotels and cars", EnumNodeKind.ORCHESTRATOR),
        # the stated kind beats what the verbs suggest
        ("COMPUTE node that writes a summary string", EnumNodeKind.COMPUTE),
        ("Create a Reducer node that sends emails", EnumNodeKind.REDUCER),
    ],
)
def test_stated_kind_wins(prompt: str, kind: EnumNodeKind) -> None:
    result = analyze(prompt)
    assert result.node_type is kind
    assert "node_type" in result.explicit_fields
    assert result.field_confidence.node_type >= 0.9


def test_kind_of_another_node_is_not_the_stated_kind() -> None:
    result = analyze(
        "Orchestrate the nightly export: read from MySQL, transform with the compute node, "
        "load into BigQuery"
    )
    assert result.node_type is EnumNodeKind.ORCHESTRATOR
    assert "node_type" not in result.explicit_fields


def test_node_type_hint_settles_the_kind() -> None:
    result = analyze("aggregates click events per hour", hint="effect")
    assert result.node_type is EnumNodeKind.EFFECT
    assert analyze("aggregates click events", hint=EnumNodeKind.ORCHESTRATOR).node_type is (
        EnumNodeKind.ORCHESTRATOR
    )
    with pytest.raises(ValueError, match="unknown node type"):
        analyze("aggregates click events", hint="gadget")


@pytest.mark.parametrize(
    ("prompt", "name"),
    [
        ("EFFECT node called InvoiceStore that saves invoices to S3", "InvoiceStore"),
        ("REDUCER named VoteCounter that tallies votes", "VoteCounter"),
        ("Name: TaxCalculator - computes VAT for orders", "TaxCalculator"),
        ("COMPUTE node: GeoHasher that hashes coordinates", "GeoHasher"),
        ("EFFECT node called PostgresCRUD for database operations", "PostgresCRUD"),
        ("EFFECT node called RestAPI for HTTP operations", "RestAPI"),
        ("Create an APIClient node that fetches rates from an exchange API", "APIClient"),
        ("EFFECT node named 'ledger writer' that persists entries", "LedgerWriter"),
        ("An EFFECT node, InventoryClient, that calls the inventory service", "InventoryClient"),
        (
            "ORCHESTRATOR: CheckoutFlow - validates cart, reserves stock, charges payment",
            "CheckoutFlow",
        ),
        ("make an orchestrator called release_pipeline for deployments", "ReleasePipeline"),
    ],
)
def test_stated_name_kept_with_casing(prompt: str, name: str) -> None:
    result = analyze(prompt)
    assert result.node_name == name
    assert "node_name" in result.explicit_fields
    assert result.field_confidence.node_name == 1.0


def test_called_followed_by_an_ordinary_word_is_not_a_name() -> None:
    result = analyze("A node called whenever an order arrives that writes it to PostgreSQL")
    assert "node_name" not in result.explicit_fields
    assert result.node_name == "PostgreSQLWriter"
    assert analyze("EFFECT node named ledger that persists entries").node_name == "Ledger"


def test_service_name_follows_stated_name() -> None:
    result = analyze("EFFECT node called PostgresCRUD for database operations")
    assert result.service_name == "postgres_crud"


@pytest.mark.parametrize(
    ("prompt", "domain"),
    [
        ("EFFECT node in the billing_core domain that writes invoices", "billing_core"),
        ("COMPUTE node (domain: risk_engine) scores loan applications", "risk_engine"),
        ("Domain: Customer Care. Sends survey emails after ticket closure", "customer_care"),
        ("REDUCER node in fraud domain that counts declined payments", "fraud"),
    ],
)
def test_stated_domain_wins(prompt: str, domain: str) -> None:
    result = analyze(prompt)
    assert result.domain == domain
    assert "domain" in result.explicit_fields


def test_domain_defaults_to_category() -> None:
    result = analyze("Publish shipment events to RabbitMQ")
    assert result.category is EnumCategory.MESSAGING
    assert result.domain == "messaging"
    assert "domain" not in result.explicit_fields


# --- kinds inferred from meaning (prompts that are not in the corpora) ---------------------


@pytest.mark.parametrize(
    ("prompt", "kind"),
    [
        ("Store user profiles in MongoDB and fetch them by id", EnumNodeKind.EFFECT),
        ("Send SMS reminders through Twilio before appointments", EnumNodeKind.EFFECT),
        ("Upload nightly backups to Google Cloud Storage", EnumNodeKind.EFFECT),
        ("Convert Markdown documents to HTML", EnumNodeKind.COMPUTE),
        ("Calculate shipping cost from weight and destination zone", EnumNodeKind.COMPUTE),
        ("Normalize phone numbers to E.164 format", EnumNodeKind.COMPUTE),
        ("Keep a running balance per account from deposit and withdrawal events", "reducer"),
        ("Count page views per URL over a sliding 10 minute window", EnumNodeKind.REDUCER),
        ("Deduplicate incoming order messages by idempotency key", EnumNodeKind.REDUCER),
        ("Aggregate sensor readings into hourly averages per device", EnumNodeKind.REDUCER),
        (
            "Run a saga for order placement: reserve stock, charge the card, and compensate "
            "on failure",
            EnumNodeKind.ORCHESTRATOR,
        ),
        (
            "Route incoming support tickets to the right team and then notify the assignee",
            EnumNodeKind.ORCHESTRATOR,
        ),
        ("Coordinate a three-step approval process with escalation", "orchestrator"),
        ("Mask PII fields in log records before they are shipped", EnumNodeKind.COMPUTE),
        ("Build a node that checks if a password is strong enough", EnumNodeKind.COMPUTE),
        ("Deduplicate incoming webhook deliveries by idempotency key", EnumNodeKind.REDUCER),
        ("Given a list of line items, return the order total including VAT", "compute"),
        ("Filter out spam comments using a blocklist", EnumNodeKind.COMPUTE),
        ("Pull new tickets from the Zendesk API every 10 minutes", EnumNodeKind.EFFECT),
    ],
)
def test_inferred_kind(prompt: str, kind: str) -> None:
    result = analyze(prompt)
    assert result.node_type.value == kind
    assert "node_type" not in result.explicit_fields
    assert result.field_confidence.node_type <= 0.8


def test_classifier_keeps_kind_and_ranks_alternatives() -> None:
    requirements = analyze("Sum refund amounts per merchant per week")
    classification = NodeClassifier().classify(requirements)
    assert classification.node_type is requirements.node_type is EnumNodeKind.REDUCER
    assert classification.template_name == "reducer_data"
    assert classification.template_variant == "windowed"
    confidences = [alt.confidence for alt in classification.alternatives]
    assert confidences == sorted(confidences, reverse=True)
    assert all(alt.node_type is not EnumNodeKind.REDUCER for alt in classification.alternatives)
    assert any("operation: aggregate" in item for item in classification.primary_indicators)


def test_stated_kind_is_more_confident_than_inferred() -> None:
    classifier = NodeClassifier()
    stated = classifier.classify(analyze("EFFECT node that writes orders to PostgreSQL"))
    inferred = classifier.classify(analyze("writes orders to PostgreSQL"))
    assert stated.node_type is inferred.node_type is EnumNodeKind.EFFECT
    assert stated.confidence > inferred.confidence
    assert stated.confidence > 0.9


def test_stated_kind_is_certain_and_the_alternatives_say_why_they_lost() -> None:
    classifier = NodeClassifier()
    agreeing = classifier.classify(analyze("EFFECT node that writes orders to PostgreSQL"))
    disagreeing = classifier.classify(analyze("EFFECT node that sums order totals per day"))
    assert disagreeing.node_type is EnumNodeKind.EFFECT
    assert disagreeing.confidence == agreeing.confidence == 1.0
    assert disagreeing.alternatives, "the evidence for other kinds is still reported"
    best = disagreeing.alternatives[0]
    assert best.confidence > 0
    assert best.reason.startswith("the request states effect")


# --- whole words only -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prompt", "absent_feature", "absent_system", "absent_category"),
    [
        ("Apply pricing logic to cart items and calculate totals", "logging", None, None),
        ("Convert XML invoices to JSON", None, None, EnumCategory.ML),  # ml in xml
        ("Render HTML receipts from orders", None, None, EnumCategory.ML),  # ml in html
        ("Calculate the upgrade price for a plan", None, "PostgreSQL", None),  # pg in upgrade
        ("Tag customer feedback comments by topic", None, None, EnumCategory.DATABASE),  # db
        ("Log in users with OAuth2 via GitHub", "logging", None, None),
    ],
)
def test_no_substring_matches(
    prompt: str,
    absent_feature: str | None,
    absent_system: str | None,
    absent_category: EnumCategory | None,
) -> None:
    result = analyze(prompt, hint="compute")
    if absent_feature:
        assert absent_feature not in result.features
    if absent_system:
        assert absent_system not in result.external_systems
    if absent_category:
        assert result.category is not absent_category


def test_xml_is_not_machine_learning() -> None:
    result = analyze("Convert XML invoices to JSON")
    assert result.category is EnumCategory.DATA
    assert result.node_type is EnumNodeKind.COMPUTE


# --- operations, features, systems ---------------------------------------------------------


def test_operations_features_and_systems_from_the_text() -> None:
    result = analyze(
        "Create a MySQL CRUD Effect node with connection pooling, retry logic with exponential "
        "backoff, a circuit breaker, structured logging and metrics; list orders with pagination"
    )
    assert result.operations[:4] == ("create", "read", "update", "delete")
    assert "list" in result.operations
    for feature in (
        "connection_pooling",
        "retry_logic",
        "circuit_breaker",
        "logging",
        "metrics",
        "pagination",
    ):
        assert feature in result.features
    assert result.external_systems == ("MySQL",)
    assert result.category is EnumCategory.DATABASE


@pytest.mark.parametrize(
    ("prompt", "systems"),
    [
        ("reads from postgres and caches in Redis", ("PostgreSQL", "Redis")),
        ("REDIS and KAFKA and POSTGRESQL", ("Redis", "Kafka", "PostgreSQL")),
        ("indexes documents in Elasticsearch", ("Elasticsearch",)),
        ("sends welcome emails", ("SMTP",)),
        ("calls the partner REST API", ("HTTP API",)),
    ],
)
def test_external_systems(prompt: str, systems: tuple[str, ...]) -> None:
    assert analyze(prompt, hint="effect").external_systems == systems


def test_a_schedule_is_not_a_window() -> None:
    result = analyze("Fetch exchange rates from a REST API every hour and cache them")
    assert "windowing" not in result.features
    assert result.performance_requirements.window_seconds == ()


def test_email_as_a_lookup_key_is_not_smtp() -> None:
    result = analyze("Store user profiles in MongoDB and fetch them by email")
    assert result.external_systems == ("MongoDB",)


def test_derived_names_are_meaningful_and_stable() -> None:
    assert analyze("Create EFFECT node for PostgreSQL writes").node_name == "PostgreSQLWriter"
    # main action + object (issue 9): the system an effect talks to leads
    assert analyze("Publish order events to Kafka").node_name == "KafkaOrderEventPublisher"
    assert analyze("Create ORCHESTRATOR node for payment workflow").node_name == ("PaymentWorkflow")
    assert analyze("Pull new tickets from the Zendesk API").node_name == "ZendeskNewTicketFetcher"
    assert analyze("Count page views per URL").node_name == "PageViewCounter"
    etl = analyze("Run the nightly orders ETL: extract, transform, load, alert on failure")
    assert (etl.node_type.value, etl.node_name) == ("orchestrator", "NightlyOrdersETL")
    fan_out = analyze(
        "Fan out a thumbnail job to the resize, watermark and upload steps in parallel and wait "
        "for all of them"
    )
    assert (fan_out.node_type.value, fan_out.node_name) == ("orchestrator", "ThumbnailJobFanOut")
    assert analyze("Encrypt and decrypt payloads with AES-GCM").node_name == "PayloadEncryptor"
    store = analyze("Store user sessions in Redis: read, write and expire them after an hour")
    assert (store.node_type.value, store.node_name) == ("effect", "RedisUserSessionStore")
    assert store.performance_requirements.cache_ttl_seconds == 3600
    assert analyze("Filter out spam comments").node_name == "SpamCommentFilter"
    derived = analyze("Validate and normalize postal addresses")
    assert derived.node_name == "PostalAddressValidator"
    assert derived.service_name == "postal_address_validator"
    assert derived.field_confidence.node_name < 1.0
    assert "node_name" not in derived.explicit_fields


def test_description_drops_stated_parts() -> None:
    result = analyze("Create an EFFECT node called LedgerWriter in the finance domain that writes")
    assert "EFFECT node" not in result.business_description
    assert "called LedgerWriter" not in result.business_description
    assert "domain" not in result.business_description


def test_multiline_prompt_with_bullets() -> None:
    result = analyze(
        """
        Create EFFECT node EmailSender in notification domain.

        Requirements:
        - Send emails via SMTP
        - Retry on failure
        - Log all email operations
        """
    )
    assert result.node_name == "EmailSender"
    assert result.domain == "notification"
    assert "SMTP" in result.external_systems
    assert {"retry_logic", "logging"} <= set(result.features)
    assert "send" in result.operations


HELDOUT = Path(__file__).parent / "data" / "heldout_prompts.jsonl"


def _heldout() -> list[dict[str, Any]]:
    return [json.loads(line) for line in HELDOUT.read_text(encoding="utf-8").splitlines() if line]


@pytest.mark.parametrize("record", _heldout(), ids=lambda record: record["prompt"][:40])
def test_prompts_written_after_the_rules(record: dict[str, Any]) -> None:
    """30 prompts written after the rules, not taken from any corpus.

    On their first run the parser got 25/30 kinds and 24/30 categories right (one refused);
    the general fixes that followed (generic verbs never lead, participles used as adjectives
    are not actions, listed steps mean orchestration, model/NLP and resource-usage topics)
    are held here.
    """
    result = analyze(record["prompt"])
    assert result.node_type.value == record["kind"]
    assert result.category.value in record["cats"]


def test_participle_used_as_adjective_is_not_an_operation() -> None:
    assert "create" not in analyze("Compute a SHA-256 checksum of uploaded files").operations
    assert "create" in analyze("Files uploaded to S3 are indexed").operations
    assert "create" in analyze("Write uploaded files to the local filesystem").operations

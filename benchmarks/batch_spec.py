"""Writes a batch spec of ``10 * 5`` nodes: ten services, each with every node kind.

Each service has two effects (a store and an external API client), a compute, a reducer and an
orchestrator that depends on the other four, so the spec has two dependency stages and every kind.
Half of the services are described by prompts (exercising the parser), half by requirements.

    .venv/bin/python benchmarks/batch_spec.py OUT.yaml [--services 10]
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import yaml

SERVICES: tuple[tuple[str, str, str, str], ...] = (
    # (domain, store system, API system, what the data is)
    ("orders", "PostgreSQL", "Stripe", "customer orders"),
    ("payments", "PostgreSQL", "Adyen", "card payments"),
    ("inventory", "Redis", "SAP", "stock levels"),
    ("shipping", "MongoDB", "FedEx", "parcel shipments"),
    ("users", "PostgreSQL", "Auth0", "user profiles"),
    ("billing", "MySQL", "QuickBooks", "invoices"),
    ("notifications", "Redis", "Twilio", "outgoing notifications"),
    ("analytics", "ClickHouse", "Segment", "page view events"),
    ("search", "Elasticsearch", "Algolia", "catalogue documents"),
    ("audit", "S3", "Splunk", "audit records"),
)


def _pascal(snake: str) -> str:
    return "".join(part.capitalize() for part in snake.split("_"))


def _requirements(
    kind: str, service: str, domain: str, description: str, **extra: Any
) -> dict[str, Any]:
    return {
        "node_type": kind,
        "node_name": _pascal(service),
        "service_name": service,
        "domain": domain,
        "business_description": description,
        **extra,
    }


def service_nodes(index: int, domain: str, store: str, api: str, data: str) -> list[dict[str, Any]]:
    """The five nodes of one service; even services use prompts, odd ones requirements."""
    store_name, api_name = f"{domain}_store", f"{domain}_api"
    calc_name, agg_name = f"{domain}_calculator", f"{domain}_aggregator"
    flow_name = f"{domain}_workflow"
    if index % 2 == 0:
        nodes: list[dict[str, Any]] = [
            {
                "name": store_name,
                "node_type": "effect",
                "prompt": (
                    f"Create EFFECT node called {_pascal(store_name)} in the {domain} domain "
                    f"that writes {data} to {store} with connection pooling and retry logic"
                ),
            },
            {
                "name": api_name,
                "node_type": "effect",
                "prompt": (
                    f"Create EFFECT node called {_pascal(api_name)} in the {domain} domain that "
                    f"calls the {api} API for {data} with rate limiting of 100 requests/second"
                ),
            },
            {
                "name": calc_name,
                "node_type": "compute",
                "prompt": (
                    f"Create COMPUTE node called {_pascal(calc_name)} in the {domain} domain "
                    f"that validates and transforms {data}"
                ),
            },
            {
                "name": agg_name,
                "node_type": "reducer",
                "prompt": (
                    f"Create REDUCER node called {_pascal(agg_name)} in the {domain} domain "
                    f"that aggregates {data} per hour"
                ),
            },
        ]
    else:
        nodes = [
            {
                "name": store_name,
                "requirements": _requirements(
                    "effect",
                    store_name,
                    domain,
                    f"Persist {data} in {store}",
                    category="database",
                    operations=["create", "read", "update", "delete"],
                    features=["connection_pooling", "retry_logic"],
                    external_systems=[store],
                ),
            },
            {
                "name": api_name,
                "requirements": _requirements(
                    "effect",
                    api_name,
                    domain,
                    f"Call the {api} API for {data}",
                    category="api",
                    operations=["fetch", "submit"],
                    features=["rate_limiting", "circuit_breaker"],
                    external_systems=[api],
                ),
            },
            {
                "name": calc_name,
                "requirements": _requirements(
                    "compute",
                    calc_name,
                    domain,
                    f"Validate and transform {data}",
                    category="data",
                    operations=["validate", "transform"],
                ),
            },
            {
                "name": agg_name,
                "requirements": _requirements(
                    "reducer",
                    agg_name,
                    domain,
                    f"Aggregate {data} into hourly totals",
                    category="data",
                    operations=["aggregate"],
                ),
            },
        ]
    nodes.append(
        {
            "name": flow_name,
            "requirements": _requirements(
                "orchestrator",
                flow_name,
                domain,
                f"Coordinate the {domain} service: store, call out, compute and aggregate {data}",
                category="workflow",
                operations=["run"],
            ),
            "depends_on": [store_name, api_name, calc_name, agg_name],
        }
    )
    return nodes


def build_spec(services: int, output_dir: str = "generated") -> dict[str, Any]:
    """The spec as a mapping (``services`` between 1 and 10; five nodes each)."""
    if not 1 <= services <= len(SERVICES):
        raise ValueError(f"services must be between 1 and {len(SERVICES)}")
    nodes: list[dict[str, Any]] = []
    for index, (domain, store, api, data) in enumerate(SERVICES[:services]):
        nodes.extend(service_nodes(index, domain, store, api, data))
    return {
        "defaults": {"output_dir": output_dir, "validation": "strict", "jobs": 2},
        "nodes": nodes,
    }


def main() -> None:
    """Command line: write the spec file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--services", type=int, default=len(SERVICES))
    args = parser.parse_args()
    spec = build_spec(args.services)
    args.output.write_text(yaml.safe_dump(spec, sort_keys=False, width=100), encoding="utf-8")
    print(f"wrote {len(spec['nodes'])} nodes to {args.output}")


if __name__ == "__main__":
    main()

"""The process's Prometheus metrics; transports, dispatcher and scheduler update them.

`GET /metrics` (bot/app/metrics.py) serves REGISTRY, plus the outbox figures it reads from the
database at scrape time.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

# Our own registry: tests build several apps in one process, and the default registry also
# carries process collectors we do not want to describe twice.
REGISTRY = CollectorRegistry(auto_describe=True)

INBOUND = Counter(
    "nabovagt_inbound_events",
    "Inbound events received from the providers, by channel and kind (message, status).",
    ["channel", "kind"],
    registry=REGISTRY,
)
INBOUND_SPOOLED = Counter(
    "nabovagt_inbound_spooled",
    "Inbound events written to the local spool because the database was unavailable.",
    ["channel"],
    registry=REGISTRY,
)
SENDS = Counter(
    "nabovagt_sends",
    "Send attempts by the dispatcher, by channel and outcome (sent, retry, blocked, ...).",
    ["channel", "outcome"],
    registry=REGISTRY,
)
LEADER = Gauge(
    "nabovagt_leader",
    "1 while this process is the leader (dispatches the outbox and runs timed jobs), else 0.",
    registry=REGISTRY,
)
REPLY_SECONDS = Histogram(
    "nabovagt_reply_seconds",
    "Time from an inbound event arriving to its replies being handed to the provider.",
    ["channel"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)

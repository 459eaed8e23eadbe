"""Delivery metrics for /metrics, read from the feed's tables at scrape time.

The deliveries run in the processor process, not in the HTTP workers, so
in-process counters would not be seen here; the tables hold the same counts.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from usecases import subscriptions
from usecases.root import Services


class FeedCollector:
    """Lag, deliveries, failures and pauses per subscription; the AMQP lag."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def collect(self) -> Iterator[Metric]:
        """The metric families, read now."""
        rows = subscriptions.delivery_metrics(self.services)
        label = ["subscription"]
        lag = GaugeMetricFamily(
            "pmo_ledger_webhook_lag_positions",
            "Positions between the log's head and the subscription's cursor",
            labels=label,
        )
        delivered = CounterMetricFamily(
            "pmo_ledger_webhook_deliveries", "Events delivered (2xx)", labels=label
        )
        failures = CounterMetricFamily(
            "pmo_ledger_webhook_failures", "Delivery attempts that failed", labels=label
        )
        paused = GaugeMetricFamily(
            "pmo_ledger_webhook_paused", "1 if the subscription is paused", labels=label
        )
        for row in rows:
            key = [row["subscription"]]
            lag.add_metric(key, row["lag"])
            delivered.add_metric(key, row["delivered"])
            failures.add_metric(key, row["failures"])
            paused.add_metric(key, 1 if row["paused"] else 0)
        yield from (lag, delivered, failures, paused)
        amqp = subscriptions.amqp_lag(self.services)
        if amqp is not None:
            yield GaugeMetricFamily(
                "pmo_ledger_amqp_lag_positions",
                "Positions between the log's head and the broker's last confirm",
                value=amqp,
            )


def feed_metrics(services: Services) -> bytes:
    """The feed's metrics in Prometheus text format."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(FeedCollector(services))
    return generate_latest(registry)

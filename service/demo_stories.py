"""How each demo project's money and benefits go: budget lines, overspend, benefits.

The figures differ per project so the value pages show different stories;
`service.demo_value` records them month by month.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Story:
    """How one project's money and benefits go (so the figures differ)."""

    currency: str
    tolerance: str
    lines: tuple[tuple[str, str, int], ...]
    overspend: float
    benefit_pace: float


STORIES = {
    "ERP": Story(
        "EUR",
        "10",
        (
            ("Implementation partner", "contractors", 900_000),
            ("Internal team", "labour", 450_000),
            ("Licences", "software", 300_000),
        ),
        1.06,
        0.95,
    ),
    "HQ-MOVE": Story(
        "GBP",
        "5",
        (
            ("Fit-out", "facilities", 1_200_000),
            ("Removals", "contractors", 150_000),
            ("Contingency", "contingency", 100_000),
        ),
        1.09,
        0.6,
    ),
    "PORTAL": Story(
        "EUR",
        "15",
        (("Delivery team", "labour", 380_000), ("Cloud hosting", "software", 60_000)),
        0.97,
        1.05,
    ),
}
BENEFITS = {
    "ERP": (
        (
            "Faster month-end close",
            "benefit",
            "non-financial",
            "working days to close the books",
            "days",
            "12",
            "5",
        ),
        (
            "Lower finance operating cost",
            "benefit",
            "financial",
            "annual run cost of finance systems",
            "EUR",
            "2400000",
            "1900000",
        ),
        (
            "Retraining time for finance staff",
            "dis-benefit",
            "non-financial",
            "hours of training per person",
            "hours",
            "0",
            "24",
        ),
    ),
    "HQ-MOVE": (
        (
            "Lower property cost",
            "benefit",
            "financial",
            "annual rent and service charge",
            "GBP",
            "3100000",
            "2300000",
        ),
        (
            "Desk utilisation",
            "benefit",
            "non-financial",
            "share of desks in use at peak",
            "%",
            "45",
            "80",
        ),
    ),
    "PORTAL": (
        (
            "Fewer support calls",
            "benefit",
            "non-financial",
            "calls to the service desk per month",
            "calls",
            "18000",
            "11000",
        ),
        (
            "Online self-service",
            "benefit",
            "financial",
            "annual cost saved by self-service",
            "EUR",
            "0",
            "420000",
        ),
    ),
}

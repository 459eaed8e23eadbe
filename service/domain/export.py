"""An export: who took which slice of the records out of the system, in what form."""

from __future__ import annotations

from typing import Final

from eventsourcing.domain import Aggregate, event

from service.domain.base import InvalidValueError, Meta, check_choice, check_text

FORMATS: Final = ("csv", "ndjson", "xlsx", "zip", "json")
MAX_FILTERS: Final = 20


class Export(Aggregate):
    """A record that an export happened (DOMAIN R5); exports are never edited."""

    @event("Recorded")
    def __init__(
        self, subject: str, output_format: str, filters: dict[str, str], meta: Meta
    ) -> None:
        self.subject = subject
        self.output_format = output_format
        self.filters = dict(filters)
        self.status = "recorded"

    @classmethod
    def record(
        cls, subject: str, output_format: str, filters: dict[str, str], meta: Meta
    ) -> Export:
        """Validate and record an export of a subject (e.g. "audit", "risks")."""
        check_text("subject", subject, max_length=200)
        check_choice("output_format", output_format, FORMATS)
        if not isinstance(filters, dict) or len(filters) > MAX_FILTERS:
            raise InvalidValueError("filters", f"at most {MAX_FILTERS} filters")
        for key, value in filters.items():
            check_text("filters", key, max_length=100)
            if not isinstance(value, str) or len(value) > 1000:
                raise InvalidValueError("filters", "values must be short text")
        return cls(subject, output_format, filters, meta)

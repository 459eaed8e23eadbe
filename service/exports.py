"""Recording exports: every slice of the records taken out is itself an event."""

from __future__ import annotations

from service.application import ApplicationBase, Written
from service.domain.base import Meta
from service.domain.export import Export


class ExportCommands(ApplicationBase):
    """Record who exported what, before the export is handed over."""

    def record_export(
        self, subject: str, output_format: str, filters: dict[str, str], meta: Meta
    ) -> Written:
        """Record an export (audit trail, a register, an evidence pack)."""
        return self.create(Export.record(subject, output_format, filters, meta))

"""The whole application: every command group over one event store."""

from __future__ import annotations

from service.access import AccessCommands


class PmoLedger(AccessCommands):
    """The pmo-ledger application (one shared instance per process)."""

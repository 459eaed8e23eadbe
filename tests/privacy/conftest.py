"""A store per backend with its read models running, the API and the CLI on it,
and every log line the service writes kept in its data dir."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api import create_app
from api.resources.operations import JsonFormatter
from tests.api.conftest import Api, issue_tokens
from tests.conftest import BACKENDS, settings_for
from tests.ledger.test_ledger_cli import run
from usecases.root import build_services

STAKEHOLDER = {
    "kind": "person",
    "organisation": "Acme",
    "role": "Sponsor",
    "interest": 4,
    "influence": 5,
    "current_engagement": "neutral",
    "desired_engagement": "supportive",
    "attitude": "neutral",
    "owner": "Max",
}


class Office(Api):
    """The API, and the CLI on the same store."""

    @property
    def settings(self) -> Any:
        return self.services.settings

    def cli(self, *args: str) -> None:
        exit_code, out = run(self, *args)  # type: ignore[arg-type]
        assert exit_code == 0, out


@pytest.fixture(params=BACKENDS)
def office(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Office]:
    """A store with its read models running and every log line kept in its data dir."""
    with settings_for(request.param, tmp_path / "data") as settings:
        handler = logging.FileHandler(settings.data_dir / "service.log")
        handler.setFormatter(JsonFormatter())
        services = build_services(settings)
        services.runner.start()
        office = Office(create_app(services=services), issue_tokens(services))
        # Every line the service logs, at every level, as the server writes it.
        loggers = [logging.getLogger(n) for n in ("pmo_ledger", "pmo_ledger.access")]
        levels = [logger.level for logger in loggers]
        for logger in loggers:
            logger.addHandler(handler)
            logger.setLevel(logging.DEBUG)
        try:
            yield office
        finally:
            services.close()
            for logger, level in zip(loggers, levels, strict=True):
                logger.removeHandler(handler)
                logger.setLevel(level)
            handler.close()

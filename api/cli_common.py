"""What every command-line module shares: services for one command, CLI metadata."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from service.config import ConfigError, Settings
from service.domain.base import DomainError, Meta
from service.errors import ApplicationError
from usecases.operations import unwritable
from usecases.root import Services, build_services


@contextmanager
def opened(create_tables: bool = True) -> Iterator[Services]:
    """Services for one command, closed afterwards; errors become messages."""
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
    if create_tables and (cause := unwritable(settings)):
        raise click.ClickException(cause)
    services = build_services(settings, create_tables=create_tables)
    try:
        yield services
    except (DomainError, ApplicationError) as error:
        raise click.ClickException(str(error)) from None
    finally:
        services.close()


def cli_meta(reason: str | None) -> Meta:
    """Metadata for events recorded from the command line (an operator acts)."""
    return Meta(actor="cli", role="pmo-head", reason=reason)

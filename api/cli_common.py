"""What every command-line module shares: services for one command, CLI metadata."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

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


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A use case's progress, told (done, total), as a bar on stderr (n/N).

    The bar is drawn from the first report, when the total is known; a
    report of work already done (a resumed run) moves it on at once.
    """
    with ExitStack() as shown:
        bars: list[Any] = []

        def advance(done: int, total: int) -> None:
            if not bars:
                bar = click.progressbar(
                    length=total, label=label, show_pos=True, file=sys.stderr
                )
                bars.append(shown.enter_context(bar))
            bars[0].update(done - bars[0].pos)

        yield advance

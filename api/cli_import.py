"""`pmo-ledger import REGISTER FILE.csv --project CODE` for each importable register."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from api.cli_common import opened
from service.domain import catalogue
from service.domain.base import InvalidValueError, Meta
from service.importer import ImportRefusedError, Kind, check_importable, importable
from usecases.imports import ImportRegister, import_register


@click.group("import")
def import_group() -> None:
    """Bring in an existing spreadsheet register (CSV with a header row)."""


def _import(kind: Kind, file: Path, project: str, actor: str) -> None:
    command = ImportRegister(kind, file, project)
    with opened() as services:
        try:
            done = import_register(services, command, Meta(actor, "pmo-head"))
        except ImportRefusedError as error:
            for row in error.errors:
                click.echo(f"{file}: {row}", err=True)
            raise click.ClickException(
                f"{len(error.errors)} row(s) refused; nothing was imported"
            ) from None
    click.echo(
        f"imported {done.entries} {kind} ({done.events} events) from {file.name} "
        f"into {project.upper()}"
    )


def _command(kind: Kind) -> click.Command:
    portfolio = importable()[kind].register_kind.portfolio
    option: dict[str, Any] = (
        {"default": "PORTFOLIO", "help": "None: the register is the portfolio's."}
        if portfolio
        else {"required": True, "help": "The project's code."}
    )

    @click.command(
        kind, help=f"Import {kind}: every row is checked before any is saved."
    )
    @click.argument(
        "file", type=click.Path(exists=True, dir_okay=False, path_type=Path)
    )
    @click.option("--project", **option)
    @click.option("--actor", default="import", show_default=True, help="Who imports.")
    def command(file: Path, project: str, actor: str) -> None:
        _import(kind, file, project, actor)

    return command


def _refused(kind: Kind) -> click.Command:
    """A register not imported: its command says why, whatever it is given."""

    @click.command(
        kind,
        hidden=True,
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    )
    def command() -> None:
        try:
            check_importable(kind)
        except InvalidValueError as error:
            raise click.ClickException(error.message) from None

    return command


KINDS: tuple[Kind, ...] = tuple(importable())
for _kind in KINDS:
    import_group.add_command(_command(_kind))
for _declared in catalogue.kinds():
    if _declared.name not in KINDS:
        import_group.add_command(_refused(_declared.name))

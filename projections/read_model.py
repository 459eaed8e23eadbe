"""What a read model is: its tables for one generation and how events change them.

`projections/processing.py` drives read models along the notification log.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, TypeVar

from eventsourcing.persistence import Notification
from eventsourcing.utils import get_topic
from sqlalchemy import Connection, Dialect, MetaData


class Buffer(Protocol):
    """Writes a read model holds back until the end of its batch."""

    def reset(self) -> None:
        """Drop what is held (a new batch, or a rolled-back one)."""

    def prepare(self, dialect: Dialect) -> None:
        """Bind what is held for dialect, before the batch's transaction starts.

        Optional for `flush`: what was not prepared, or changed since, is bound
        when flushing.
        """

    def flush(self, conn: Connection) -> None:
        """Write what is held, inside the batch's transaction."""

    def forget(self) -> None:
        """Drop what is remembered across batches (another process wrote)."""


B = TypeVar("B", bound=Buffer)


@dataclass(frozen=True)
class Item:
    """One stored event as a read model sees it."""

    position: int
    notification: Notification
    event: Any


class ReadModel(ABC):
    """A read model: its tables for one generation and how events change them."""

    name: ClassVar[str]
    event_classes: ClassVar[tuple[type, ...]] = ()
    decode: ClassVar[bool] = True

    def __init__(self, generation: int) -> None:
        self.generation = generation
        self.metadata = MetaData()
        self.buffers: list[Buffer] = []
        self.define(self.metadata, f"{self.name}_g{generation}")

    def buffered(self, buffer: B) -> B:
        """Register a buffer that `begin` resets and `flush` writes."""
        self.buffers.append(buffer)
        return buffer

    def begin(self) -> None:
        """Start a batch: nothing held from an earlier (maybe rolled-back) one."""
        for buffer in self.buffers:
            buffer.reset()

    def forget(self) -> None:
        """Drop rows remembered from committed batches (they may be stale now)."""
        for buffer in self.buffers:
            buffer.forget()

    def prepare(self, dialect: Dialect) -> None:
        """Bind what the buffers hold once the batch is worked out (before its lock)."""
        for buffer in self.buffers:
            buffer.prepare(dialect)

    def flush(self, conn: Connection) -> None:
        """End a batch: write what the buffers hold."""
        for buffer in self.buffers:
            buffer.flush(conn)

    @abstractmethod
    def define(self, metadata: MetaData, prefix: str) -> None:
        """Declare this generation's tables (names start with prefix)."""

    @abstractmethod
    def apply(self, conn: Connection, item: Item) -> None:
        """Change the rows for one event, inside the processor's transaction."""

    @classmethod
    def topics(cls) -> list[str]:
        """Topics this model reads (empty: every event)."""
        return [get_topic(c) for c in cls.event_classes]

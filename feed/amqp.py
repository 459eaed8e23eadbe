"""Publishes every event (or a filtered set) to a RabbitMQ topic exchange.

Messages carry the position as `message_id` and go out with publisher confirms;
the cursor (`feed_cursors` row `amqp`) moves only after the broker confirmed
every message up to it, so a crash republishes (same message ids) and never
skips. Routing key: `<project id or none>.<Entity>.<Action>`.
"""

from __future__ import annotations

import logging

import pika
from pika.adapters.blocking_connection import BlockingChannel
from pika.exceptions import AMQPError
from sqlalchemy import Engine, update

from feed import catalog
from feed.config import FeedSettings
from feed.events import EventReader, FeedEvent
from feed.tables import cursors
from projections.catalog import now
from projections.runner import exclusive
from service.background import BackgroundThread
from service.durability import durable

log = logging.getLogger(__name__)

NAME = "amqp"
IDLE_POLL_SECONDS = 0.2
RECONNECT_MAX_SECONDS = 10.0


class AmqpPublisher(BackgroundThread):
    """Follows the log in a daemon thread and publishes with confirms."""

    thread_name = "amqp"

    def __init__(self, engine: Engine, reader: EventReader, settings: FeedSettings):
        assert settings.amqp_url is not None
        super().__init__()
        self.engine = engine
        self.reader = reader
        self.settings = settings

    def position(self) -> int:
        """How far the broker has confirmed."""
        return catalog.peek(self.engine, NAME)

    def _loop(self) -> None:
        delay = 0.5
        while not self.stop_event.is_set():
            try:
                with exclusive(self.engine, NAME, self.stop_event) as granted:
                    if granted:
                        self._publish_forever()
                delay = 0.5
            except (AMQPError, OSError) as error:  # the broker is away: wait
                log.warning("amqp publisher waiting for the broker: %r", error)
                self.error = repr(error)
                self.stop_event.wait(delay)
                delay = min(delay * 2, RECONNECT_MAX_SECONDS)
            except Exception as error:  # the database may be restarting
                log.warning("amqp publisher paused: %r", error)
                self.error = repr(error)
                self.stop_event.wait(1.0)

    def _publish_forever(self) -> None:
        params = pika.URLParameters(self.settings.amqp_url or "")
        connection = pika.BlockingConnection(params)
        with durable(self.engine) as conn:
            catalog.cursor(conn, NAME)  # the row exists before it is moved
        try:
            channel = connection.channel()
            channel.exchange_declare(
                self.settings.amqp_exchange, exchange_type="topic", durable=True
            )
            channel.confirm_delivery()
            self.error = None
            while not self.stop_event.is_set():
                if not self._batch(channel):
                    connection.process_data_events(0)  # heartbeats
                    self.wake_event.wait(IDLE_POLL_SECONDS)
                    self.wake_event.clear()
        finally:
            if connection.is_open:
                connection.close()

    def _batch(self, channel: BlockingChannel) -> bool:
        """Publish the next batch; whether anything was covered."""
        start = self.position()
        events, reached = self.reader.read(start, self.settings.batch_size)
        if reached <= start:
            return False
        for event in events:
            if self._wanted(event):
                self._publish(channel, event)
        with durable(self.engine) as conn:
            conn.execute(
                update(cursors)
                .where(cursors.c.name == NAME, cursors.c.position == start)
                .values(position=reached, updated_at=now())
            )
        return True

    def _wanted(self, event: FeedEvent) -> bool:
        return event.matches(self.settings.amqp_event_types, ())

    def _publish(self, channel: BlockingChannel, event: FeedEvent) -> None:
        """Publish one message; returns once the broker confirmed it."""
        properties = pika.BasicProperties(
            message_id=str(event.position),
            content_type="application/json",
            delivery_mode=pika.DeliveryMode.Persistent,
            type=event.event_type,
            headers={"position": event.position, "leaf_index": event.leaf_index},
        )
        channel.basic_publish(
            self.settings.amqp_exchange,
            event.routing_key,
            event.body(self.settings.public_url),
            properties,
        )

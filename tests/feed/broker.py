"""The real RabbitMQ for the AMQP tests, a queue to read, and a cuttable proxy."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pika
import pytest

BROKER = ("127.0.0.1", 5672)
URL = "amqp://guest:guest@127.0.0.1:5672/%2F"


def require_broker() -> None:
    """Skip without RabbitMQ, except under CI (.ci/run starts it): there, fail."""
    try:
        socket.create_connection(BROKER, timeout=2).close()
    except OSError:
        if os.environ.get("CI") == "true":
            pytest.fail("RabbitMQ is not running at 127.0.0.1:5672 (.ci/run starts it)")
        pytest.skip("RabbitMQ is not running at 127.0.0.1:5672")


@contextmanager
def bound_queue(exchange: str) -> Iterator[str]:
    """A queue bound to every key of a (declared) topic exchange; deleted after."""
    queue = f"test-{uuid.uuid4().hex[:10]}"
    with _channel() as channel:
        channel.exchange_declare(exchange, exchange_type="topic", durable=True)
        channel.queue_declare(queue, durable=True)
        channel.queue_bind(queue, exchange, routing_key="#")
    try:
        yield queue
    finally:
        with _channel() as channel:
            channel.queue_delete(queue)
            channel.exchange_delete(exchange)


@contextmanager
def _channel() -> Iterator[Any]:
    connection = pika.BlockingConnection(pika.URLParameters(URL))
    try:
        yield connection.channel()
    finally:
        connection.close()


def drain(queue: str) -> list[tuple[str, str, dict[str, Any]]]:
    """Every message in the queue: (message id, routing key, headers), in order."""
    got = []
    with _channel() as channel:
        while True:
            method, properties, _body = channel.basic_get(queue, auto_ack=True)
            if method is None:
                return got
            got.append((properties.message_id, method.routing_key, properties.headers))


def depth(queue: str) -> int:
    """How many messages wait in the queue."""
    with _channel() as channel:
        return int(channel.queue_declare(queue, passive=True).method.message_count)


class Proxy:
    """Forwards a loopback port to the broker; `cut()` drops it, `mend()` restores."""

    def __init__(self) -> None:
        self.listener: socket.socket | None = None
        self.port = 0
        self.pairs: list[socket.socket] = []
        self.lock = threading.Lock()
        self.mend()

    @property
    def url(self) -> str:
        """An AMQP URL through the proxy."""
        return f"amqp://guest:guest@127.0.0.1:{self.port}/%2F?heartbeat=5"

    def mend(self) -> None:
        """Listen (on the same port as before, if any) and forward."""
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.port = listener.getsockname()[1]
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        """Stop listening and close every forwarded connection."""
        assert self.listener is not None
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        self.listener.close()
        self.listener = None
        with self.lock:
            for sock in self.pairs:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self.pairs.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                listener.close()
                return
            upstream = socket.create_connection(BROKER)
            with self.lock:
                self.pairs += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pipe, args=(a, b), daemon=True).start()


def _pipe(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (source, target):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        source.close()

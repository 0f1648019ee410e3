"""Misbehaving network peers for resilience tests: a server that accepts and never answers,
and a TCP proxy that can be frozen (a hung PostgreSQL or Redis with its sockets still open)."""

from __future__ import annotations

import contextlib
import socket
import threading


class HungServer:
    """Accepts connections on 127.0.0.1 and never sends a byte (a stopped or hung server)."""

    def __init__(self):
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._accepted: list[socket.socket] = []
        self._closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self._accepted.append(conn)  # kept open, never read or answered

    def close(self) -> None:
        self._closed.set()
        self._listener.close()
        for conn in self._accepted:
            conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class FreezableProxy:
    """Forwards 127.0.0.1:port to a real server until ``freeze()``: then it stops passing
    bytes either way while keeping every socket open, as a SIGSTOPped server would."""

    def __init__(self, host: str, port: int):
        self._target = (host, port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._running = threading.Event()
        self._running.set()
        self._closed = threading.Event()
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def freeze(self) -> None:
        self._running.clear()

    def thaw(self) -> None:
        self._running.set()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self._target)
            self._sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        while not self._closed.is_set():
            try:
                data = source.recv(65536)
            except OSError:
                return
            if not data:
                return
            self._running.wait()  # frozen: hold the bytes, answer nothing
            if self._closed.is_set():
                return
            try:
                sink.sendall(data)
            except OSError:
                return

    def close(self) -> None:
        self._closed.set()
        self._running.set()
        self._listener.close()
        for s in self._sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

"""Django's PostgreSQL backend, with a client-side deadline on every wait for the server.

PostgreSQL's statement_timeout is enforced by the server, so it cannot help when the server
itself is hung (stopped, swapping, a dead network path with the socket still open): psycopg
would wait on the socket for ever, and so would the gunicorn worker. This backend's
connections give up after ``OPTIONS["wait_timeout"]`` seconds (settings.py: the statement
timeout plus a second) and close themselves, so the request fails with OperationalError, which
the site turns into its 503 page (portal/views.py server_error). Django's connection health
check (CONN_HEALTH_CHECKS) gets a shorter deadline, ``OPTIONS["ping_timeout"]``, and is skipped
for a connection the server answered less than ``OPTIONS["ping_after"]`` seconds ago: under
load each request's SELECT 1 was a round trip of its own, to learn what the previous request
had just shown (6-7% of a gunicorn worker's time in a search under py-spy, waiting included;
the throughput gain was within this machine's noise). Were the server to go away within that
second, the request's query fails as it would have had the server gone just after a ping: the
branded 503, and Django closes the connection at the end of the request (its errors_occurred
check), so the next request connects afresh.
Connecting is bounded by libpq's connect_timeout, which psycopg enforces on the client side.
"""

from __future__ import annotations

import time
import types

import psycopg
from django.db.backends.postgresql import base
from psycopg import errors
from psycopg.connection import _WAIT_INTERVAL


class DeadlineConnection(psycopg.Connection):
    """A psycopg connection whose waits for the server end after ``deadline`` seconds."""

    deadline: float | None = None
    # time.monotonic() when the server last answered on this connection.
    answered_at: float = float("-inf")

    def wait(self, gen, interval: float = _WAIT_INTERVAL, timeout: float | None = None):
        ours = timeout is None and bool(self.deadline)  # the caller set no timeout of its own
        try:
            result = super().wait(
                gen, interval=interval, timeout=self.deadline if ours else timeout
            )
        except errors._WaitTimeout:
            if not ours:
                raise
            # Mid-query with no answer: the connection's state is unknown. Never reuse it.
            self.pgconn.finish()
            raise psycopg.OperationalError(
                f"the database did not answer within {self.deadline:g} s"
            ) from None
        self.answered_at = time.monotonic()
        return result


class _Driver(types.SimpleNamespace):
    """psycopg as Django sees it (``DatabaseWrapper.Database``), connecting with deadlines."""

    def __getattr__(self, name):
        return getattr(psycopg, name)

    @staticmethod
    def connect(*args, **kwargs):
        return DeadlineConnection.connect(*args, **kwargs)


class DatabaseWrapper(base.DatabaseWrapper):
    Database = _Driver()

    def get_connection_params(self):
        params = super().get_connection_params()
        self._wait_timeout = params.pop("wait_timeout", None)
        self._ping_timeout = params.pop("ping_timeout", None)
        self._ping_after = params.pop("ping_after", 0.0)
        return params

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        if isinstance(connection, DeadlineConnection):
            connection.deadline = self._wait_timeout
        return connection

    def close_if_health_check_failed(self):
        """Django's per-request health check, unless the server answered on this connection
        less than ``ping_after`` seconds ago (see the module's docstring)."""
        connection = self.connection
        if (
            isinstance(connection, DeadlineConnection)
            and self.health_check_enabled
            and not self.health_check_done
            and time.monotonic() - connection.answered_at < getattr(self, "_ping_after", 0.0)
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def is_usable(self):
        """Django's health check (a SELECT 1), under the short ping deadline."""
        connection = self.connection
        if connection is None or not isinstance(connection, DeadlineConnection):
            return super().is_usable()
        deadline = connection.deadline
        connection.deadline = self._ping_timeout or deadline
        try:
            return super().is_usable()
        finally:
            connection.deadline = deadline

"""The PostgreSQL leg of the data-layer tests: a throwaway database per test on the server
named by ``AUDITAPP_TEST_PG_URL`` (``.ci/run`` starts one on loopback).

A test module opts in with ``pytestmark = pytest.mark.both_backends``: each of its tests that
uses the ``db``, ``demo_db`` or ``make_db`` fixture then runs twice, ``[sqlite]`` and
``[postgresql]``. Without the variable the PostgreSQL runs are skipped, saying why; under CI
(``CI=true``) they fail.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from auditapp.models import new_uid
from auditapp.storage.connection import AppDatabase
from auditapp.storage.database import open_database
from tests.builders import LEAD, add_people

PG_URL_ENV = "AUDITAPP_TEST_PG_URL"
BACKENDS = ("sqlite", "postgresql")


class PostgresServer:
    """Makes fresh databases, at schema head, from one migrated template database."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.admin: Engine = create_engine(self.url, isolation_level="AUTOCOMMIT")
        self._numbers = itertools.count(1)
        self._prefix = f"t{os.getpid()}_"  # test runs sharing a server keep apart
        self.template = f"{self._prefix}template"
        self._drop(self.template)
        self._execute(f"CREATE DATABASE {self.template}")
        database = open_database(self.url_of(self.template))  # every migration, once
        add_people(database)  # the test people's profiles, in every database made from it
        database.dispose()

    def url_of(self, name: str) -> str:
        """The URL of a database on this server."""
        return self.url.set(database=name).render_as_string(hide_password=False)

    def _execute(self, sql: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(sql))

    def _drop(self, name: str) -> None:
        self._execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def create(self) -> str:
        """A new database at head with its own database id and the test people's profiles;
        returns its name."""
        name = f"{self._prefix}{next(self._numbers)}"
        self._execute(f"CREATE DATABASE {name} TEMPLATE {self.template}")
        engine = create_engine(self.url_of(name))
        with engine.begin() as connection:
            connection.execute(text("UPDATE settings SET value = :v WHERE key = 'database_id'"),
                               {"v": json.dumps(new_uid())})
        engine.dispose()
        return name

    def open(self, name: str) -> AppDatabase:
        """Open a database made by :meth:`create`."""
        return open_database(self.url_of(name))

    def drop(self, name: str) -> None:
        """Remove a database made by :meth:`create`."""
        self._drop(name)

    def close(self) -> None:
        """Remove the template and let go of the server."""
        self._drop(self.template)
        self.admin.dispose()


def postgres_url() -> str:
    """The test server's URL; skips (or, under CI, fails) the test when none is given."""
    url = os.environ.get(PG_URL_ENV)
    if url:
        return url
    if os.environ.get("CI") == "true":
        pytest.fail(f"{PG_URL_ENV} is not set: CI must run the PostgreSQL leg (.ci/run "
                    "starts a server for it).")
    pytest.skip(f"PostgreSQL leg: set {PG_URL_ENV} to a database URL on a test server "
                "(.ci/postgres starts one) to run it")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """The PostgreSQL test server, with its migrated template database."""
    server = PostgresServer(postgres_url())
    yield server
    server.close()


@pytest.fixture
def pg_database(pg_server: PostgresServer) -> Iterator[AppDatabase]:
    """A fresh PostgreSQL database at head, dropped after the test."""
    name = pg_server.create()
    database = pg_server.open(name)
    yield database
    database.dispose()
    pg_server.drop(name)


@pytest.fixture(scope="session")
def pg_demo_name(pg_server: PostgresServer) -> str:
    """A demo database on the server like the SQLite one, built once; tests only read it."""
    from auditapp.services.demo import generate_demo

    name = pg_server.create()
    database = pg_server.open(name)
    list(generate_demo(database, 300, LEAD, seed=11, end=date(2026, 6, 30)))
    database.dispose()
    return name


def parametrize_backends(metafunc: pytest.Metafunc) -> None:
    """Run a ``both_backends`` test that uses a database fixture on each backend."""
    marked = metafunc.definition.get_closest_marker("both_backends") is not None
    if marked and "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture
def make_db(backend: str, tmp_path: Path, request: pytest.FixtureRequest
            ) -> Iterator[Callable[[str], AppDatabase]]:
    """Makes more fresh databases on the test's backend (for two laptops, say), each with
    the test people's profiles."""
    opened: list[tuple[AppDatabase, str | None]] = []

    def make(name: str) -> AppDatabase:
        if backend == "postgresql":
            server: PostgresServer = request.getfixturevalue("pg_server")
            created = server.create()
            database = server.open(created)
            opened.append((database, created))
        else:
            database = open_database(tmp_path / f"{name}.sqlite")
            add_people(database)
            opened.append((database, None))
        return database

    yield make
    for database, created in opened:
        database.dispose()
        if created is not None:
            request.getfixturevalue("pg_server").drop(created)

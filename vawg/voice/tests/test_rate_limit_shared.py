"""The feedback rate limit holds across app servers, and behind the proxy, per client."""

import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from vawg.voice import ratelimit
from vawg.voice.models import Feedback

PROXY = "10.0.0.5"
CLIENT = "203.0.113.7"
NEIGHBOUR = "203.0.113.8"
WORKERS = 4
POSTS = 30


def _form_url(partnership) -> str:
    return reverse("voice:feedback-form", kwargs={"partnership": partnership.slug})


def _through_proxy(client_address: str, forged: str = "") -> dict[str, str]:
    return {
        "REMOTE_ADDR": PROXY,
        "HTTP_X_FORWARDED_FOR": f"{forged}, {client_address}" if forged else client_address,
    }


def test_behind_the_proxy_each_client_has_its_own_count(partnership, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    url = _form_url(partnership)
    browser = Client(**_through_proxy(CLIENT))
    for n in range(ratelimit.LIMIT):
        assert browser.post(url, {"text": f"message {n}"}).status_code == 200
    assert browser.post(url, {"text": "one too many"}).status_code == 429
    # Another person behind the same proxy is not held back.
    assert Client(**_through_proxy(NEIGHBOUR)).post(url, {"text": "hi"}).status_code == 200


def test_a_forged_forwarded_header_does_not_evade_the_limit(partnership, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    url = _form_url(partnership)
    statuses = [
        Client(**_through_proxy(CLIENT, forged=f"192.0.2.{n}, 198.51.100.{n}"))
        .post(url, {"text": f"message {n}"})
        .status_code
        for n in range(ratelimit.LIMIT + 3)
    ]
    assert statuses == [200] * ratelimit.LIMIT + [429] * 3
    assert Feedback.objects.count() == ratelimit.LIMIT


# --- Across processes: gunicorn's workers, one database ---------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url(folder: Path) -> str:
    """The test database as the app servers reach it (a file copy of an in-memory SQLite)."""
    if connection.vendor == "sqlite":
        path = folder / "shared.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(path) as copy:
            connection.connection.backup(copy)
        return f"sqlite:///{path}"
    db = connection.settings_dict
    user = urllib.parse.quote(db["USER"] or "")
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    host = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
    return f"postgres://{user}{password}@{host}/{db['NAME']}"


def _count_feedback(database_url: str) -> int:
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as shared:
            return shared.execute("SELECT COUNT(*) FROM voice_feedback").fetchone()[0]
    return Feedback.objects.count()


def _wait_until_up(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn stopped"
        try:
            with urllib.request.urlopen(f"{base}/healthz/", timeout=5) as response:  # noqa: S310 - our own test server
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError("gunicorn did not answer")


def _post(base: str, path: str, n: int) -> int:
    body = urllib.parse.urlencode({"text": f"Synthetic message {n}", "website": ""}).encode()
    request = urllib.request.Request(  # noqa: S310 - our own test server
        f"{base}{path}",
        data=body,
        # As the proxy passes it on: what the client forged, then the client's address.
        headers={"X-Forwarded-For": f"192.0.2.{n}, {CLIENT}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - our own test server
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.django_db(transaction=True)
def test_the_limit_holds_across_app_server_processes(partnership):
    """30 posts at once from one client, spread over 4 worker processes: 5 get through."""
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        database_url = _database_url(folder)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        access_log = folder / "access.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url,
            "TRUSTED_PROXY_COUNT": "1",  # the test plays the proxy
        }
        env.pop("REDIS_URL", None)  # the default shared cache: the database's table
        server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                f"--workers={WORKERS}",
                f"--bind=127.0.0.1:{port}",
                f"--access-logfile={access_log}",
                "--access-logformat=%(p)s %(m)s %(s)s",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_until_up(base, server)
            path = _form_url(partnership)
            with ThreadPoolExecutor(max_workers=POSTS) as pool:
                statuses = list(pool.map(lambda n: _post(base, path, n), range(POSTS)))
        finally:
            server.terminate()
            server.wait(timeout=60)
        assert sorted(statuses) == [200] * ratelimit.LIMIT + [429] * (POSTS - ratelimit.LIMIT)
        assert _count_feedback(database_url) == ratelimit.LIMIT
        served_by = {
            line.split()[0] for line in access_log.read_text().splitlines() if " POST " in line
        }
        assert len(served_by) > 1, "the posts should have reached several processes"

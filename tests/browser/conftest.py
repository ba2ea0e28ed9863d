"""Browser tests: a real Daphne in a subprocess on the test database, the Redis channel layer shared by
that server and this process (so an alert raised here reaches the pages), and the system Chromium
driven by Playwright's sync API."""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

from tests.channel_layers import redis_channel_layers

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
# Nothing listens on the discard port: every tile fails, which proves the page works without tiles.
UNREACHABLE_TILES = "http://127.0.0.1:9/{z}/{x}/{y}.png"
SERVER_START_SECONDS = 40


@pytest.fixture(scope="session")
def redis_url() -> str:
    """Redis is required when REDIS_URL is set; otherwise the local default is tried and the browser
    tests are skipped without it (the embedded default has no Redis)."""
    import redis

    url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as error:
        message = f"The browser tests need Redis at {url} for the live feed across processes: {error}"
        if os.environ.get("REDIS_URL"):
            pytest.fail(message)
        pytest.skip(message)
    return url


@pytest.fixture(scope="session")
def channel_layer_prefix() -> str:
    return os.environ.get("CHANNEL_LAYER_PREFIX") or f"browser-{uuid.uuid4().hex[:8]}"


def _redis_layer(redis_url: str, prefix: str) -> dict:
    return redis_channel_layers(prefix, url=redis_url)


def _server_database_env() -> dict[str, str]:
    """Point the server at the test database pytest-django made (settings already name it)."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.postgresql":
        credentials = quote(database.get("USER") or "", safe="")
        if database.get("PASSWORD"):
            credentials += ":" + quote(database["PASSWORD"], safe="")
        host = database.get("HOST") or "127.0.0.1"
        port = f":{database['PORT']}" if database.get("PORT") else ""
        at = f"{credentials}@" if credentials else ""
        return {"DATABASE_URL": f"postgres://{at}{host}{port}/{quote(str(database['NAME']), safe='')}"}
    return {"SQLITE_PATH": str(database["NAME"])}


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_health(url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        try:
            # Waiting on the process is the pause between probes, and notices a server that died.
            process.wait(timeout=0.2)
        except subprocess.TimeoutExpired:
            continue
        pytest.fail(f"Daphne exited with {process.returncode}:\n{log_path.read_text()}")
    pytest.fail(f"Daphne did not answer {url}/healthz in {SERVER_START_SECONDS} s:\n{log_path.read_text()}")


@pytest.fixture(scope="module")
def server_media_root() -> Iterator[str]:
    """The server's MEDIA_ROOT: uploads from the pages land here, not in the tree; a test that stores
    files for the server to serve (a camera's latest frame) points its own MEDIA_ROOT here."""
    media_root = tempfile.mkdtemp(prefix="opscenter-media-")
    yield media_root
    shutil.rmtree(media_root, ignore_errors=True)


@pytest.fixture(scope="module")
def server_url(django_db_setup, redis_url: str, channel_layer_prefix: str, server_media_root: str) -> Iterator[str]:
    """Daphne serving the whole application on the test database, like production does."""
    media_root = server_media_root
    daphne = Path(sys.executable).with_name("daphne")
    command = str(daphne) if daphne.exists() else shutil.which("daphne")
    assert command, "daphne is not installed in this environment"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "SQLITE_PATH", "TEST_DATABASE_NAME", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        _server_database_env(),
        DJANGO_SETTINGS_MODULE="opscenter.settings",
        # The code of this checkout, not whatever the venv's editable install points at (a worktree).
        PYTHONPATH=str(settings.BASE_DIR),
        SECRET_KEY=settings.SECRET_KEY,
        DEBUG="1",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        REDIS_URL=redis_url,
        CHANNEL_LAYER_PREFIX=channel_layer_prefix,
        MAP_TILE_URL=UNREACHABLE_TILES,
        MEDIA_ROOT=media_root,
        AXES_FAILURE_LIMIT="5",
        LOG_LEVEL="WARNING",
    )
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_file = tempfile.NamedTemporaryFile(prefix="daphne-", suffix=".log", delete=False)  # noqa: SIM115
    log_path = Path(log_file.name)
    process = subprocess.Popen(
        [command, "-b", "127.0.0.1", "-p", str(port), "opscenter.asgi:application"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for_health(url, process, log_path)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log_file.close()
        log_path.unlink(missing_ok=True)


@pytest.fixture
def redis_channel_layer(settings, redis_url: str, channel_layer_prefix: str) -> Iterator[None]:
    """This process publishes through the same Redis as the server, so its alerts reach the pages."""
    from channels.layers import channel_layers

    settings.CHANNEL_LAYERS = _redis_layer(redis_url, channel_layer_prefix)
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture(scope="module")
def seed(django_db_setup) -> str:
    """The freshly migrated test database (seeded centers and districts), as pytest-django serialized
    it on creation (live_db asks for serialized rollback), not as now: an earlier transactional test
    may have emptied it."""
    from django.db import connection

    contents = getattr(connection, "_test_serialized_contents", None)
    assert contents, "pytest-django did not serialize the test database; is the browser's loop running?"
    return contents


@pytest.fixture
def seed_restored_afterwards(seed: str, django_db_blocker) -> Iterator[None]:
    """Serialized rollback, made to work under Playwright: its event loop gives the test code another
    connection object than the one pytest-django stored the serialized database on. Set up before
    transactional_db (which then loads the seed and, flushing, leaves the tables empty for it), and
    torn down after it, to put the seed back for the tests that follow."""
    from django.db import connection

    connection._test_serialized_contents = seed
    yield
    with django_db_blocker.unblock():
        connection.creation.deserialize_db_from_string(seed)


@pytest.fixture
def live_db(seed_restored_afterwards, transactional_db, django_db_serialized_rollback, redis_channel_layer) -> None:
    """Committed data (the server is another process), the seed, and the shared channel layer."""


@pytest.fixture(scope="module")
def browser(seed: str) -> Iterator:
    """Chromium; after the seed, which must be read before Playwright's event loop starts."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"No Chromium at {CHROMIUM}: bin/test installs Debian's chromium package")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=10_000)
    # Playwright's sync API keeps an event loop running in this thread, which Django takes for async
    # code; the tests' ORM calls are still synchronous and safe. Only while these tests run: the
    # variable would leak into other tests' subprocesses (`check --deploy` warns about it).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    # Module scope, not session: Playwright's loop must not outlive these tests (async tests follow).
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        yield chromium
    finally:
        from django.db import connections

        # The connections opened while the loop ran belong to it; close them, or PostgreSQL refuses
        # to drop the test database.
        connections.close_all()
        chromium.close()
        playwright.stop()
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def new_page(browser, server_url: str) -> Iterator[Callable]:
    """Opens a page in a fresh browser context (a separate person or device); fails the test on any
    uncaught script error of any page it opened."""
    contexts = []
    errors: list[str] = []

    def open_page(**context_options):
        context_options.setdefault("locale", "en-US")  # the assertions read English text
        context = browser.new_context(base_url=server_url, **context_options)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert errors == []


@pytest.fixture
def log_in() -> Callable:
    from playwright.sync_api import expect

    from tests.factories import PASSWORD

    def sign_in(page, username: str, password: str = PASSWORD) -> None:
        page.goto("/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("#login-form button[type=submit]")
        expect(page.locator("#current-user")).to_have_attribute("data-username", username)

    return sign_in


def in_worker_thread(function: Callable, /, **kwargs):
    """Run ORM work that publishes live events in a thread of its own: async_to_sync, which the
    publishing uses, refuses to run in a thread with a running event loop (Playwright's)."""
    from django.db import connection

    def run():
        try:
            return function(**kwargs)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()

"""Request bodies are limited before Django reads them, over the real ASGI application (and Daphne):
a declared Content-Length or a streamed body over the endpoint's limit gets a JSON 413, and the
request never reaches a view."""

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from opscenter.asgi import application
from opscenter.bodylimit import body_limit

ROOT = Path(__file__).resolve().parents[2]
BATCH = "/api/v1/tracking/batch"


async def call(path, chunks, *, content_length=None, method="POST"):
    """Drive the ASGI application as a server would: the body in the given chunks."""
    headers = [(b"host", b"localhost"), (b"content-type", b"application/json")]
    if content_length is not None:
        headers.append((b"content-length", str(content_length).encode()))
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "https",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "", "headers": headers,
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 80),
    }  # fmt: skip
    pending = [
        {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1} for i, chunk in enumerate(chunks)
    ]
    read = 0
    sent = []
    answered = asyncio.Event()

    async def receive():
        nonlocal read
        if pending:
            message = pending.pop(0)
            read += len(message["body"])
            return message
        await answered.wait()  # the client stays until it has its answer
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            answered.set()

    await application(scope, receive, send)
    start = next(message for message in sent if message["type"] == "http.response.start")
    body = b"".join(message.get("body", b"") for message in sent if message["type"] == "http.response.body")
    headers = {name.decode().lower(): value.decode() for name, value in start["headers"]}
    return start["status"], headers, body, read


def test_each_kind_of_endpoint_has_its_limit(settings):
    assert body_limit("/api/v1/partner/appeals") == 64 * 1024
    assert body_limit("/api/v1/partner/attachments") == max(settings.APPEALS_ATTACHMENT_MAX_BYTES.values()) + 64 * 1024
    assert body_limit("/api/v1/tracking/osmand") == 64 * 1024
    assert body_limit("/api/v1/tracking/batch") == 1024 * 1024
    assert body_limit("/alerts/") == settings.REQUEST_BODY_MAX_BYTES


async def test_a_declared_length_over_the_limit_is_refused_before_a_byte_is_read(settings):
    settings.REQUEST_BODY_LIMITS = {**settings.REQUEST_BODY_LIMITS, BATCH: 1000}

    status, headers, body, read = await call(BATCH, [b"x" * 1001], content_length=1001)

    assert status == 413
    assert headers["content-type"] == "application/json"
    assert json.loads(body) == {"detail": "The request body is too large: at most 1000 bytes here.",
                                "code": "request_too_large"}  # fmt: skip
    assert read == 0


async def test_a_streamed_body_is_refused_once_it_passes_the_limit(settings):
    settings.REQUEST_BODY_LIMITS = {**settings.REQUEST_BODY_LIMITS, BATCH: 1000}

    status, _headers, body, read = await call(BATCH, [b"[" + b" " * 599, b" " * 600, b" " * 600, b"]"])

    assert status == 413
    assert json.loads(body)["code"] == "request_too_large"
    assert read == 1200  # stopped at the chunk that passed the limit


async def test_a_length_that_lies_is_caught_by_counting(settings):
    settings.REQUEST_BODY_LIMITS = {**settings.REQUEST_BODY_LIMITS, BATCH: 1000}
    status, _headers, _body, _read = await call(BATCH, [b" " * 800, b" " * 800], content_length=10)
    assert status == 413


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # Django runs the view in a thread of its own
async def test_a_body_within_the_limit_reaches_django(settings):
    settings.REQUEST_BODY_LIMITS = {**settings.REQUEST_BODY_LIMITS, BATCH: 1000}

    status, _headers, body, read = await call(BATCH, [b'{"positions":', b" []}"])

    assert (status, read) == (401, 17)  # no secret: Django's answer, the body read whole
    assert json.loads(body)["code"] == "not_authenticated"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _exchange(port: int, request: bytes) -> tuple[bytes, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _blank, payload = answer.partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0], payload


def test_daphne_answers_an_oversized_upload_with_the_json_413(tmp_path):
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    env.update(SQLITE_PATH=str(tmp_path / "db.sqlite3"), SECRET_KEY="x" * 50, DEBUG="True",
               REQUEST_BODY_TRACKING_MAX_BYTES="1000")  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "opscenter.asgi:application"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    head = b"POST /api/v1/tracking/osmand HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "Daphne did not start"
                assert server.poll() is None, "Daphne exited"
                time.sleep(0.2)

        declared = _exchange(port, head + b"Content-Length: 5000\r\nConnection: close\r\n\r\n" + b"x" * 5000)
        chunk = b"%x\r\n" % 1000 + b"x" * 1000 + b"\r\n"
        streamed = _exchange(
            port, head + b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunk * 5 + b"0\r\n\r\n"
        )

        for status, payload in (declared, streamed):
            assert status == b"HTTP/1.1 413 Request Entity Too Large"
            assert json.loads(payload)["code"] == "request_too_large"
    finally:
        server.terminate()
        server.wait(timeout=20)

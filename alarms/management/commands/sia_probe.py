"""Ask a running SIA receiver whether it answers: send a NULL link test and expect a DC-09 response.

An open port is not an answering receiver (a loop stuck, a database gone, descriptors exhausted all
accept connections and answer nothing), so compose's health check asks this. The probe's account is
unknown to the receiver, which answers DUH after asking the database: any well-formed answer means the
receiver reads, checks and answers frames.
"""

import socket
from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError

from alarms import dc09

PROBE_ACCOUNT = "000"


class Command(BaseCommand):
    help = "Send a NULL frame to the SIA receiver and exit 0 only when it answers with a DC-09 response."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=12128)
        parser.add_argument("--timeout", type=float, default=5.0)

    def handle(self, *args, host: str, port: int, timeout: float, **options) -> None:
        frame = dc09.panel_frame(
            message_id="NULL",
            sequence="0000",
            account=PROBE_ACCOUNT,
            data=None,
            receiver=None,
            timestamp=datetime.now(UTC),
        )
        try:
            with socket.create_connection((host, port), timeout=timeout) as sock:
                sock.settimeout(timeout)
                sock.sendall(frame)
                answer = b""
                while not answer.endswith(b"\r"):
                    chunk = sock.recv(4096)
                    if not chunk:
                        break
                    answer += chunk
        except OSError as error:
            raise CommandError(f"no answer from {host}:{port}: {error}") from error
        try:
            answered = dc09.response_id(answer[answer.rfind(b"\n") :])
        except dc09.FrameError as error:
            raise CommandError(f"{host}:{port} answered no DC-09 response: {answer[:80]!r}") from error
        self.stdout.write(f"{host}:{port} answered {answered}")

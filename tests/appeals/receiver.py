"""A partner's webhook endpoint for the tests: a real HTTPS server in a thread, with a certificate of a CA
the tests make (cryptography), that records what it got (the TLS server name too) and answers with the
statuses it is told to. And a fake DNS for the names the tests use."""

import datetime
import functools
import ipaddress
import ssl
import tempfile
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# The partner's host name: no real DNS knows it, so a request reaches the receiver only through the
# address the platform resolved and checked (fake_dns), with this name in SNI, the certificate and Host.
HOSTNAME = "hooks.partner.test"
# A public address for names the tests save but never call (example.com's).
PUBLIC_ADDRESS = "93.184.215.14"


@dataclass(frozen=True)
class ReceiverPKI:
    ca_path: Path  # what OUTBOUND_CA_BUNDLE points at
    cert_path: Path
    key_path: Path


@functools.cache
def receiver_pki() -> ReceiverPKI:
    """A CA and a server certificate it signed for HOSTNAME, localhost and 127.0.0.1, made once per run."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Opscenter tests CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOSTNAME)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName(HOSTNAME),
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    folder = Path(tempfile.mkdtemp(prefix="opscenter-test-pki-"))
    ca_path, cert_path, key_path = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return ReceiverPKI(ca_path, cert_path, key_path)


def fake_dns(monkeypatch, answers: dict[str, list[str]]) -> None:
    """Make the platform's resolver (opscenter.outbound) answer `answers` for those names, and really
    resolve any other."""
    from opscenter import outbound

    real = outbound.outbound_resolve

    def resolve(host: str, port: int) -> list[str]:
        if host in answers:
            return list(answers[host])
        return real(host, port)

    monkeypatch.setattr(outbound, "outbound_resolve", resolve)


def trust_the_receiver(monkeypatch, settings) -> None:
    """What a test calling the receiver needs: HOSTNAME at 127.0.0.1, private targets allowed (it is on
    loopback), and the tests' CA trusted."""
    fake_dns(monkeypatch, {HOSTNAME: ["127.0.0.1"]})
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True
    settings.OUTBOUND_CA_BUNDLE = str(receiver_pki().ca_path)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    server_name: str | None  # what the client's TLS hello named (SNI)


@dataclass
class WebhookReceiver:
    statuses: list[int] = field(default_factory=list)  # answered in turn; 204 once they run out
    received: list[Received] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)
    hang_seconds: float = 0  # a partner that keeps the request waiting this long before it answers (or until stop)
    released: threading.Event = field(default_factory=threading.Event)

    def start(self) -> "WebhookReceiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                server_name = getattr(self.connection, "opscenter_server_name", None)
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver.received.append(Received(self.path, headers, body, server_name))
                receiver.arrived.set()
                if receiver.hang_seconds:
                    receiver.released.wait(receiver.hang_seconds)
                status = receiver.statuses.pop(0) if receiver.statuses else 204
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        pki = receiver_pki()
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(pki.cert_path, pki.key_path)

        def remember_server_name(ssl_socket, server_name, _context) -> None:
            ssl_socket.opscenter_server_name = server_name

        context.sni_callback = remember_server_name

        class Server(ThreadingHTTPServer):
            def get_request(self):
                # The handshake in the connection's own thread (finish_request), not in the accept loop.
                sock, address = self.socket.accept()
                return context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address

            def finish_request(self, request, client_address) -> None:
                try:
                    request.do_handshake()
                except (ssl.SSLError, OSError):
                    return  # a client that does not trust us, or went away
                super().finish_request(request, client_address)

        self.server = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        return self

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def url(self) -> str:
        """By the partner's host name (needs trust_the_receiver's fake DNS)."""
        return f"https://{HOSTNAME}:{self.port}/hooks/appeals"

    @property
    def ip_url(self) -> str:
        """By address, for a process the fake DNS does not reach (a worker started by a test)."""
        return f"https://127.0.0.1:{self.port}/hooks/appeals"

    def stop(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()

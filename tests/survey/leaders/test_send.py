"""Invitations that arrive: e-mail to a real SMTP server (aiosmtpd) and SMS to a local HTTP
gateway (http.server), both started here; each relay records what it received.

Every test that does not name a channel runs on both: the SMS sender passes the e-mail
sender's tests. No relay is mocked; the only stand-ins are the crash (a sender that dies right
after its relay took a message) and the throttle's clock.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import re
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import select, text

from survey.leaders.delivery import (
    BACKOFF_FIRST,
    CLAIM_LEASE,
    INTERRUPTED,
    REMINDER_GAP,
    Throttle,
    delivery_counts,
    run,
)
from survey.leaders.senders import EmailSender, SmsSender, SmtpSettings
from survey.leaders.tokens import hash_token
from survey.models import DeliveryStatus, LeaderDelivery, LeaderInvitation, SendChannel
from tests.factories import free_port, make_invitations

BASE = "https://khaosat.example.gov.vn"
LINK = re.compile(re.escape(BASE) + r"/l/([A-Za-z0-9_-]{16,64})")
START = dt.datetime(2026, 7, 6, 2, 0, tzinfo=dt.timezone.utc)
GATEWAY_KEY = "khoa-cong-sms-thu-nghiem"
UNLIMITED = "1000 per second"
TITLE = "Phiếu điều tra xã hội học PAR Index"


class Mailbox:
    """An aiosmtpd handler that keeps every message and refuses an address with codes given in turn."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, email.message.EmailMessage]] = []
        self.refusals: dict[str, list[str]] = {}
        self.logins: list[bytes] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        answers = self.refusals.get(address)
        if answers:
            return answers.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.extend((to, message) for to in envelope.rcpt_tos)
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = (auth_data.login, auth_data.password) == (b"khaosat", b"mat-khau")
        if ok:
            self.logins.append(auth_data.login)
        return AuthResult(success=ok)


class Gateway(ThreadingHTTPServer):
    """An SMS gateway that records each request (line, headers, JSON) and answers with codes given in turn."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), GatewayHandler)
        self.requests: list[dict] = []
        self.refusals: dict[str, list[int]] = {}


class GatewayHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        gateway: Gateway = self.server  # type: ignore[assignment]
        answers = gateway.refusals.get(body["to"])
        status = answers.pop(0) if answers else 200
        if status == 200:
            gateway.requests.append({"line": self.requestline, "headers": dict(self.headers), "json": body})
        payload = json.dumps({"ok": status == 200, "error": None if status == 200 else "Thuê bao tạm khóa"})
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(payload.encode())

    def log_message(self, format, *args) -> None:  # noqa: A002 (http.server's signature)
        pass


@dataclass
class Relay:
    """One channel's sender and what its relay received, as (address, text) pairs."""

    channel: SendChannel
    sender: object
    received: callable
    refuse: callable
    transient: object
    permanent: object
    extra: dict = field(default_factory=dict)


def _address(channel: SendChannel, number: int) -> str:
    return f"lanhdao{number}@daklak.gov.vn" if channel == SendChannel.EMAIL else f"09120000{number:02d}"


@pytest.fixture
def mailbox():
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield box, controller.port
    controller.stop()


@pytest.fixture
def gateway():
    server = Gateway()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def _email_relay(mailbox) -> Relay:
    box, port = mailbox
    sender = EmailSender(SmtpSettings.from_url(f"smtp://127.0.0.1:{port}"), "Sở Nội vụ <khaosat@daklak.gov.vn>")

    def refuse(address: str, answers: list[int]) -> None:
        box.refusals[address] = [f"{code} {'4.2.1 Hộp thư tạm thời bận' if code < 500 else '5.1.1 Không có hộp thư'}"
                                 for code in answers]

    return Relay(SendChannel.EMAIL, sender, lambda: [(to, m.get_content()) for to, m in box.messages],
                 refuse, 451, 550, {"box": box, "url": f"smtp://127.0.0.1:{port}"})


def _sms_relay(gateway: Gateway) -> Relay:
    url = f"http://127.0.0.1:{gateway.server_port}/api/sms/send"

    def refuse(address: str, answers: list[int]) -> None:
        gateway.refusals[address] = list(answers)

    return Relay(SendChannel.SMS, SmsSender(url, GATEWAY_KEY),
                 lambda: [(r["json"]["to"], r["json"]["text"]) for r in gateway.requests],
                 refuse, 503, 400, {"gateway": gateway, "url": url})


@pytest.fixture(params=[SendChannel.EMAIL, SendChannel.SMS])
def relay(request, mailbox, gateway) -> Relay:
    return _email_relay(mailbox) if request.param == SendChannel.EMAIL else _sms_relay(gateway)


@pytest.fixture
def invitees(db_session, leader_wave):
    """Six invited leaders with an e-mail address and a phone each; their letters' tokens."""
    tokens = make_invitations(db_session, leader_wave, {"lanh_dao_so": 3, "lanh_dao_xa": 3})
    for number, invitation in enumerate(_invitations(db_session)):
        invitation.email = _address(SendChannel.EMAIL, number)
        invitation.phone = _address(SendChannel.SMS, number)
    db_session.commit()
    return tokens


def _invitations(session) -> list[LeaderInvitation]:
    return list(session.scalars(select(LeaderInvitation).order_by(LeaderInvitation.id)))


def _deliveries(session) -> list[LeaderDelivery]:
    session.expire_all()
    return list(session.scalars(select(LeaderDelivery).order_by(LeaderDelivery.invitation_id, LeaderDelivery.round)))


def _send(session, wave, relay: Relay, reminders: int = 0, throttle: Throttle | None = None):
    return run(session, wave, relay.sender, BASE, TITLE, throttle or Throttle(UNLIMITED), reminders)


def _addressees(relay: Relay) -> list[str]:
    return sorted(to for to, _ in relay.received())


def test_each_invitee_gets_one_message_with_a_working_link_and_a_second_run_sends_nothing(
        client, db_session, leader_wave, invitees, relay, caplog):
    caplog.set_level("DEBUG")
    first = _send(db_session, leader_wave, relay)
    assert (first.planned, first.sent, first.failed) == (6, 6, 0)
    assert _addressees(relay) == sorted(_address(relay.channel, n) for n in range(6))
    by_address = {(i.email if relay.channel == SendChannel.EMAIL else i.phone): i for i in _invitations(db_session)}
    links = {}
    for to, body in relay.received():
        assert "Ông/Bà" in body and leader_wave.code in body
        (token,) = LINK.findall(body)
        assert by_address[to].token_hash == hash_token(token)  # the link sent is the one that opens
        links[to] = token
    assert not {hash_token(t) for t in invitees} & {i.token_hash for i in _invitations(db_session)}

    token = next(iter(links.values()))
    assert client.post("/l/", data={"token": token, "action": "start"}).status_code == 200

    second = _send(db_session, leader_wave, relay)
    assert (second.planned, second.sent, second.failed) == (0, 0, 0)
    assert len(relay.received()) == 6
    assert {(d.status, d.attempts, d.round) for d in _deliveries(db_session)} == {(DeliveryStatus.SENT, 1, 0)}

    stored = " ".join(str(row) for table in ("leader_delivery", "leader_invitation", "audit_log")
                      for row in db_session.execute(text(f"SELECT * FROM {table}")))
    logged = caplog.text
    for token in links.values():
        assert token not in stored and token not in logged


def test_a_refused_message_keeps_its_reason_and_is_retried_after_a_doubling_back_off(
        db_session, leader_wave, invitees, relay):
    refused = _address(relay.channel, 2)
    relay.refuse(refused, [relay.transient, relay.transient])
    with time_machine.travel(START, tick=False) as clock:
        result = _send(db_session, leader_wave, relay)
        assert (result.sent, result.failed) == (5, 1)
        (failed,) = [d for d in _deliveries(db_session) if d.status == DeliveryStatus.FAILED]
        assert str(relay.transient) in failed.reason
        assert failed.next_attempt_at == START + BACKOFF_FIRST and failed.attempts == 1

        assert _send(db_session, leader_wave, relay).sent == 0  # not due yet: nothing is sent
        clock.shift(BACKOFF_FIRST)
        assert _send(db_session, leader_wave, relay).failed == 1
        failed = next(d for d in _deliveries(db_session) if d.id == failed.id)
        assert failed.attempts == 2 and failed.next_attempt_at == START + 3 * BACKOFF_FIRST  # waited 2 × 5 min

        clock.shift(2 * BACKOFF_FIRST)
        assert _send(db_session, leader_wave, relay).sent == 1
    assert _addressees(relay).count(refused) == 1
    retried = next(d for d in _deliveries(db_session) if d.id == failed.id)
    assert (retried.status, retried.attempts, retried.reason, retried.next_attempt_at) == (
        DeliveryStatus.SENT, 3, None, None)


def test_a_permanent_refusal_and_a_missing_address_are_not_retried(db_session, leader_wave, invitees, relay):
    relay.refuse(_address(relay.channel, 0), [relay.permanent])
    last = _invitations(db_session)[-1]
    last.email = last.phone = None
    db_session.commit()
    with time_machine.travel(START, tick=False) as clock:
        assert _send(db_session, leader_wave, relay).failed == 2
        clock.shift(dt.timedelta(days=2))
        assert _send(db_session, leader_wave, relay).sent == 0
    failed = [d for d in _deliveries(db_session) if d.status == DeliveryStatus.FAILED]
    assert [d.next_attempt_at for d in failed] == [None, None]
    assert str(relay.permanent) in failed[0].reason
    assert "không có" in failed[1].reason and len(relay.received()) == 4


class Crash(BaseException):
    """The process dies (a kill, a power cut): nothing after it runs."""


class CrashAfter:
    """The relay takes message number ``n``, then the process dies before recording it."""

    def __init__(self, sender, n: int) -> None:
        self.sender, self.n, self.channel = sender, n, sender.channel

    def address_of(self, invitation):
        return self.sender.address_of(invitation)

    def send(self, to, message) -> None:
        self.sender.send(to, message)
        self.n -= 1
        if self.n == 0:
            raise Crash


def test_a_run_killed_mid_batch_resumes_and_sends_no_one_twice(db_session, leader_wave, invitees, relay):
    with time_machine.travel(START, tick=False) as clock:
        with pytest.raises(Crash):
            run(db_session, leader_wave, CrashAfter(relay.sender, 3), BASE, TITLE, Throttle(UNLIMITED))
        db_session.rollback()
        assert len(relay.received()) == 3
        statuses = [d.status for d in _deliveries(db_session)]
        assert statuses.count(DeliveryStatus.SENT) == 2 and statuses.count(DeliveryStatus.SENDING) == 1

        resumed = _send(db_session, leader_wave, relay)
        assert (resumed.sent, resumed.interrupted) == (3, 0)
        clock.shift(CLAIM_LEASE + dt.timedelta(seconds=1))
        later = _send(db_session, leader_wave, relay)
        assert (later.sent, later.interrupted) == (0, 1)
    assert _addressees(relay) == sorted(_address(relay.channel, n) for n in range(6))  # each exactly once
    (interrupted,) = [d for d in _deliveries(db_session) if d.status == DeliveryStatus.FAILED]
    assert interrupted.reason == INTERRUPTED and interrupted.next_attempt_at is None
    assert delivery_counts(db_session, leader_wave)[relay.channel][DeliveryStatus.SENT] == 5


def test_the_throttle_lets_through_at_most_its_rate_between_waits(db_session, leader_wave, invitees, relay):
    """Seven messages at 3 a minute: the relay has 3, then 6, when the run waits; never 4 in a window."""
    now = [0.0]
    seen_at_each_wait = []

    def sleep(seconds: float) -> None:
        seen_at_each_wait.append(len(relay.received()))
        now[0] += seconds

    make_invitations(db_session, leader_wave, {"truong_phong": 1})
    _invitations(db_session)[-1].email, _invitations(db_session)[-1].phone = (
        _address(SendChannel.EMAIL, 6), _address(SendChannel.SMS, 6))
    db_session.commit()
    result = _send(db_session, leader_wave, relay, throttle=Throttle("3 per minute", clock=lambda: now[0], sleep=sleep))
    assert result.sent == 7 and len(relay.received()) == 7
    assert seen_at_each_wait == [3, 6]
    assert now[0] == 120.0


def test_reminders_go_to_those_not_completed_at_most_n_times_and_keep_an_opened_draft(
        db_session, leader_wave, invitees, relay):
    invitations = _invitations(db_session)
    with time_machine.travel(START, tick=False) as clock:
        _send(db_session, leader_wave, relay, reminders=2)
        invitations[0].completed = True  # released from the mix with its block
        invitations[1].opened = True  # pressed "Bắt đầu": a draft may be sealed under this link
        db_session.commit()
        opened_hash = invitations[1].token_hash
        assert _send(db_session, leader_wave, relay, reminders=2).sent == 0  # too soon for a reminder

        for round_ in (1, 2, 3):
            clock.shift(REMINDER_GAP)
            before = len(relay.received())
            result = _send(db_session, leader_wave, relay, reminders=2)
            assert result.sent == (5 if round_ <= 2 else 0)
            reminded = relay.received()[before:]
            assert _address(relay.channel, 0) not in {to for to, _ in reminded}
            for to, body in reminded:
                assert bool(LINK.search(body)) == (to != _address(relay.channel, 1))
    assert db_session.get(LeaderInvitation, invitations[1].id).token_hash == opened_hash
    rounds = [(d.invitation_id, d.round) for d in _deliveries(db_session)]
    assert len(rounds) == 6 + 5 * 2 and max(r for _, r in rounds) == 2


def test_the_progress_page_shows_counts_per_channel_and_status_not_who(
        client, auth, db_session, leader_wave, invitees, relay):
    _send(db_session, leader_wave, relay)
    auth("admin")
    page = client.get(f"/admin/leaders/{leader_wave.code}/progress").get_data(as_text=True)
    section = page.split("Gửi thư mời qua email, SMS")[1].split("<h2>")[0]
    assert re.search(r"<td class=\"num\">6</td>", section)
    for invitation in _invitations(db_session):
        assert invitation.full_name not in section


def test_email_over_starttls_and_implicit_tls_with_credentials(db_session, leader_wave, invitees, tmp_path):
    server_context, client_context = _tls_contexts(tmp_path)
    # With implicit TLS the server speaks nothing else, but aiosmtpd does not know its transport
    # is TLS, so it must not refuse AUTH for want of STARTTLS.
    for scheme, options in (("smtp", {"tls_context": server_context, "require_starttls": True,
                                      "auth_require_tls": True}),
                            ("smtps", {"ssl_context": server_context, "auth_require_tls": False})):
        box = Mailbox()
        controller = Controller(box, hostname="127.0.0.1", port=free_port(), authenticator=box.authenticate,
                                server_hostname="localhost", **options)
        controller.start()
        try:
            query = "?starttls=1" if scheme == "smtp" else ""
            url = f"{scheme}://khaosat:mat-khau@localhost:{controller.port}{query}"
            sender = EmailSender(SmtpSettings.from_url(url), "khaosat@daklak.gov.vn", ssl_context=client_context)
            for delivery in _deliveries(db_session):
                db_session.delete(delivery)
            db_session.commit()
            result = run(db_session, leader_wave, sender, BASE, TITLE, Throttle(UNLIMITED))
            assert result.sent == 6, [d.reason for d in _deliveries(db_session)]
        finally:
            controller.stop()
        assert len(box.messages) == 6 and box.logins == [b"khaosat"] * 6
        subject = box.messages[0][1]["Subject"]
        assert subject == f"Thư mời tham gia khảo sát Chỉ số cải cách hành chính, đợt {leader_wave.code}"


def _tls_contexts(tmp_path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A self-signed certificate for localhost: the server's context and a client's that trusts it."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=1))
                   .add_extension(x509.SubjectAlternativeName(
                       [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert_file, key_file)
    return server, ssl.create_default_context(cafile=str(cert_file))


def test_the_gateway_gets_the_key_in_a_header_and_the_link_only_in_the_body(db_session, leader_wave, invitees,
                                                                              gateway):
    relay = _sms_relay(gateway)
    _send(db_session, leader_wave, relay)
    assert len(gateway.requests) == 6
    for request in gateway.requests:
        assert request["line"] == "POST /api/sms/send HTTP/1.1"  # what a gateway's access log keeps
        assert request["headers"]["Authorization"] == f"Bearer {GATEWAY_KEY}"
        assert LINK.search(request["json"]["text"]) and "Ông/Bà" in request["json"]["text"]


@pytest.mark.commits
def test_two_runs_at_the_same_moment_send_each_message_once(app, db_session, leader_wave, invitees, relay):
    """The command and the button's job started together: each row is claimed by one of them."""
    from survey.extensions import db
    from survey.models import Wave

    wave_id = leader_wave.id
    barrier = threading.Barrier(2)
    results, errors = [], []

    def one_run() -> None:
        with app.app_context():
            try:
                wave = db.session.get(Wave, wave_id)
                barrier.wait(timeout=30)
                results.append(run(db.session, wave, relay.sender, BASE, TITLE, Throttle(UNLIMITED)))
            except Exception as exc:  # reported below, with the test's own assertion
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=one_run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sum(r.sent for r in results) == 6
    assert _addressees(relay) == sorted(_address(relay.channel, n) for n in range(6))

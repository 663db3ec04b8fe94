"""The two `Sender`s of invitations: e-mail over SMTP and SMS through an HTTP gateway.

Each hands one message to its relay and says only whether the relay took it. A refusal raises
`DeliveryError` with the reason in words an official reads and whether trying again could help
(an SMTP 4xx, a gateway's 5xx or 429, a dropped connection) or not (a 5xx for the address, a
gateway's 4xx, a missing address). Neither writes the message, and so the link, anywhere:
no log line, no copy in a "Sent" folder, no query string. The gateway receives the text in the
body of a JSON POST, never in its URL, because a gateway's and its proxies' access logs keep
URLs (docs/security.md, "Channels").

Settings (survey/config.py): ``SURVEY_SMTP_URL`` — ``smtp://user:password@host:port``,
``smtps://…`` for implicit TLS (port 465), ``smtp://…?starttls=1`` for STARTTLS (587) — and
``SURVEY_MAIL_FROM``; ``SURVEY_SMS_URL`` and ``SURVEY_SMS_KEY`` (sent as a bearer token).
"""

from __future__ import annotations

import json
import smtplib
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.header import Header
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from typing import Mapping
from urllib.parse import parse_qs, unquote, urlsplit

from survey.models import LeaderInvitation, SendChannel

TIMEOUT_SECONDS = 30
NO_EMAIL = "Danh sách mời không có địa chỉ email của người này."
NO_PHONE = "Danh sách mời không có số điện thoại của người này."


class DeliveryError(Exception):
    """A relay did not take a message: ``reason`` for the status page, ``permanent`` when
    sending the same message again cannot help."""

    def __init__(self, reason: str, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


@dataclass(frozen=True)
class Message:
    """What one invitee receives: a subject (e-mail only) and a plain-text body."""

    subject: str
    body: str


@dataclass(frozen=True)
class SmtpSettings:
    """``SURVEY_SMTP_URL`` taken apart."""

    host: str
    port: int
    implicit_tls: bool
    starttls: bool
    username: str | None
    password: str | None

    @classmethod
    def from_url(cls, url: str) -> SmtpSettings:
        """Parse ``smtp[s]://[user:password@]host[:port][?starttls=1]``; ValueError says what is wrong."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError("the scheme must be smtp:// or smtps://")
        if not parts.hostname:
            raise ValueError("no host")
        starttls = parse_qs(parts.query).get("starttls", ["0"])[-1] == "1"
        if parts.scheme == "smtps" and starttls:
            raise ValueError("smtps:// is TLS from the start; starttls=1 is for smtp://")
        implicit = parts.scheme == "smtps"
        port = parts.port or (465 if implicit else 587 if starttls else 25)
        return cls(parts.hostname, port, implicit, starttls,
                   unquote(parts.username) if parts.username else None,
                   unquote(parts.password) if parts.password else None)

    @property
    def encrypted(self) -> bool:
        return self.implicit_tls or self.starttls


def shown_url(url: str) -> str:
    """A relay URL safe to repeat in a message: the password is replaced by dots."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":…@", 1)
    return parts._replace(netloc=netloc).geturl()


class EmailSender:
    """Sends each message in its own SMTP session (a session is cheap next to the throttle, and
    a broken one cannot take the next message down with it)."""

    channel = SendChannel.EMAIL

    def __init__(self, settings: SmtpSettings, mail_from: str, ssl_context: ssl.SSLContext | None = None):
        self.settings = settings
        self.mail_from = mail_from
        self.ssl_context = ssl_context or ssl.create_default_context()

    @classmethod
    def from_config(cls, config: Mapping) -> EmailSender:
        return cls(SmtpSettings.from_url(config["SMTP_URL"]), config["MAIL_FROM"])

    def address_of(self, invitation: LeaderInvitation) -> str | None:
        return invitation.email

    def send(self, to: str, message: Message) -> None:
        # email's compat32 classes: the newer EmailMessage folds a long Vietnamese subject into
        # encoded words that drop the space at the fold ("Chỉ sốcải cách", CPython 3.11).
        email = MIMEText(message.body, "plain", "utf-8")
        email["Subject"] = Header(message.subject, "utf-8")
        email["From"] = formataddr(parseaddr(self.mail_from), charset="utf-8")
        email["To"] = to
        email["Date"] = formatdate(localtime=False)
        email["Message-ID"] = make_msgid(domain=parseaddr(self.mail_from)[1].rpartition("@")[2] or None)
        s = self.settings
        try:
            if s.implicit_tls:
                client: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=TIMEOUT_SECONDS,
                                                        context=self.ssl_context)
            else:
                client = smtplib.SMTP(s.host, s.port, timeout=TIMEOUT_SECONDS)
            with client:
                if s.starttls:
                    client.starttls(context=self.ssl_context)
                if s.username:
                    client.login(s.username, s.password or "")
                client.send_message(email, to_addrs=[to])
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise DeliveryError(_smtp_reason(code, text), permanent=code >= 500) from None
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(_smtp_reason(exc.smtp_code, exc.smtp_error),
                                permanent=exc.smtp_code >= 500 and exc.smtp_code != 535) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"Không gửi được qua máy chủ thư {s.host}:{s.port} ({exc.__class__.__name__}: "
                                f"{exc}).") from None


def _smtp_reason(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"Máy chủ thư từ chối (SMTP {code}): {text}"


class SmsSender:
    """Posts ``{"to": phone, "text": message}`` as JSON to the gateway, with the key as a bearer
    token; any 2xx answer means the gateway took the message."""

    channel = SendChannel.SMS

    def __init__(self, url: str, key: str):
        self.url = url
        self.key = key

    @classmethod
    def from_config(cls, config: Mapping) -> SmsSender:
        return cls(config["SMS_URL"], config["SMS_KEY"])

    def address_of(self, invitation: LeaderInvitation) -> str | None:
        return invitation.phone

    def send(self, to: str, message: Message) -> None:
        request = urllib.request.Request(
            self.url, method="POST",
            data=json.dumps({"to": to, "text": message.body}, ensure_ascii=False).encode("utf-8"),
            headers={"Content-Type": "application/json; charset=utf-8",
                     "Authorization": f"Bearer {self.key}"})
        host = urlsplit(self.url).netloc
        try:
            # B310 (any scheme): the scheme is https, or http to this machine only (survey.config)
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # nosec B310
                answer.read()
        except urllib.error.HTTPError as exc:
            status = exc.code
            detail = exc.read(300).decode("utf-8", "replace")
            raise DeliveryError(f"Cổng SMS {host} từ chối (HTTP {status}): {detail}",
                                permanent=400 <= status < 500 and status not in (408, 429)) from None
        except (urllib.error.URLError, OSError) as exc:
            raise DeliveryError(f"Không kết nối được cổng SMS {host} ({exc.__class__.__name__}: {exc}).") from None


SENDERS = {SendChannel.EMAIL: EmailSender, SendChannel.SMS: SmsSender}
MISSING_SETTINGS = {
    SendChannel.EMAIL: ("SMTP_URL", "MAIL_FROM", "Chưa cấu hình gửi email: đặt SURVEY_SMTP_URL và SURVEY_MAIL_FROM."),
    SendChannel.SMS: ("SMS_URL", "SMS_KEY", "Chưa cấu hình gửi SMS: đặt SURVEY_SMS_URL và SURVEY_SMS_KEY."),
}


def configured_sender(channel: SendChannel, config: Mapping):
    """The channel's sender from the app's settings; DeliveryError (permanent) when unset."""
    first, second, message = MISSING_SETTINGS[channel]
    if not config.get(first) or not config.get(second):
        raise DeliveryError(message, permanent=True)
    return SENDERS[channel].from_config(config)

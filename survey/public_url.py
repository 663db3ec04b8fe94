"""The public base of printed links, and the one warning when phones could not open them.

Posters, receipt slips, invitation letters and the seed's last lines all print
``PUBLIC_BASE_URL`` (from ``SURVEY_PUBLIC_BASE_URL``). Left at its default
``http://127.0.0.1:5000``, every printed QR code opens this computer itself on the phone that
scans it, which is nothing; the mistake shows only once the paper is on the desks. Every command
that prints a link reads the base here, so each warns the same way.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

import click
from flask import current_app

EXAMPLE_BASE = "https://khaosat.daklak.gov.vn"


def is_loopback(url: str) -> bool:
    """True when ``url`` names this machine only: localhost, 127.0.0.0/8, ::1 or 0.0.0.0."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False  # a name: whether it resolves is the network's business, not ours
    mapped = getattr(address, "ipv4_mapped", None)
    return any(a.is_loopback or a.is_unspecified for a in (address, mapped) if a is not None)


def loopback_warning(url: str, what: str) -> str | None:
    """The warning for ``what`` (e.g. "Các mã QR trên áp phích") pointing at ``url``, if it is local."""
    if not is_loopback(url):
        return None
    return (f"Cảnh báo: {what} trỏ tới {url}, địa chỉ chỉ mở được trên chính máy này; điện thoại "
            f"và máy khác không mở được. Hãy đặt SURVEY_PUBLIC_BASE_URL là địa chỉ công khai "
            f"(ví dụ {EXAMPLE_BASE}) rồi chạy lại lệnh trước khi in hoặc gửi.")


def public_base_url(what: str) -> str:
    """The configured base of printed links; warns on stderr when phones could not reach it."""
    base = current_app.config["PUBLIC_BASE_URL"]
    warning = loopback_warning(base, what)
    if warning:
        click.echo(warning, err=True)
    return base

"""Invitation links and letters, and the interface the e-mail and SMS senders implement.

Issuing gives each selected invitee a fresh token and returns it in clear, once: the CSV,
the print-ready letters or the one e-mail or SMS that carries it are the only place a link
exists. Issuing again for an invitee (one who lost the letter) makes the old link stop
working and deletes the draft the old link had sealed (no other key can open it).
Invitations completed, or whose sheet waits in the mix, are never re-issued, so no one can
answer twice.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, Sequence
from urllib.parse import urlsplit

from flask import render_template
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from survey.leaders.sealing import mix_marker
from survey.leaders.tokens import hash_token, invitation_url, new_token
from survey.models import LeaderDraft, LeaderInvitation, LeaderSealed, Wave
from survey.public_url import loopback_warning
from survey.qr import LETTER_SCALE, qr_data_uri
from survey.spreadsheets import safe_row

if TYPE_CHECKING:
    from survey.leaders.senders import Message

LETTER_CSS = Path(__file__).resolve().parents[1] / "static" / "letter.css"
CSV_HEADERS = ("id", "Nhóm", "Đơn vị", "Họ và tên", "Điện thoại", "Email", "Đường dẫn")
PLACE = "Đắk Lắk"
BLANK = "……"
"""Dots left to fill by hand where a detail was not given when printing."""
LINKS_WHAT = "Các đường dẫn trong thư mời"


@dataclass(frozen=True)
class LetterDetails:
    """What a batch of letters carries above the body and under it (thể thức văn bản, Nghị định
    30/2020/NĐ-CP): the document number and symbol (số, ký hiệu), the place and date, and the
    signatory's authority and title (quyền hạn, chức vụ) and name. A detail not given is left
    as dots to write in by hand before signing."""

    number: str | None = None
    """The number and symbol, e.g. "125/SNV-CCHC"."""
    signed_on: dt.date | None = None
    signer_title: tuple[str, ...] = ()
    """One line each, e.g. ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC")."""
    signer_name: str | None = None
    place: str = PLACE

    @classmethod
    def of(cls, number: str | None = None, signed_on: dt.date | None = None,
           signer_title: str | tuple[str, ...] | None = None, signer_name: str | None = None) -> LetterDetails:
        """Details from what an official typed: blanks dropped, a title split into its lines."""
        lines = signer_title.splitlines() if isinstance(signer_title, str) else (signer_title or ())
        return cls(number=(number or "").strip() or None, signed_on=signed_on,
                   signer_title=tuple(line.strip().upper() for line in lines if line.strip()),
                   signer_name=(signer_name or "").strip() or None)

    @property
    def number_line(self) -> str:
        return f"Số: {self.number or f'{BLANK}/SNV-{BLANK}'}"

    @property
    def date_line(self) -> str:
        """E.g. "Đắk Lắk, ngày 04 tháng 02 năm 2026": a day under 10 and months 1 and 2 take a
        leading zero (Nghị định 30/2020/NĐ-CP, Phụ lục I)."""
        if self.signed_on is None:
            return f"{self.place}, ngày {BLANK} tháng {BLANK} năm {BLANK}"
        month = self.signed_on.month
        month_text = f"{month:02d}" if month < 3 else str(month)
        return f"{self.place}, ngày {self.signed_on.day:02d} tháng {month_text} năm {self.signed_on.year}"


@dataclass(frozen=True)
class Invitation:
    """One issued link, in clear, with what a letter or a message needs."""

    invitation_id: int
    group_code: str
    unit: str
    full_name: str
    phone: str | None
    email: str | None
    url: str


class Sender(Protocol):
    """Hands one message to a relay: e-mail and SMS are built (survey/leaders/senders.py), and
    survey/leaders/delivery.py decides what to send to whom, and records how it went.

    ``send`` receives the message, link included, in clear and must neither store nor log it;
    it returns when the relay took the message and raises `senders.DeliveryError` otherwise.
    """

    channel: str

    def address_of(self, invitation: LeaderInvitation) -> str | None:
        """Where this channel reaches the invitee (their e-mail, their phone), if the roster says."""

    def send(self, to: str, message: Message) -> None: ...


def issue(session: Session, wave: Wave, base_url: str,
          invitation_ids: Sequence[int] | None = None) -> list[Invitation]:
    """Fresh tokens for the wave's open invitations (or only ``invitation_ids``); caller commits."""
    query = (select(LeaderInvitation)
             .where(LeaderInvitation.wave_id == wave.id, LeaderInvitation.completed.is_(False))
             .order_by(LeaderInvitation.group_code, LeaderInvitation.unit, LeaderInvitation.full_name))
    if invitation_ids is not None:
        query = query.where(LeaderInvitation.id.in_(list(invitation_ids)))
    issued = []
    sealed = set(session.scalars(select(LeaderSealed.marker).where(LeaderSealed.wave_id == wave.id)))
    for row in session.scalars(query):
        if mix_marker(wave.id, row.id) in sealed:
            continue  # sent, waiting in the mix for its block
        session.execute(delete(LeaderDraft).where(LeaderDraft.invitation_id == row.id))
        token = new_token()
        row.token_hash = hash_token(token)
        issued.append(Invitation(row.id, row.group_code, row.unit, row.full_name, row.phone,
                                 row.email, invitation_url(base_url, token)))
    session.flush()
    return issued


def links_csv(invitations: Sequence[Invitation], group_labels: dict[str, str]) -> str:
    """The issued links as CSV (UTF-8 with a BOM, for Excel), one invitee per row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADERS)
    for i in invitations:
        writer.writerow(safe_row((i.invitation_id, group_labels.get(i.group_code, i.group_code), i.unit,
                                  i.full_name, i.phone or "", i.email or "", i.url)))
    return "\ufeff" + out.getvalue()


def letters_html(invitations: Sequence[Invitation], wave: Wave, title: str,
                 group_labels: dict[str, str], stylesheet: str | None = None,
                 details: LetterDetails | None = None) -> str:
    """Print-ready letters, one A4 page each, with the link and its QR code.

    ``stylesheet`` links the CSS (served pages, under the CSP); without it the CSS is written
    into the file, so a letters file opens and prints on its own. Links to this machine only
    get a warning on screen, above the first letter and never printed.
    """
    return render_template(
        "leaders/letters.html", wave=wave, title=title, group_labels=group_labels,
        letters=[(i, qr_data_uri(i.url, LETTER_SCALE)) for i in invitations], stylesheet=stylesheet,
        inline_css=None if stylesheet else LETTER_CSS.read_text(encoding="utf-8"),
        details=details or LetterDetails(),
        warning=_loopback_warning(invitations),
    )


def _loopback_warning(invitations: Sequence[Invitation]) -> str | None:
    """The warning when the letters' links open this machine only (every link shares a base)."""
    if not invitations:
        return None
    parts = urlsplit(invitations[0].url)
    return loopback_warning(f"{parts.scheme}://{parts.netloc}", LINKS_WHAT)

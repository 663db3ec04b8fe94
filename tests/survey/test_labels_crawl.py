"""Every page, as each role and as a citizen, reads in Vietnamese: no stored code, no English.

The crawler follows every same-site link from the admin home (and walks the citizen form from
the desk QR) and reads each page's visible text: element text, `title`, `aria-label` and
`placeholder`. Text inside <code> is a literal the user types or compares (file headers, ids)
and is skipped. A page fails when its text holds a stored code from `survey.labels.LABELS`
(flags, channels, roles, statuses, audit actions), a questionnaire item code, a printed Python
list or None, or an English word from UNTRANSLATED.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from survey.audit import record
from survey.labels import LABELS
from survey.models import AdminCount, ReceiptBatch, ReceiptToken, UserRole
from survey.questionnaire.versions import questionnaire_of
from tests.factories import (
    login,
    make_centre,
    make_field,
    make_locality,
    make_response,
    make_user,
    make_wave,
)

# Words of English UI text that have slipped into Vietnamese pages before, or would if a label
# were missing (WTForms' and Flask's defaults, status words, button words).
UNTRANSLATED = {
    "submit", "save", "cancel", "edit", "delete", "search", "filter", "next", "previous", "page",
    "total", "status", "login", "logout", "password", "username", "export", "download", "upload",
    "none", "true", "false", "error", "not found", "forbidden", "required", "this field", "invalid",
    "included", "excluded", "pending", "reviewed", "yes", "no", "today", "wave", "target", "flags",
    "centre", "center", "field", "response", "responses", "questionnaire", "quarter", "count",
}
# Codes that are also plain Vietnamese or shared with data, and so cannot be told apart in text.
ALLOWED_CODES = {"xa"}
PAGES_PER_PATH = 4
MAX_PAGES = 120


class _VisibleText(HTMLParser):
    SKIP = {"script", "style", "code", "title"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in self.SKIP:
            self._skipping += 1
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        for name in ("title", "aria-label", "placeholder"):
            if attributes.get(name):
                self.parts.append(attributes[name])

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def _read(html: str) -> _VisibleText:
    parser = _VisibleText()
    parser.feed(html)
    return parser


def _known_codes(questionnaire) -> set[str]:
    kinds = ("flag", "channel", "role", "wave_status", "review_status", "review_state", "audit_action",
             "locality_kind", "questionnaire_kind", "audit_reason")
    codes = {code for kind in kinds for code in LABELS[kind]}
    codes |= {code for code in questionnaire.items_by_code if len(code) > 2}
    return codes - ALLOWED_CODES


def problems_in(text: str, codes: set[str]) -> list[str]:
    """Raw codes, printed Python values and English words found in a page's visible text."""
    found = []
    words = set(re.findall(r"[A-Za-z0-9_]+", text))
    found += sorted(f"code {c!r}" for c in codes & words)
    found += [f"Python value {m!r}" for m in re.findall(r"\[['\]]|\bNone\b|\{'", text)]
    lowered = " ".join(re.findall(r"[a-z]+", text.lower()))
    found += sorted(f"English {w!r}" for w in UNTRANSLATED if re.search(rf"\b{w}\b", lowered))
    return found


@pytest.fixture
def busy_province(db_session, client):
    """Data that exercises every label: all flags, channels, statuses and audit actions."""
    wave = make_wave(db_session)
    home = make_locality(db_session, "24001", "Xã Hòa Phú")
    centre = make_centre(db_session, home)
    other = make_centre(db_session, make_locality(db_session, "24002", "Phường Ea Tam"))
    field = make_field(db_session)
    flags = list(LABELS["flag"])
    answers = {code: "4" for code in ("tc1", "tc2", "cc1")} | {"field": "ho_tich", "mm1": "it", "gender": "nu"}
    for index, channel in enumerate(("desk", "receipt", "desk")):
        response = make_response(db_session, wave, centre, answers, field=field, channel=channel,
                                 flags=flags[index::3])
    response.review_status, response.review_reason = "excluded", "Trả lời quá nhanh"
    make_response(db_session, wave, other, answers, flags=["speeder"])
    batch = ReceiptBatch(centre=centre, field=field, size=1, issued_by="can-bo-hoa-phu")
    db_session.add_all([batch, ReceiptToken(batch=batch, nonce="crawl-nonce"),
                        AdminCount(centre=centre, field=field, quarter="2026Q2", dossiers_resolved=120)])
    details = {
        "response_review": {"old": "included", "new": "excluded", "reason": "Trả lời quá nhanh",
                            "flags": ["speeder", "burst"]},
        "wave_open": {"old": "draft", "new": "open"},
        "wave_close": {"old": "open", "new": "closed"},
        "login_failed": {"reason": "bad_credentials"},
        "user_create": {"role": "officer", "locality_id": 1, "active": True},
        "export_responses": {"format": "xlsx", "scope": "all", "rows": 3},
        "counts_upload": {"rows": 2, "added": 1, "updated": 1},
        "centre_create": {"name": "Trung tâm mới", "locality_id": 1},
        "receipt_batch_issue": {"count": 3, "field": None},
    }
    record("export_responses", "2026Q3", username="can-bo-hoa-phu", format="csv", scope="locality:1", rows=1)
    for action in LABELS["audit_action"]:
        record(action, "24001", username="quan-tri-tinh", **details.get(action, {"count": 3}))
    users = {
        UserRole.ADMIN: make_user(db_session, "quan-tri-tinh", UserRole.ADMIN),
        UserRole.OFFICER: make_user(db_session, "can-bo-hoa-phu", UserRole.OFFICER, home),
        UserRole.ANALYST: make_user(db_session, "phan-tich-vien", UserRole.ANALYST),
    }
    db_session.commit()
    return wave, centre, users


def crawl(client, start: str, codes: set[str]) -> dict[str, list[str]]:
    """Visit every same-site page reachable from `start`; return the problems per URL."""
    seen, per_path, failures = {start}, Counter(), {}
    queue = deque([start])
    visited = 0
    while queue and visited < MAX_PAGES:
        url = queue.popleft()
        path = urlsplit(url).path
        if per_path[path] >= PAGES_PER_PATH:
            continue
        per_path[path] += 1
        response = client.get(url)
        if response.status_code in (301, 302, 303) or not response.mimetype == "text/html":
            continue
        visited += 1
        page = _read(response.get_data(as_text=True))
        if found := problems_in(" ".join(page.parts), codes):
            failures[url] = found
        for href in page.links:
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.netloc not in ("", "localhost") or not parts.path.startswith(("/admin", "/auth")):
                continue
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            if local not in seen and "logout" not in local:
                seen.add(local)
                queue.append(local)
    assert visited > 5, "the crawler found almost nothing to read"
    return failures


@pytest.mark.parametrize("role", [UserRole.ADMIN, UserRole.OFFICER, UserRole.ANALYST])
def test_every_staff_page_reads_in_vietnamese(client, busy_province, role):
    wave, _, users = busy_province
    assert login(client, users[role]).status_code == 302
    assert crawl(client, "/admin/", _known_codes(questionnaire_of(wave))) == {}


def test_every_citizen_page_reads_in_vietnamese(client, busy_province):
    from tests.survey.respond.conftest import Citizen

    wave, centre, _ = busy_province
    codes = _known_codes(questionnaire_of(wave))
    citizen = Citizen(client).open(f"/q/{centre.code}")
    failures = {}
    for step in range(12):
        if citizen.status != 200:  # the redirect to the thank-you page, read below
            break
        text = " ".join(_read(citizen.html).parts)
        if found := problems_in(text, codes):
            failures[f"page {step}"] = found
        if 'name="state"' not in citizen.html:
            break
        citizen.post("submit" if 'value="submit"' in citizen.html else "next")
    assert step >= 6, "the walk ended early"
    Citizen(client).open(f"/q/{centre.code}").post("next")  # an unfinished form: the next scan offers to resume
    for path in (f"/q/{centre.code}", "/", "/cam-on", "/s", "/q/khong-co", "/khong-co-trang-nay", "/m",
                 "/m?ma=ABCD-EFGH"):
        text = " ".join(_read(client.get(path).get_data(as_text=True)).parts)
        if found := problems_in(text, codes):
            failures[path] = found
    assert failures == {}


def test_the_checker_catches_what_it_should():
    """The crawler is only as good as its checks: each kind of slip is caught."""
    codes = {"speeder", "tc1", "login_failed"}
    assert problems_in("Cờ: speeder", codes) == ["code 'speeder'"]
    assert problems_in("Chi tiết: ['speeder']", codes)[1:] == ["Python value \"['\""]
    assert problems_in("Trạng thái: Included", codes) == ["English 'included'"]
    assert problems_in("Lý do: None", codes) == ["Python value 'None'", "English 'none'"]
    assert problems_in("Trả lời quá nhanh · Đăng nhập không thành công", codes) == []

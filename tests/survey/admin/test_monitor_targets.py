"""The monitor an official can use: targets from counts, sorting, filtering, paging, the chart."""

from __future__ import annotations

import datetime as dt
import math
import re
from zoneinfo import ZoneInfo

from survey.admin.paging import PAGE_SIZE
from survey.models import AdminCount, Locality
from survey.quarters import previous_quarter
from tests.factories import make_centre, make_field, make_locality, make_response, make_wave


def _rows(html: str) -> list[str]:
    """Short names of the centre rows, top to bottom."""
    return re.findall(r'<th scope="row" data-label="Xã/phường"><a [^>]*>([^<]+)</a>', html)


def _cell(html: str, name: str, label: str) -> str:
    row = html.split(f">{name}</a>")[1].split("</tr>")[0]
    return re.search(rf'data-label="{label}">([^<]*)', row).group(1)


def test_previous_quarter_wraps_the_year(db_session):
    assert previous_quarter(make_wave(db_session, code="2026Q1")) == "2025Q4"
    assert previous_quarter(make_wave(db_session, code="2026Q3")) == "2026Q2"


def test_targets_come_from_last_quarters_dossiers_times_the_rate(app, client, db_session, auth):
    make_wave(db_session, code="2026Q3")
    counted = make_centre(db_session, make_locality(db_session, "24001", "Xã Có Số"))
    bare = make_centre(db_session, make_locality(db_session, "24002", "Xã Chưa Số"))
    land, civil = make_field(db_session, "dat_dai", "Đất đai"), make_field(db_session)
    db_session.add_all([
        AdminCount(centre=counted, field=land, quarter="2026Q2", dossiers_resolved=410),
        AdminCount(centre=counted, field=civil, quarter="2026Q2", dossiers_resolved=190),
        AdminCount(centre=counted, field=civil, quarter="2026Q1", dossiers_resolved=9999),  # not last quarter
        AdminCount(centre=bare, field=civil, quarter="2025Q4", dossiers_resolved=500),
    ])
    db_session.commit()
    app.config["MONITOR_SAMPLING_RATE"] = 0.03
    app.config["MONITOR_TARGET_PER_CENTRE"] = 25
    auth("admin")
    html = client.get("/admin/monitor").get_data(as_text=True)
    assert _cell(html, "Xã Có Số", "Chỉ tiêu") == str(math.ceil((410 + 190) * 0.03))
    assert _cell(html, "Xã Chưa Số", "Chỉ tiêu") == "25"
    assert "(mặc định)" in html.split(">Xã Chưa Số</a>")[1].split("</tr>")[0]
    assert "Toàn tỉnh: 0 / 43 phiếu" in html


def test_sorts_by_any_column_and_filters(client, db_session, auth):
    wave = make_wave(db_session)
    ward = Locality(code="24100", name="Phường Ea Tam", kind="phuong")
    db_session.add(ward)
    busy = make_centre(db_session, ward)
    quiet = make_centre(db_session, make_locality(db_session, "24002", "Xã Hòa Phú"))
    make_centre(db_session, make_locality(db_session, "24003", "Xã Buôn Đôn"))
    for _ in range(3):
        make_response(db_session, wave, busy, {"tc1": "5"})
    make_response(db_session, wave, quiet, {"tc1": "5"}, flags=["speeder"])
    db_session.commit()
    auth("admin")
    get = lambda query: client.get("/admin/monitor?" + query).get_data(as_text=True)  # noqa: E731
    # by name without the kind word, diacritics folded: Buôn Đôn, Ea Tam, Hòa Phú
    assert _rows(get("")) == ["Xã Buôn Đôn", "Phường Ea Tam", "Xã Hòa Phú"]
    assert _rows(get("sort=wave&order=desc")) == ["Phường Ea Tam", "Xã Hòa Phú", "Xã Buôn Đôn"]
    assert _rows(get("sort=wave&order=asc"))[-1] == "Phường Ea Tam"
    assert _rows(get("sort=flagged"))[0] == "Xã Hòa Phú"
    assert _rows(get("kind=phuong")) == ["Phường Ea Tam"]
    assert _rows(get("flag=speeder")) == ["Xã Hòa Phú"]
    assert _rows(get("q=hoa+phu")) == ["Xã Hòa Phú"]  # typed without diacritics
    assert _rows(get("kind=bogus&sort=bogus")) == _rows(get(""))  # unknown values are ignored
    # the wave runs to 2030, so "behind" means below today's pacing line, which every centre is
    # not: with the pacing line near 0 early on, the filter keeps only those strictly behind
    behind = _rows(get("behind=1"))
    html = get("")
    assert behind == [n for n in _rows(html) if 'class="tag">chậm' in html.split(f">{n}</a>")[1].split("</tr>")[0]]
    assert "Toàn tỉnh: 4 /" in html  # the province total stays on top whatever is filtered
    assert "Toàn tỉnh: 4 /" in get("kind=phuong")


def test_pages_a_long_list_keeping_filters(client, db_session, auth):
    make_wave(db_session)
    for n in range(PAGE_SIZE + 5):
        make_centre(db_session, make_locality(db_session, f"25{n:03d}", f"Xã Thử {n:03d}"))
    db_session.commit()
    auth("admin")
    first = client.get("/admin/monitor?sort=name").get_data(as_text=True)
    assert len(_rows(first)) == PAGE_SIZE and "trang 1/2" in first
    assert 'href="/admin/monitor?page=2&amp;' in first
    assert "sort=name" in first.split('rel="next"')[0].rsplit("href=", 1)[1]
    second = client.get("/admin/monitor?sort=name&page=2").get_data(as_text=True)
    assert _rows(second) == [f"Xã Thử {n:03d}" for n in range(PAGE_SIZE, PAGE_SIZE + 5)]


def test_daily_chart_counts_responses_per_local_day(app, client, db_session, auth):
    today = dt.datetime.now(ZoneInfo(app.config["TIMEZONE"])).date()
    wave = make_wave(db_session, opens_on=today - dt.timedelta(days=2), closes_on=today + dt.timedelta(days=30))
    centre = make_centre(db_session)
    for days_ago, n in ((2, 1), (0, 2)):
        for _ in range(n):
            response = make_response(db_session, wave, centre, {"tc1": "4"})
            response.submitted_at -= dt.timedelta(days=days_ago)
            response.started_at -= dt.timedelta(days=days_ago)
    db_session.commit()
    auth("admin")
    html = client.get("/admin/monitor").get_data(as_text=True)
    bars = re.findall(r"<title>(\d\d/\d\d/\d{4}): (\d+) phiếu</title>", html)
    assert len(bars) == 3 and sum(int(n) for _, n in bars) == 3
    assert "<script" not in html

"""Every long admin list pages with the same pager, keeping its filters; none silently caps."""

from __future__ import annotations

from survey.admin.paging import PAGE_SIZE
from survey.models import AdminCount, ReceiptBatch
from tests.factories import make_centre, make_field, make_locality, make_response, make_wave

ROWS = PAGE_SIZE + 2


def _pages(client, path: str) -> tuple[str, str]:
    first = client.get(path).get_data(as_text=True)
    joiner = "&" if "?" in path else "?"
    second = client.get(f"{path}{joiner}page=2").get_data(as_text=True)
    return first, second


def test_lists_page_with_one_pager(client, db_session, auth):
    wave = make_wave(db_session)
    field = make_field(db_session)
    centre = make_centre(db_session)
    for n in range(ROWS):
        other = make_centre(db_session, make_locality(db_session, f"26{n:03d}", f"Xã Số {n:03d}"))
        db_session.add(ReceiptBatch(centre=centre, size=1, issued_by="quan-tri"))
        db_session.add(AdminCount(centre=other, field=field, quarter="2026Q2", dossiers_resolved=n))
        make_response(db_session, wave, centre, {"tc1": "4"})
    db_session.commit()
    auth("admin")
    for path in ("/admin/centres", "/admin/receipts", "/admin/counts?quarter=2026Q2",
                 f"/admin/centres/{centre.id}/responses"):
        first, second = _pages(client, path)
        assert f"Dòng 1–{PAGE_SIZE} trong " in first and 'rel="next"' in first, path
        assert "trang 2/2" in second and 'rel="prev"' in second and 'rel="next"' not in second, path
    first, _ = _pages(client, "/admin/counts?quarter=2026Q2")
    assert "quarter=2026Q2" in first.split('rel="next"')[0].rsplit("href=", 1)[1]  # the filter is kept

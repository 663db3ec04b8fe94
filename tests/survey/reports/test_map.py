"""The report's map: commune boundaries imported from GeoJSON, checked by code, all or nothing,
and drawn as a choropleth of the locality index.

The boundaries here are squares on a grid, one per commune, made by the test: no real boundary
is invented. The communes are those `flask seed` loads (survey/data/daklak_localities.csv).
"""

import dataclasses
import io
import json

import numpy as np
import PIL.Image
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from bench.report_frame import localities, make_frame
from survey.extensions import db
from survey.models import AuditLog, Locality, LocalityBoundary, Wave
from survey.models.places import LocalityName as ReportLocality
from survey.reports import geometry, pdf
from survey.reports.build import build_report
from survey.reports.charts import CHART_TITLES, GROUP_COLOURS, _boundary_path, map_style, render_all
from survey.reports.data import report_for_wave
from survey.reports.render import restrict, to_html, to_xlsx

ORIGIN = (108.0, 12.5)  # a synthetic grid, roughly where the province lies
SIDE = 0.05  # degrees
COLUMNS = 12
PNG = b"\x89PNG\r\n\x1a\n"
MAP_FIGURE = 'alt="Bản đồ các xã, phường'


def _square(k: int) -> list[list[float]]:
    x, y = ORIGIN[0] + (k % COLUMNS) * SIDE, ORIGIN[1] + (k // COLUMNS) * SIDE
    return [[x, y], [x + SIDE, y], [x + SIDE, y + SIDE], [x, y + SIDE], [x, y]]


def squares(codes, prop: str = "ma_xa") -> dict:
    """A FeatureCollection with one square Polygon per code, the code in property ``prop``."""
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {prop: code, "ten": f"Ô {k}"},
         "geometry": {"type": "Polygon", "coordinates": [_square(k)]}}
        for k, code in enumerate(codes)]}


def _write(tmp_path, collection, name="xa.geojson"):
    path = tmp_path / name
    path.write_text(json.dumps(collection), encoding="utf-8")
    return path


@pytest.fixture
def communes(runner) -> dict[str, str]:
    """The province's 102 communes, seeded: code → name."""
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    names = dict(db.session.execute(select(Locality.code, Locality.name)).all())
    assert len(names) == 102
    return names


def _import(runner, path, *options):
    return runner.invoke(args=["report", "geometry", "import", str(path), *options])


def _stored() -> int:
    return db.session.scalar(select(func.count()).select_from(LocalityBoundary))


# --- the import ---------------------------------------------------------------------------


def test_a_file_with_every_commune_is_imported_and_replaces_the_last(runner, communes, tmp_path):
    codes = sorted(communes)
    result = _import(runner, _write(tmp_path, squares(codes)))
    assert result.exit_code == 0, result.output
    assert "102 xã, phường" in result.output
    assert _stored() == 102
    stored = geometry.load_boundaries(db.session)
    assert stored[codes[5]] == [[_square(5)]]

    shifted = squares(list(reversed(codes)), prop="MA_XA")
    result = _import(runner, _write(tmp_path, shifted, "moi.geojson"), "--code-property", "MA_XA")
    assert result.exit_code == 0, result.output
    assert _stored() == 102
    assert geometry.load_boundaries(db.session)[codes[-1]] == [[_square(0)]]
    entries = db.session.scalars(select(AuditLog).where(AuditLog.action == "geometry_import")).all()
    assert [e.target for e in entries] == ["xa.geojson", "moi.geojson"]


def test_an_unknown_code_is_refused_by_code_and_nothing_changes(runner, communes, tmp_path):
    codes = sorted(communes)
    assert _import(runner, _write(tmp_path, squares(codes))).exit_code == 0
    wrong = squares(["99999"] + codes[1:])
    result = _import(runner, _write(tmp_path, wrong, "sai.geojson"))
    assert result.exit_code == 2
    assert "Mã 99999 (đối tượng thứ 1): không có xã, phường nào mang mã này." in result.output
    assert f"Mã {codes[0]} ({communes[codes[0]]}): không có trong tệp." in result.output
    assert "2 lỗi, chưa nhập ranh giới nào" in result.output
    assert geometry.load_boundaries(db.session)[codes[0]] == [[_square(0)]]  # the earlier import stays
    assert _stored() == 102


def test_a_missing_commune_is_refused_by_code(runner, communes, tmp_path):
    codes = sorted(communes)
    result = _import(runner, _write(tmp_path, squares(codes[:-2])))
    assert result.exit_code == 2
    for code in codes[-2:]:
        assert f"Mã {code} ({communes[code]}): không có trong tệp." in result.output
    assert _stored() == 0


def test_clear_leaves_no_boundary(runner, communes, tmp_path):
    assert _import(runner, _write(tmp_path, squares(sorted(communes)))).exit_code == 0
    result = runner.invoke(args=["report", "geometry", "clear"])
    assert result.exit_code == 0, result.output
    assert _stored() == 0
    assert geometry.load_boundaries(db.session) == {}


LOCALITIES = {"22015": "Phường Tuy Hòa", "22045": "Phường Bình Kiến", "24121": "Xã Ea Tu"}


def _problems(collection, localities=LOCALITIES, **options) -> list[str]:
    with pytest.raises(geometry.GeometryError) as caught:
        geometry.read_boundaries(json.dumps(collection).encode(), localities, **options)
    return caught.value.problems


def test_numeric_codes_and_the_code_property_are_read():
    collection = squares([22015, 22045.0, "24121"], prop="code")
    read = geometry.read_boundaries(json.dumps(collection).encode(), LOCALITIES)
    assert sorted(read.shapes) == sorted(LOCALITIES)
    assert read.vertices == 12
    assert _problems(collection, code_property="ma") == [
        f"Đối tượng thứ {k}: không có thuộc tính “ma” chứa mã xã, phường (thuộc tính có: code, ten)."
        for k in (1, 2, 3)] + [f"Mã {c} ({n}): không có trong tệp." for c, n in sorted(LOCALITIES.items())]


def test_a_code_twice_is_refused():
    assert _problems(squares(["22015", "22045", "24121", "22045"])) == [
        "Mã 22045: có ở cả đối tượng thứ 2 và thứ 4; hãy gộp các phần của một xã, phường thành một MultiPolygon."]


def test_projected_coordinates_and_bad_shapes_are_named():
    collection = squares(sorted(LOCALITIES))
    features = collection["features"]
    features[0]["geometry"]["coordinates"] = [[[512000, 1380000], [513000, 1380000], [513000, 1381000],
                                               [512000, 1380000]]]
    features[1]["geometry"] = {"type": "Point", "coordinates": [108.0, 12.5]}
    features[2]["geometry"]["coordinates"] = [[[108.0, 12.5], [108.1, 12.5]]]
    problems = _problems(collection)
    assert problems[0].startswith("Mã 22015 (đối tượng thứ 1): toạ độ (512000.0; 1380000.0) không phải kinh độ")
    assert "VN-2000" in problems[0]
    assert problems[1] == "Mã 22045 (đối tượng thứ 2): hình học phải là Polygon hoặc MultiPolygon, không phải Point."
    assert problems[2] == "Mã 24121 (đối tượng thứ 3): toạ độ không hợp lệ (một vòng cần ít nhất 3 điểm)."


def test_not_a_feature_collection_and_not_json():
    with pytest.raises(geometry.GeometryError) as caught:
        geometry.read_boundaries(b'{"type": "Feature"}', LOCALITIES)
    assert caught.value.problems == [geometry.NOT_COLLECTION]
    with pytest.raises(geometry.GeometryError) as caught:
        geometry.read_boundaries(b'{"type": ', LOCALITIES)
    assert caught.value.problems[0].startswith("Tệp không phải JSON hợp lệ")
    collection = {**squares(sorted(LOCALITIES)), "crs": {"type": "name", "properties": {"name": "EPSG:3405"}}}
    assert _problems(collection) == [geometry.WRONG_CRS.format(crs="EPSG:3405")]


def test_the_size_limits_are_named(runner, communes, tmp_path, monkeypatch):
    path = _write(tmp_path, squares(sorted(communes)))
    monkeypatch.setattr(geometry, "MAX_BYTES", 10 * 1024)
    result = _import(runner, path)
    assert result.exit_code == 2
    assert "vượt giới hạn 0 MB" not in result.output and "MB vượt giới hạn" in result.output
    monkeypatch.setattr(geometry, "MAX_BYTES", 20 * 1024 * 1024)
    monkeypatch.setattr(geometry, "MAX_VERTICES", 300)
    result = _import(runner, path)
    assert result.exit_code == 2
    assert "Tệp có hơn 300 đỉnh, vượt giới hạn 300 đỉnh" in result.output
    assert _stored() == 0


def test_the_default_limits_are_those_documented():
    assert geometry.MAX_BYTES == 20 * 1024 * 1024
    assert geometry.MAX_VERTICES == 200_000
    problem = _problems({"type": "FeatureCollection", "features": []})
    assert problem == [geometry.EMPTY_FILE]


# --- the drawing --------------------------------------------------------------------------


def _with_squares(report):
    codes = [row.code for row in report.localities if row.kind != "tinh"]
    return dataclasses.replace(report, geometry={c: [[_square(k)]] for k, c in enumerate(codes)})


def test_each_commune_is_drawn_by_its_group_unreliable_hatched_empty_grey(report):
    styles = {row.code: map_style(row) for row in report.localities}
    for row in report.localities:
        if row.index.n == 0:
            assert styles[row.code] == "none"
        elif row.reliable:
            assert styles[row.code] == row.group in GROUP_COLOURS
        else:
            assert styles[row.code] == "unreliable"
    assert {"none", "unreliable", 1, 2, 3, 4} <= set(styles.values())  # the fixture has every case
    assert map_style(None) == "none"  # a boundary whose commune the report does not list


@pytest.mark.parametrize("turn", [False, True], ids=["as-written", "reversed"])
def test_a_hole_stays_empty_whatever_the_ring_order(turn):
    outer = [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]]
    hole = [[1, 1], [3, 1], [3, 3], [1, 3], [1, 1]]  # same orientation as the outer ring
    if turn:
        outer = outer[::-1]
    fig = Figure(figsize=(1, 1), dpi=40)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(0, 4)
    ax.set_ylim(0, 4)
    ax.add_patch(PathPatch(_boundary_path([[outer, hole]], 1.0), facecolor="black", edgecolor="none"))
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())
    assert tuple(pixels[20, 20][:3]) == (255, 255, 255)  # the hole's centre
    assert tuple(pixels[20, 4][:3]) == (0, 0, 0)  # the ring around it


def test_the_map_is_drawn_into_every_renderer_when_boundaries_exist(app, report):
    with_map = _with_squares(report)
    charts = render_all(with_map)
    assert charts["map"].startswith(PNG)
    document = with_map.as_dict()
    assert "geometry" not in document  # report.json carries no boundary
    html = to_html(document, charts)
    assert MAP_FIGURE in html and "gạch chéo: chưa đủ tin cậy" in html
    book = load_workbook(io.BytesIO(to_xlsx(document, charts)))
    titles = [c.value for row in book["Biểu đồ"].iter_rows() for c in row if c.value]
    assert CHART_TITLES["map"] in titles


def test_a_first_day_map_has_no_group_colour(app, sipas_tree):
    """Day 1 of a real quarter: one desk-day per commune, n of 1-3, no commune reliable, two
    communes without a response: the map draws them hatched or grey, claiming no group."""
    frame = make_frame(400, 8, seed=5, thin=0)
    frame = frame.groupby("locality_code").head(2).reset_index(drop=True)
    frame["psu"] = frame["locality_code"] + "-day1"
    places = [ReportLocality(*row) for row in localities(10)]
    first_day = build_report(frame, None, sipas_tree, wave="2026Q4", localities=places, interim=True)
    first_day.geometry = {p.code: [[_square(k)]] for k, p in enumerate(places) if p.kind != "tinh"}
    styles = {row.code: map_style(row) for row in first_day.localities if row.code in first_day.geometry}
    assert sorted(styles.values()) == ["none"] * 2 + ["unreliable"] * 8
    assert render_all(first_day)["map"].startswith(PNG)


@pytest.mark.slow
def test_a_tall_province_prints_its_map_on_one_page(app, report):
    """A province four communes wide and 26 tall: the map is drawn at most a page high and
    Chromium prints it whole on one page (an image cut by a page break appears on two)."""
    codes = [row.code for row in report.localities if row.kind != "tinh"]
    tall = dataclasses.replace(report, geometry={
        c: [[[[x, y + 0.0] for x, y in _square(k % 4 + (k // 4) * COLUMNS)]]] for k, c in enumerate(codes)})
    charts = render_all(tall)
    size = PIL.Image.open(io.BytesIO(charts["map"])).size
    assert size[1] > size[0]
    reader = PdfReader(io.BytesIO(pdf.to_pdf(to_html(tall.as_dict(), charts))))
    pages = [k for k, page in enumerate(reader.pages) if any(i.image.size == size for i in page.images)]
    assert len(pages) == 1, pages


def test_an_officers_copy_of_the_page_has_no_map(app, report):
    """The map shows every commune's group, as the forest chart does, so an officer's filtered
    copy (the province and their own commune) leaves it out like the forest chart."""
    with_map = _with_squares(report)
    charts = render_all(with_map)
    own = with_map.localities[0].code
    assert MAP_FIGURE not in to_html(restrict(with_map.as_dict(), {own}, set()), charts)


def test_without_boundaries_there_is_no_map_and_no_error(app, report):
    charts = render_all(report)
    assert "map" not in charts
    assert MAP_FIGURE not in to_html(report.as_dict(), charts)


@pytest.mark.slow
def test_a_wave_report_has_the_map_once_boundaries_are_imported(runner, communes, tmp_path):
    result = runner.invoke(args=["demo", "responses", "--wave", "DEMO-2026Q4", "--count", "300", "--seed", "1"])
    assert result.exit_code == 0, result.output
    wave = db.session.scalar(select(Wave).where(Wave.code == "DEMO-2026Q4"))
    before = report_for_wave(db.session, wave)
    assert "map" not in before.charts and before.geometry == {}
    assert _import(runner, _write(tmp_path, squares(sorted(communes)))).exit_code == 0
    after = report_for_wave(db.session, wave)
    assert sorted(after.geometry) == sorted(communes)
    assert after.charts["map"].startswith(PNG)
    assert MAP_FIGURE in to_html(after.as_dict(), after.charts)


# --- the admin page -----------------------------------------------------------------------


def _post(client, data: bytes, code_property: str = "", name: str = "xa.geojson"):
    """Post the upload encoded here: a body above werkzeug's 500 KB spooling threshold, encoded
    by the test client, is spooled to a temporary file it never closes (a ResourceWarning)."""
    boundary = "mapboundary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="code_property"\r\n\r\n{code_property}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/geo+json\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return client.post("/admin/boundaries", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_the_admin_page_imports_a_file_larger_than_other_uploads(app, client, auth, communes):
    auth("admin")
    collection = squares(sorted(communes), prop="MA")
    collection["features"][0]["properties"]["ghi_chu"] = "x" * app.config["MAX_CONTENT_LENGTH"]
    data = json.dumps(collection).encode()
    assert app.config["MAX_CONTENT_LENGTH"] < len(data) < geometry.MAX_BYTES
    response = _post(client, data, code_property="MA")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert _stored() == 102
    page = client.get("/admin/boundaries").get_data(as_text=True)
    assert "Đang có ranh giới của 102 xã, phường (408 đỉnh)" in page
    assert db.session.scalar(select(AuditLog.target).where(AuditLog.action == "geometry_upload")) == "xa.geojson"


def test_the_admin_page_lists_every_mismatch_and_stores_nothing(client, auth, communes):
    auth("admin")
    codes = sorted(communes)
    response = _post(client, json.dumps(squares(["99999"] + codes[1:-1])).encode())
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Mã 99999 (đối tượng thứ 1): không có xã, phường nào mang mã này." in page
    for code in (codes[0], codes[-1]):
        assert f"Mã {code} ({communes[code]}): không có trong tệp." in page
    assert "chưa ghi ranh giới nào" in page
    assert _stored() == 0


def test_a_file_above_the_bound_is_refused_naming_it(client, auth, communes, monkeypatch):
    auth("admin")
    monkeypatch.setattr(geometry, "MAX_BYTES", 1024 * 1024)
    response = _post(client, b" " * (geometry.MAX_BYTES + 100 * 1024) + json.dumps(squares(sorted(communes))).encode())
    assert response.status_code == 400
    assert "MB vượt giới hạn 1 MB" in response.get_data(as_text=True)
    assert _stored() == 0


def test_an_analyst_reads_the_page_and_an_officer_not(client, auth, communes):
    auth("analyst")
    page = client.get("/admin/boundaries")
    assert page.status_code == 200 and "Chưa có ranh giới: báo cáo quý không có bản đồ." in page.get_data(as_text=True)
    assert _post(client, json.dumps(squares(sorted(communes))).encode()).status_code == 403
    auth("officer", db.session.scalar(select(Locality).where(Locality.code == min(communes))))
    assert client.get("/admin/boundaries").status_code == 403
    assert _stored() == 0

"""Printable A5 QR posters, from the CLI and for one centre."""

import base64
import urllib.parse

from survey.respond.posters import poster_html


def test_poster_has_qr_of_the_desk_url_and_the_centre(app, desk):
    _, centre, _ = desk
    html = poster_html(centre, "https://khaosat.example.vn")
    assert "khaosat.example.vn/q/" + centre.code in html
    assert centre.name in html and centre.locality.name in html
    assert 'src="data:image/svg+xml' in html
    assert "style=" not in html and "<script" not in html


def test_posters_command_writes_one_file_per_active_centre(runner, desk, db_session, tmp_path):
    _, centre, _ = desk
    result = runner.invoke(args=["posters", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == ["poster-" + centre.code + ".html", "poster.css"]
    page = (tmp_path / f"poster-{centre.code}.html").read_text(encoding="utf-8")
    assert 'href="poster.css"' in page
    data_uri = page.split('src="', 1)[1].split('"', 1)[0]
    svg = urllib.parse.unquote(data_uri.split(",", 1)[1]) if "base64" not in data_uri else (
        base64.b64decode(data_uri.split(",", 1)[1]).decode())
    assert svg.lstrip().startswith("<svg") or "<svg" in svg


def test_posters_for_a_local_address_warn_before_printing(app, runner, desk, tmp_path):
    app.config["PUBLIC_BASE_URL"] = "http://127.0.0.1:5000"
    warned = runner.invoke(args=["posters", "--out", str(tmp_path / "local")])
    assert warned.exit_code == 0 and "Cảnh báo: Mã QR trên các áp phích trỏ tới" in warned.stderr
    app.config["PUBLIC_BASE_URL"] = "https://khaosat.daklak.gov.vn"
    public = runner.invoke(args=["posters", "--out", str(tmp_path / "public")])
    assert public.exit_code == 0 and "Cảnh báo" not in public.output


def test_posters_into_an_unwritable_place_are_an_argument_error(runner, desk, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = runner.invoke(args=["posters", "--out", str(blocker / "posters")])
    assert result.exit_code == 2 and "không ghi được vào" in result.output

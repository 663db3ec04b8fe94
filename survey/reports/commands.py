"""`flask --app wsgi report quarterly`: write a wave's report (its survey's kind) as HTML, XLSX, JSON and PDF;
`flask --app wsgi report geometry import FILE.geojson`: keep the communes' boundaries for its map."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from survey.audit import record
from survey.errors import BadInput
from survey.extensions import db
from survey.frame.defaults import DEFAULT_EXCLUDE
from survey.models import Wave
from survey.reports import geometry, pdf, render, store
from survey.reports.kinds import kind_of_wave
from survey.uploads.limits import megabytes, number

report_group = AppGroup("report", help="Lập báo cáo cho Sở Nội vụ.")
FORMATS = ("html", "xlsx", "json")
OPTIONAL_FORMATS = ("pdf",)  # needs Chromium (`make chromium`), so only when asked for


def _formats(value: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(v.strip().lower() for v in value.split(",") if v.strip()))
    unknown = [f for f in chosen if f not in FORMATS + OPTIONAL_FORMATS]
    if unknown or not chosen:
        raise click.BadParameter(f"không có định dạng {unknown[0] if unknown else value!r}; dùng "
                                 f"{', '.join(FORMATS + OPTIONAL_FORMATS)}", param_hint="--format")
    return chosen


@report_group.command("quarterly", help="Lập báo cáo quý của một đợt khảo sát và lưu lại cho trang web.")
@click.option("--wave", "wave_code", required=True, help="Mã đợt, ví dụ 2026Q4.")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Thư mục ghi report.html, report.xlsx, report.json (và report.pdf).")
@click.option("--format", "formats", default=",".join(FORMATS), show_default=True,
              help="Các định dạng, cách nhau bởi dấu phẩy: html, xlsx, json, pdf (pdf cần Chromium: make chromium).")
@click.option("--target", type=click.FloatRange(0, 1, min_open=True), default=None,
              help="Chỉ số mục tiêu dạng tỷ lệ (0.86 = 86%), thay cho mục tiêu khai trong tệp bảng "
                   "hỏi (index.target); mặc định: mục tiêu của tệp, hoặc không có mục tiêu nếu tệp "
                   "không khai.")
@click.option("--exclude", default=",".join(DEFAULT_EXCLUDE), show_default=True,
              help="Các cờ chất lượng mà phiếu mang cờ bị loại, cách nhau bởi dấu phẩy ('' giữ tất cả).")
def quarterly_command(wave_code: str, out: Path, formats: str, target: float | None, exclude: str) -> None:
    """Write the quarterly report of a wave and keep it for the web page."""
    chosen = _formats(formats)
    if "pdf" in chosen:
        try:
            pdf.check_renderer()  # before minutes of work, not after
        except pdf.PdfUnavailable as exc:
            click.echo(str(exc), err=True)
            click.get_current_context().exit(2)
    wave = db.session.scalar(select(Wave).where(Wave.code == wave_code))
    if wave is None:
        known = ", ".join(db.session.scalars(select(Wave.code).order_by(Wave.code))) or "chưa có đợt nào"
        raise click.BadParameter(f"không có đợt {wave_code!r} (các đợt đã có: {known})", param_hint="--wave")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise click.BadParameter(f"không tạo được thư mục {out}: {exc.strerror or exc}", param_hint="--out") from None
    started = time.monotonic()
    from survey.reports.jobs import step_label  # the steps' Vietnamese names, as the web page shows them

    def progress(step: str) -> None:
        click.echo(f"[{time.monotonic() - started:5.1f} s] {step_label(step)}", err=True)

    flags = tuple(f.strip() for f in exclude.split(",") if f.strip())
    kind = kind_of_wave(wave)
    from analysis.design import DesignError  # the statistics load with the build, not with `--help`

    try:
        document, charts = kind.build(db.session, wave, progress, target=target, exclude=flags)
    except DesignError as exc:
        raise click.ClickException(str(exc)) from None
    progress("Ghi các tệp báo cáo")
    writers = {"json": lambda: render.to_json(document).encode("utf-8"),
               "html": lambda: kind.to_html(document, charts).encode("utf-8"),
               "xlsx": lambda: kind.to_xlsx(document, charts),
               "pdf": lambda: pdf.to_pdf(kind.to_html(document, charts))}
    for fmt in chosen:
        path = out / f"report.{fmt}"
        try:
            path.write_bytes(writers[fmt]())
        except OSError as exc:
            raise click.BadParameter(f"không ghi được {path}: {exc.strerror or exc}", param_hint="--out") from None
        click.echo(str(path))
    store.save(document, charts)
    seconds = f"{time.monotonic() - started:.1f}".replace(".", ",")
    click.echo(f"{kind.summary(document)}, {seconds} giây")


geometry_group = AppGroup("geometry", help="Ranh giới xã, phường cho bản đồ trong báo cáo.")
report_group.add_command(geometry_group)
PROBLEMS_SHOWN = 50


@geometry_group.command("import", help="Kiểm tra tệp GeoJSON ranh giới của mọi xã, phường và thay "
                         "toàn bộ ranh giới đã lưu; lỗi thì không thay gì.")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--code-property", default=None,
              help=f"Thuộc tính của feature chứa mã xã, phường (mặc định: thuộc tính đầu tiên có trong "
                   f"{', '.join(geometry.CODE_PROPERTIES)}).")
def import_geometry_command(path: Path, code_property: str | None) -> None:
    """Check a GeoJSON file of every commune's boundary and replace the stored ones, all or nothing."""
    try:
        size = path.stat().st_size
        if size > geometry.MAX_BYTES:  # refused before it is read into memory
            raise geometry.GeometryError([geometry.TOO_LARGE.format(
                size=megabytes(size), limit=megabytes(geometry.MAX_BYTES))])
        data = path.read_bytes()
        boundaries = geometry.read_boundaries(data, geometry.locality_names(db.session), code_property)
    except OSError as exc:
        raise BadInput(f"{path}: không đọc được tệp ({exc.strerror or exc}).") from None
    except geometry.GeometryError as exc:
        for problem in exc.problems[:PROBLEMS_SHOWN]:
            click.echo(f"{path}: {problem}", err=True)
        if len(exc.problems) > PROBLEMS_SHOWN:
            click.echo(f"… và {len(exc.problems) - PROBLEMS_SHOWN} lỗi khác.", err=True)
        raise BadInput(f"{path}: {len(exc.problems)} lỗi, chưa nhập ranh giới nào.") from None
    count = geometry.replace_boundaries(db.session, boundaries, path.name)
    record("geometry_import", path.name, username="cli", communes=count, vertices=boundaries.vertices)
    db.session.commit()
    click.echo(f"Đã nhập ranh giới của {count} xã, phường ({number(boundaries.vertices)} đỉnh); "
               f"báo cáo lập từ nay có bản đồ.")


@geometry_group.command("clear", help="Xoá mọi ranh giới đã lưu: báo cáo lập sau đó không có bản đồ.")
def clear_geometry_command() -> None:
    """Delete every stored boundary: reports built afterwards have no map."""
    removed = geometry.clear_boundaries(db.session)
    record("geometry_clear", None, username="cli", communes=removed)
    db.session.commit()
    click.echo(f"Đã xoá ranh giới của {removed} xã, phường; báo cáo lập từ nay không có bản đồ.")


COMMANDS = (report_group,)

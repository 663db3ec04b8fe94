"""`flask --app wsgi export responses` (analysis-ready, weighted) and `export index-tree`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from survey.enums import QualityFlag, values
from survey.errors import BadInput
from survey.exports.tree import index_tree
from survey.exports.workbook import FORMATS, write_export
from survey.extensions import db
from survey.frame.defaults import DEFAULT_EXCLUDE, DEFAULT_MIN_CELL, PSU_KINDS
from survey.models import Questionnaire, QuestionnaireVersion, Wave
from survey.questionnaire import from_dict

export_group = AppGroup("export", help="Xuất dữ liệu cho người phân tích.")
KNOWN_FLAGS = tuple(values(QualityFlag))


def _flags(text: str) -> tuple[str, ...]:
    if text.strip().lower() == "none":
        return ()
    flags = tuple(f.strip() for f in text.split(",") if f.strip())
    unknown = [f for f in flags if f not in KNOWN_FLAGS]
    if unknown:
        raise BadInput(f"--exclude: không có cờ “{unknown[0]}” (các cờ có: {', '.join(KNOWN_FLAGS)}, hoặc none)")
    return flags


@export_group.command("responses", help="Ghi mỗi phiếu được giữ thành một dòng: các cột thiết kế "
                      "mẫu (stratum, psu, design_weight), rồi các câu hỏi.")
@click.option("--wave", "wave_code", required=True, help="Mã đợt, ví dụ 2026Q3.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True,
              help="csv (UTF-8), xlsx (kèm các trang ghi chú, sổ mã và cây chỉ số) hoặc parquet "
                   "(cột có kiểu; sổ mã, cây chỉ số và ghi chú trong siêu dữ liệu của tệp).")
@click.option("--out", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Tệp ghi ra (mặc định với CSV: in ra đầu ra chuẩn).")
@click.option("--exclude", "exclude_text", default=",".join(DEFAULT_EXCLUDE), show_default=True,
              help="Các cờ chất lượng mà phiếu mang cờ bị loại, cách nhau bởi dấu phẩy; 'none' giữ tất cả.")
@click.option("--keep-no-answer", is_flag=True,
              help="Giữ mã của “Không trả lời” (0 trên thang đo) thay vì để ô trống.")
@click.option("--min-cell", type=click.IntRange(min=1), default=DEFAULT_MIN_CELL, show_default=True,
              help="Số phiếu ít nhất để một ô trung tâm × lĩnh vực giữ trọng số riêng.")
@click.option("--trim", type=float, default=None, help="Chặn trọng số ở mức bội số này của trung vị (ví dụ 3.5).")
@click.option("--psu", type=click.Choice(PSU_KINDS), default="desk_day", show_default=True,
              help="Đơn vị mẫu bậc một: trung tâm × ngày (giờ địa phương), hoặc từng phiếu.")
@click.option("--rake", "margins_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Hiệu chỉnh trọng số theo các tổng đã biết (raking): tệp CSV có các cột variable,level,total "
                   "(variable = mã câu hỏi, ví dụ gender hoặc age_band).")
def export_responses_command(wave_code: str, fmt: str, out: Path | None, exclude_text: str,
                             keep_no_answer: bool, min_cell: int, trim: float | None, psu: str,
                             margins_path: Path | None) -> None:
    """Write one row per kept response: design columns (stratum, psu, design_weight), then items."""
    wave = db.session.scalar(select(Wave).where(Wave.code == wave_code))
    if wave is None:
        known = ", ".join(db.session.scalars(select(Wave.code).order_by(Wave.code))) or "chưa có đợt nào"
        raise click.BadParameter(f"không có đợt {wave_code!r} (các đợt đã có: {known})", param_hint="--wave")
    if fmt != "csv" and out is None:
        raise click.BadParameter(f"định dạng {fmt.upper()} cần tệp ghi ra, hãy thêm --out TỆP", param_hint="--out")
    margins = _margins(margins_path, wave) if margins_path else None
    from survey.exports.frame import export_frame  # pandas loads with the export, not with `--help`

    try:
        frame, report = export_frame(db.session, wave, exclude=_flags(exclude_text), keep_no_answer=keep_no_answer,
                                     min_cell=min_cell, trim=trim, psu=psu, margins=margins)
    except ValueError as exc:  # an impossible trimming cap, bad margins: the analyst's input
        raise BadInput(str(exc)) from None
    for line in report.lines():
        click.echo(line, err=True)
    questionnaire = from_dict(wave.questionnaire_version.definition)
    if out is None:
        write_export(frame, sys.stdout, fmt, report=report, questionnaire=questionnaire)
        return
    try:
        write_export(frame, out, fmt, report=report, questionnaire=questionnaire)
    except OSError as exc:
        raise click.BadParameter(
            f"không ghi được {out}: {exc.strerror or exc}. Hãy kiểm tra thư mục có tồn tại và cho phép ghi.",
            param_hint="--out",
        ) from None
    click.echo(f"Đã ghi {len(frame)} phiếu vào {out}.", err=True)


def _margins(path: Path, wave: Wave) -> dict[str, dict[str, float]]:
    from analysis.cli import UsageError, read_margins

    try:
        margins = read_margins(str(path))
    except UsageError as exc:
        raise BadInput(f"--rake: {exc}") from None
    items = from_dict(wave.questionnaire_version.definition).items_by_code
    unknown = [variable for variable in margins if variable not in items]
    if unknown:
        raise BadInput(f"--rake: {path}: biến “{unknown[0]}” không phải câu hỏi của bảng hỏi")
    return margins


@export_group.command("index-tree")
@click.option("--questionnaire", "code", required=True, help="Questionnaire code, e.g. sipas-2026.")
@click.option("--version", "number", type=int, default=None, help="Published version (default: the latest).")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="JSON file to write.")
def export_index_tree_command(code: str, number: int | None, out: Path) -> None:
    """Write the questionnaire's index tree (nodes, children, weights, items) as JSON."""
    query = select(QuestionnaireVersion).join(Questionnaire).where(Questionnaire.code == code)
    query = query.where(QuestionnaireVersion.number == number) if number else query
    version = db.session.scalar(query.order_by(QuestionnaireVersion.number.desc()).limit(1))
    if version is None:
        known = ", ".join(db.session.scalars(select(Questionnaire.code).order_by(Questionnaire.code))) or "none"
        what = f"{code} v{number}" if number else code
        raise BadInput(f"--questionnaire: không có bảng hỏi đã công bố {what} (các bảng hỏi có: {known})")
    tree = index_tree(version)
    try:
        out.write_text(json.dumps(tree, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"--out: không ghi được {out} ({exc.strerror or exc})") from None
    click.echo(f"Đã ghi cây chỉ số của {code} v{version.number} ({len(tree['nodes'])} nút) vào {out}.", err=True)


COMMANDS = (export_group,)

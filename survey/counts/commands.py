"""`flask --app wsgi counts import FILE --quarter Q` and `flask --app wsgi counts template --out FILE`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from survey.audit import record
from survey.counts.parse import CountsFileError, parse_counts, read_quarter, replace_quarters
from survey.counts.template import counts_template
from survey.errors import BadInput
from survey.extensions import db

PROBLEMS_SHOWN = 50

counts_group = AppGroup("counts", help="Số hồ sơ đã giải quyết, cơ sở để tính trọng số.")


def _quarter(value: str) -> str:
    quarter = read_quarter(value)
    if quarter is None:
        raise BadInput(f"--quarter: “{value}” không phải một quý, ví dụ đúng: 2026Q4")
    return quarter


@counts_group.command("import", help="Kiểm tra tệp số hồ sơ CSV hoặc XLSX và thay toàn bộ số liệu "
                      "của quý bằng tệp đó; lỗi một dòng thì không nhập dòng nào.")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--quarter", required=True,
              help="Quý của số liệu trong tệp, ví dụ 2026Q4; số liệu cũ của quý được thay toàn bộ.")
def import_counts_command(path: Path, quarter: str) -> None:
    """Check a CSV or XLSX counts file and replace the quarter's counts with it, all or nothing."""
    quarter = _quarter(quarter)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadInput(f"{path}: không đọc được tệp ({exc.strerror or exc})") from None
    session = db.session
    try:
        rows = parse_counts(session, None, data, quarter=quarter)
    except CountsFileError as exc:
        for problem in exc.problems[:PROBLEMS_SHOWN]:
            click.echo(f"{path}: {problem}", err=True)
        more = len(exc.problems) - PROBLEMS_SHOWN
        if more > 0:
            click.echo(f"… và {more} lỗi khác.", err=True)
        raise BadInput(f"{path}: {len(exc.problems)} lỗi, chưa nhập dòng nào.") from None
    replaced = replace_quarters(session, rows)
    record("counts_import", path.name, quarter=quarter, rows=replaced.added, removed=replaced.removed)
    session.commit()
    click.echo(f"Quý {quarter}: đã nhập {replaced.added} số liệu, thay {replaced.removed} số liệu nhập trước đó.")


@counts_group.command("template", help="Ghi mẫu XLSX liệt kê mọi trung tâm và lĩnh vực đang hoạt "
                      "động, cột số hồ sơ để trống.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Tệp XLSX ghi ra.")
@click.option("--quarter", default="", help="Quý ghi vào mọi dòng (mặc định: để trống cho cán bộ điền).")
def template_command(out: Path, quarter: str) -> None:
    """Write an XLSX template listing every active centre and field, counts left blank."""
    data = counts_template(db.session, _quarter(quarter) if quarter else "")
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise BadInput(f"--out: không ghi được {out} ({exc.strerror or exc})") from None
    click.echo(f"Đã ghi mẫu nhập số liệu vào {out}.")


COMMANDS = (counts_group,)

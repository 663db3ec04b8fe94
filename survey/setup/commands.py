"""`flask --app wsgi seed`: load the province's places, questionnaires, current wave and admin."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from survey.clock import local_today
from survey.enums import QuestionnaireKind
from survey.extensions import db
from survey.labels import label
from survey.public_url import public_base_url
from survey.publishing import latest_version, publish_directory
from survey.questionnaire import QuestionnaireError, format_problems
from survey.setup.seed import (
    LOCALITIES_CSV,
    PROVINCIAL_CENTRE_CODE,
    SeedError,
    read_localities,
    seed_admin,
    seed_current_wave,
    seed_places,
)


@click.command("seed", help="Nạp xã/phường, trung tâm, lĩnh vực, bảng hỏi, đợt khảo sát hiện tại "
                            "và tài khoản quản trị.")
@click.option(
    "--localities",
    "localities_path",
    type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path),
    default=LOCALITIES_CSV,
    show_default=True,
    help="Tệp CSV có các cột code,name,kind.",
)
def seed_command(localities_path: Path) -> None:
    """Load localities, centres, fields, questionnaires, the current wave and an admin."""
    session = db.session
    try:
        rows = read_localities(localities_path)
        added = seed_places(session, rows)
        published = publish_directory(session, Path(current_app.config["QUESTIONNAIRES_DIR"]))
        version = latest_version(session, QuestionnaireKind.CITIZEN)
        wave = seed_current_wave(session, version, local_today())
        password = seed_admin(session)
        session.commit()
    except SeedError as exc:
        session.rollback()
        raise click.ClickException(f"Chưa nạp dữ liệu ban đầu, không có gì thay đổi. {exc}") from None
    except QuestionnaireError as exc:
        session.rollback()
        raise click.ClickException(
            "Chưa nạp dữ liệu ban đầu, không có gì thay đổi. Lỗi trong tệp bảng hỏi:\n"
            + format_problems(exc.problems)
        ) from None
    new_versions = [v.label for v, is_new in published if is_new]
    click.echo(f"Số địa bàn và lĩnh vực thêm mới: {added}.")
    click.echo(f"Phiên bản bảng hỏi đã công bố: {', '.join(new_versions) or 'không có phiên bản mới'}.")
    if wave is not None:
        click.echo(f"Đợt khảo sát hiện tại: {wave.code} ({label(wave.status, 'wave_status')}).")
    if password is not None:
        click.echo(f"Đã tạo tài khoản quản trị. Tên đăng nhập: admin  Mật khẩu: {password}")
        click.echo("Mật khẩu này chỉ hiện một lần; hãy đổi mật khẩu sau khi đăng nhập.")
    else:
        click.echo(
            "Tài khoản quản trị 'admin' đã có (mật khẩu chỉ hiện ở lần chạy đầu tiên; "
            "cấp mật khẩu mới bằng lệnh: flask --app wsgi users reset admin)."
        )
    base_url = public_base_url("Các đường dẫn dưới đây").rstrip("/")
    click.echo(f"Cán bộ đăng nhập tại: {base_url}/auth/login")
    click.echo(f"Mã QR đặt tại quầy của Trung tâm cấp tỉnh: {base_url}/q/{PROVINCIAL_CENTRE_CODE}")


COMMANDS = (seed_command,)

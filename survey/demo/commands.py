"""`flask --app wsgi demo responses --wave DEMO-2026Q4 --count N [--seed S] [--with-counts]`.

Demo data never touch a real wave: the command fills only waves it made itself (marked
`is_demo`, coded DEMO-<quarter>, closed), refuses any other existing wave whether or not it has
responses, and keeps its dossier counts under the demo wave's own code, where neither a real
wave's weights nor the monitor's targets of a real wave look.
"""

from __future__ import annotations

import datetime as dt
import time

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, insert, select

from survey.errors import BadInput
from survey.extensions import db
from survey.models import (
    DEMO_WAVE_PREFIX,
    AdminCount,
    QuestionnaireKind,
    Response,
    ServiceCentre,
    ServiceField,
    Wave,
    WaveStatus,
)
from survey.publishing import latest_version
from survey.quarters import QUARTER, wave_quarter

demo_group = AppGroup("demo", help="Dữ liệu mô phỏng để thử phân tích và đo hiệu năng.")
MAX_COUNT = 5_000_000


def _quarter_bounds(quarter: str) -> tuple[dt.date, dt.date]:
    year, q = int(quarter[:4]), int(quarter[5])
    start = dt.date(year, 3 * q - 2, 1)
    end = (dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)) - dt.timedelta(days=1)
    return start, end


def demo_quarter(code: str) -> str | None:
    """The quarter a demo wave code stands for (DEMO-2026Q4 → 2026Q4); None for any other code."""
    quarter = code.removeprefix(DEMO_WAVE_PREFIX)
    return quarter if code.startswith(DEMO_WAVE_PREFIX) and QUARTER.match(quarter) else None


def _demo_wave(session, code: str) -> tuple[Wave, bool]:
    wave = session.scalar(select(Wave).where(Wave.code == code))
    if wave is not None:
        if not (wave.is_demo and demo_quarter(code)):  # a wave marked demo by an older version included
            stored = session.scalar(select(func.count()).select_from(Response).where(Response.wave_id == wave.id))
            holds = f"đã có {stored} phiếu" if stored else "chưa có phiếu nào"
            raise BadInput(f"--wave: đợt {code} là đợt khảo sát thật ({holds}); dữ liệu mô phỏng không "
                           f"bao giờ được ghi vào đợt thật. Dùng một mã đợt mô phỏng, ví dụ "
                           f"{DEMO_WAVE_PREFIX}{demo_quarter(DEMO_WAVE_PREFIX + code) or '2026Q4'}.")
        return wave, False
    quarter = demo_quarter(code)
    if quarter is None:
        raise BadInput(f"--wave: một đợt mô phỏng mới cần mã dạng {DEMO_WAVE_PREFIX}2026Q4 "
                       f"({DEMO_WAVE_PREFIX} và một quý), không phải “{code}”")
    version = latest_version(session, QuestionnaireKind.CITIZEN)
    if version is None:
        raise BadInput("chưa có bảng hỏi người dân nào được công bố; hãy chạy `flask --app wsgi seed` trước")
    opens_on, closes_on = _quarter_bounds(quarter)
    wave = Wave(code=code, questionnaire_version=version, opens_on=opens_on, closes_on=closes_on,
                status=WaveStatus.CLOSED, is_demo=True)
    session.add(wave)
    session.flush()
    return wave, True


def _demo_counts(session, wave: Wave, seed: int) -> int:
    """Dossiers per centre × field for the demo wave, kept under its own code (DEMO-2026Q4, which
    `survey.quarters.wave_quarter` gives a demo wave): 10–30 per response, plus a few."""
    import numpy as np

    rng = np.random.default_rng(seed + 1)
    quarter = wave_quarter(wave)
    if not (wave.is_demo and demo_quarter(wave.code)) or quarter != wave.code:  # never a real quarter's
        raise BadInput(f"--with-counts: đợt {wave.code} không phải đợt mô phỏng")
    seen = session.execute(
        select(Response.centre_id, Response.field_id, func.count()).where(Response.wave_id == wave.id)
        .group_by(Response.centre_id, Response.field_id)
    ).all()
    n = {(c, f): k for c, f, k in seen}
    centres = session.scalars(select(ServiceCentre.id).where(ServiceCentre.active)).all()
    fields = session.scalars(select(ServiceField.id).where(ServiceField.active)).all()
    rows = []
    for c in centres:
        for f in fields:
            responses = n.get((c, f), 0)
            # a field nobody answered about mostly had no dossiers either, but not always
            dossiers = responses * rng.uniform(10, 30) + rng.poisson(5) if responses or rng.random() < 0.1 else 0
            rows.append({"centre_id": c, "field_id": f, "quarter": quarter, "dossiers_resolved": int(dossiers)})
    session.execute(AdminCount.__table__.delete().where(AdminCount.quarter == quarter))
    session.execute(insert(AdminCount), rows)
    return len(rows)


@demo_group.command("responses", help="Điền phiếu mô phỏng vào một đợt mô phỏng (từ chối mọi đợt "
                    "không phải đợt mô phỏng).")
@click.option("--wave", "wave_code", required=True,
              help=f"Mã đợt mô phỏng, ví dụ {DEMO_WAVE_PREFIX}2026Q4 (chưa có thì tạo, ở trạng thái đã đóng).")
@click.option("--count", type=int, required=True, help="Số phiếu cần thêm.")
@click.option("--seed", type=int, default=1, show_default=True, help="Hạt giống ngẫu nhiên, để tạo lại dữ liệu cũ.")
@click.option("--with-counts", is_flag=True,
              help="Ghi thêm số hồ sơ theo mã đợt mô phỏng (thay số đã ghi trước đó).")
def demo_responses_command(wave_code: str, count: int, seed: int, with_counts: bool) -> None:
    """Fill a demo wave with synthetic responses (refuses every wave that is not a demo wave)."""
    if not 1 <= count <= MAX_COUNT:
        raise BadInput(f"--count: {count} không nằm trong khoảng 1 đến {MAX_COUNT:,}".replace(",", "."))
    session = db.session
    started = time.perf_counter()
    wave, created = _demo_wave(session, wave_code)
    from survey.demo.generate import DemoError, fill_demo_wave  # NumPy and pandas load with the work, not with `--help`

    try:
        result = fill_demo_wave(session, wave, count, seed, current_app.config["TIMEZONE"])
    except DemoError as exc:
        session.rollback()
        raise BadInput(str(exc)) from None
    counts = _demo_counts(session, wave, seed) if with_counts else 0
    session.commit()
    flags = ", ".join(f"{k} {v}" for k, v in sorted(result.flag_counts.items())) or "không có"
    seconds = f"{time.perf_counter() - started:.1f}".replace(".", ",")
    click.echo(f"{'Đã tạo' if created else 'Đã bổ sung'} đợt mô phỏng {wave.code}: {result.responses} phiếu, "
               f"{result.answers} câu trả lời trong {seconds} giây. Cờ chất lượng: {flags}.")
    if with_counts:
        click.echo(f"Số hồ sơ của đợt {wave.code}: {counts} ô (trung tâm × lĩnh vực).")


COMMANDS = (demo_group,)

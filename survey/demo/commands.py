"""`flask --app wsgi demo responses --wave W --count N [--seed S] [--with-counts]`."""

from __future__ import annotations

import datetime as dt
import time

import click
import numpy as np
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, insert, select

from survey.demo.generate import DemoError, fill_demo_wave
from survey.errors import BadInput
from survey.extensions import db
from survey.models import AdminCount, Response, ServiceCentre, ServiceField, Wave, WaveStatus
from survey.publishing import latest_version
from survey.weights.quarters import QUARTER

demo_group = AppGroup("demo", help="Synthetic demo data for trying the analysis and for benchmarks.")
MAX_COUNT = 5_000_000


def _quarter_bounds(code: str) -> tuple[dt.date, dt.date]:
    year, q = int(code[:4]), int(code[5])
    start = dt.date(year, 3 * q - 2, 1)
    end = (dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)) - dt.timedelta(days=1)
    return start, end


def _demo_wave(session, code: str) -> tuple[Wave, bool]:
    wave = session.scalar(select(Wave).where(Wave.code == code))
    if wave is not None:
        if not wave.is_demo:
            stored = session.scalar(select(func.count()).select_from(Response).where(Response.wave_id == wave.id))
            if stored:
                raise BadInput(f"--wave: wave {code} is a real wave with {stored} responses; "
                               "demo data go only into a demo wave or an empty one")
            wave.is_demo = True
        return wave, False
    if not QUARTER.match(code):
        raise BadInput(f"--wave: a new demo wave needs a quarter code such as 2026Q4, not “{code}”")
    version = latest_version(session, "citizen")
    if version is None:
        raise BadInput("no citizen questionnaire is published; run `flask --app wsgi seed` first")
    opens_on, closes_on = _quarter_bounds(code)
    wave = Wave(code=code, questionnaire_version=version, opens_on=opens_on, closes_on=closes_on,
                status=WaveStatus.CLOSED, is_demo=True)
    session.add(wave)
    session.flush()
    return wave, True


def _demo_counts(session, wave: Wave, seed: int) -> int:
    """Dossiers per centre × field for the wave's quarter: 10–30 per response, plus a few."""
    rng = np.random.default_rng(seed + 1)
    quarter = wave.code if QUARTER.match(wave.code) else None
    if quarter is None:
        raise BadInput(f"--with-counts: wave {wave.code} is not named by a quarter")
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


@demo_group.command("responses")
@click.option("--wave", "wave_code", required=True, help="Demo wave code, e.g. 2026Q4 (made if missing).")
@click.option("--count", type=int, required=True, help="How many responses to add.")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed, for the same data again.")
@click.option("--with-counts", is_flag=True, help="Also write dossier counts for the quarter (replacing it).")
def demo_responses_command(wave_code: str, count: int, seed: int, with_counts: bool) -> None:
    """Fill a demo wave with synthetic responses (refuses a wave with real responses)."""
    if not 1 <= count <= MAX_COUNT:
        raise BadInput(f"--count: {count} is not between 1 and {MAX_COUNT:,}")
    session = db.session
    started = time.perf_counter()
    wave, created = _demo_wave(session, wave_code)
    try:
        result = fill_demo_wave(session, wave, count, seed, current_app.config["TIMEZONE"])
    except DemoError as exc:
        session.rollback()
        raise BadInput(str(exc)) from None
    counts = _demo_counts(session, wave, seed) if with_counts else 0
    session.commit()
    flags = ", ".join(f"{k} {v}" for k, v in sorted(result.flag_counts.items())) or "none"
    click.echo(f"{'Made' if created else 'Filled'} demo wave {wave.code}: {result.responses} responses, "
               f"{result.answers} answers in {time.perf_counter() - started:.1f} s. Flags: {flags}.")
    if with_counts:
        click.echo(f"Dossier counts for {wave.code}: {counts} cells (centre × field).")


COMMANDS = (demo_group,)

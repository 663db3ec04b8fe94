"""Builders for test data: places, a published questionnaire, an open wave, responses."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import uuid
from pathlib import Path

from sqlalchemy.orm import Session

from survey.frame import compact as compact_scores
from survey.models import (
    Answer,
    Channel,
    Locality,
    QuestionnaireVersion,
    Response,
    ServiceCentre,
    ServiceField,
    User,
    UserRole,
    Wave,
    WaveStatus,
)
from survey.passwords import hash_password
from survey.publishing import publish
from survey.questionnaire import QuestionnaireDefinition, load_questionnaire

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SIPAS_FILE = PROJECT_ROOT / "questionnaires" / "sipas-2026.yaml"
LEADERS_FILE = PROJECT_ROOT / "questionnaires" / "par-leaders-2026.yaml"


def make_locality(session: Session, code: str = "24001", name: str = "Xã Thử Nghiệm") -> Locality:
    locality = Locality(code=code, name=name, kind="xa")
    session.add(locality)
    session.flush()
    return locality


def make_centre(session: Session, locality: Locality | None = None, code: str | None = None) -> ServiceCentre:
    locality = locality or make_locality(session)
    centre = ServiceCentre(
        code=code or locality.code, name=f"Trung tâm {locality.name}", locality=locality
    )
    session.add(centre)
    session.flush()
    return centre


def make_field(session: Session, code: str = "ho_tich", name: str = "Hộ tịch") -> ServiceField:
    field = ServiceField(code=code, name=name)
    session.add(field)
    session.flush()
    return field


def make_version(session: Session, path: Path = SIPAS_FILE) -> QuestionnaireVersion:
    version, _ = publish(session, shipped_questionnaire(path))
    return version


@functools.cache
def shipped_questionnaire(path: Path) -> QuestionnaireDefinition:
    """A shipped questionnaire file, read once per test process (most tests open a wave of it,
    and reading and checking the file costs milliseconds each time)."""
    return load_questionnaire(path)


def make_wave(
    session: Session,
    version: QuestionnaireVersion | None = None,
    code: str = "2026Q3",
    status: str = WaveStatus.OPEN,
    opens_on: dt.date = dt.date(2026, 1, 1),
    closes_on: dt.date = dt.date(2030, 12, 31),
) -> Wave:
    wave = Wave(
        code=code,
        questionnaire_version=version or make_version(session),
        opens_on=opens_on,
        closes_on=closes_on,
        status=status,
    )
    session.add(wave)
    session.flush()
    return wave


def make_response(
    session: Session,
    wave: Wave,
    centre: ServiceCentre | None,
    answers: dict[str, str],
    field: ServiceField | None = None,
    channel: str = Channel.DESK,
    flags: list[str] | None = None,
    submitted_at: dt.datetime | None = None,
    compact: bool = True,
) -> Response:
    """A stored response; `compact=False` leaves out the compact scores and opinions, as rows
    stored before they existed (survey.frame then reads the answer table)."""
    now = submitted_at or dt.datetime.now(dt.timezone.utc)
    response = Response(
        id=uuid.uuid4(),
        wave=wave,
        centre=centre,
        field=field,
        channel=channel,
        started_at=now - dt.timedelta(minutes=4),
        submitted_at=now,
        duration_seconds=240,
        quality_flags=flags or [],
    )
    for code, value in answers.items():
        score = int(value) if value.isdigit() and 1 <= int(value) <= 5 else None
        response.answers.append(Answer(item_code=code, value=value, score=score))
    if compact:
        codes = compact_scores.likert_codes_of(wave.questionnaire_version.definition)
        response.scores = compact_scores.encode({a.item_code: a.score for a in response.answers}, codes)
        response.opinions = compact_scores.Opinions.of_definition(wave.questionnaire_version.definition).encode(
            {a.item_code: a.value for a in response.answers})
    session.add(response)
    session.flush()
    return response


DEFAULT_PASSWORD = "mat-khau-thu-nghiem-42"


def make_user(
    session: Session,
    username: str = "admin",
    role: str = UserRole.ADMIN,
    locality: Locality | None = None,
    password: str = DEFAULT_PASSWORD,
) -> User:
    user = User(username=username, password_hash=hash_password(password), role=role, locality=locality)
    session.add(user)
    session.flush()
    return user


def login(client, user: User | str, password: str = DEFAULT_PASSWORD):
    """Sign in through the real login form; returns the login response."""
    username = user if isinstance(user, str) else user.username
    return client.post("/auth/login", data={"username": username, "password": password})


def make_leader_wave(session: Session, code: str = "PAR-2026Q3", **options) -> Wave:
    """An open wave of the shipped PAR leaders' questionnaire."""
    return make_wave(session, make_version(session, LEADERS_FILE), code=code, **options)


def make_invitations(session: Session, wave: Wave, groups: dict[str, int]) -> list[str]:
    """Invite ``count`` leaders of each group and return their links' tokens, in clear."""
    from survey.leaders.tokens import hash_token, new_token
    from survey.models import LeaderInvitation

    tokens = []
    for group, count in groups.items():
        for number in range(count):
            token = new_token()
            session.add(LeaderInvitation(
                wave_id=wave.id, group_code=group, unit=f"Đơn vị {number % 3 + 1}",
                full_name=f"Người {group} {number}", token_hash=hash_token(token),
                invited_on=dt.date(2026, 7, 1)))
            tokens.append(token)
    session.flush()
    return tokens


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn_server(**settings: str):
    """The app under gunicorn with the project's gunicorn.conf.py, as deployed: ``(process, base URL)``.

    ``settings`` are SURVEY_* variables without the prefix (``DATABASE_URL=…``); none of the test
    run's own FLASK_/SURVEY_ variables leak in. One worker; waits until the port answers.
    """
    import os
    import socket
    import subprocess
    import sys
    import time

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "SURVEY_"))}
    env.update(SURVEY_SECRET_KEY="test-only", SURVEY_BIND=f"127.0.0.1:{port}", SURVEY_WORKERS="1",
               SURVEY_ACCESS_LOG="", SURVEY_STARTUP_CHECK="0")
    env.update({f"SURVEY_{name}": value for name, value in settings.items()})
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
                              cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()
                time.sleep(0.2)
        yield server, f"http://127.0.0.1:{port}"
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=30)
        server.stderr.close()


def checks_meet_before_storing(monkeypatch, parties: int = 2, timeout: float = 20) -> None:
    """Hold every request storing a response until `parties` of them have passed their checks
    (at `store.quality_flags`, just before the insert): two sends of one submission then race
    for the insert itself, the case the unique constraint must settle."""
    import threading

    from survey.respond import store

    met = threading.Barrier(parties, timeout=timeout)
    original = store.quality_flags

    def flags_after_all_checked(*args, **kwargs):
        met.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(store, "quality_flags", flags_after_all_checked)

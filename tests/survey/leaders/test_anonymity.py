"""The leaders' anonymity, played as the attacker of docs/security.md ("The leaders' survey").

The attacker holds the whole database (every table, PostgreSQL's row versions and transaction
ids, SQLite's rowids and WAL file), the access log, the roster and every admin page, read as
often as they like. Each test below plays one of issue 22's attacks and finds nothing finer
than a block of five leaders of one group. The database is the one `alembic upgrade head`
builds (tests/conftest.py), SQLite and, with SURVEY_TEST_DATABASE_URL, PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import Date, DateTime, Time, inspect, select, text

from survey.extensions import db
from survey.leaders.mix import BLOCK
from survey.leaders.sealing import open_draft
from survey.leaders.tokens import hash_token
from survey.models import LeaderInvitation, Wave
from tests.factories import make_invitations
from tests.survey.leaders.conftest import LEADERS, close, device_of, page_answers, page_of, post, start

RESPONSE, INVITATION, DRAFT, SEALED = "leader_response", "leader_invitation", "leader_draft", "leader_sealed"
ANSWER = "answer"
ALLOWED_RESPONSE_COLUMNS = {"id", "wave_id", "group_code", "unit_type"}
"""Group, unit type and wave: everything a stored leader response may carry besides its answers."""
ALLOWED_ANSWER_COLUMNS = {"id", "response_id", "leader_response_id", "item_code", "value", "score"}
"""The one answer table: a citizen's or a leader's answer, its item, value and score."""
GRADED = [item.code for item in LEADERS.graded_items]
SECRET_NOTE = "Ghi chú riêng ZQX-4417"


def _schema():
    with db.engine.connect() as connection:
        inspector = inspect(connection)
        return {table: (inspector.get_columns(table), inspector.get_foreign_keys(table))
                for table in inspector.get_table_names()}


def _sheet(number: int) -> dict[str, str]:
    """A sheet that names its leader: ``number`` written in base 4 over the first criteria."""
    digits, sheet = number, {}
    for code in GRADED:
        sheet[code] = "abcd"[digits % 4]
        digits //= 4
    return sheet


def _who(answers: dict) -> int:
    return sum("abcd".index(answers[code]) * 4 ** i for i, code in enumerate(GRADED))


def _answer(client, token: str, sheet: dict[str, str], note: str | None = None):
    """Answer every page from ``sheet`` and submit, as the leader of ``token``."""
    start(client, token)
    last = len(LEADERS.pages) - 1
    for number, page in enumerate(LEADERS.pages):
        answers = {item.code: sheet[item.code] for item in page.items if item.code in sheet}
        if number == last and note:
            answers["other_comments"] = note
        post(client, token, page=number, action="submit" if number == last else "next", **answers)


def _physical(session, table: str, columns: str) -> list[tuple]:
    """The rows of ``table`` in their physical order (ctid; rowid), each with its xmin ('' on SQLite)."""
    if session.bind.dialect.name == "postgresql":
        return [tuple(row) for row in session.execute(text(
            f"SELECT xmin::text, {columns} FROM {table} "  # noqa: S608 (fixed names)
            "ORDER BY (ctid::text::point)[0], (ctid::text::point)[1]"))]
    return [tuple(row) for row in session.execute(text(f"SELECT '', {columns} FROM {table} ORDER BY rowid"))]  # noqa: S608


def _responses(session) -> list[tuple[str, dict]]:
    """Every response in its physical order, with the attacker's position key, and its answers
    read from its answer rows."""
    answers = _by_response(session)
    return [(xmin, answers.get(str(key), {})) for xmin, key in _physical(session, RESPONSE, "id")]


def _by_response(session) -> dict[str, dict[str, str]]:
    """Each leader response's answers (by its id as text), from the answer rows."""
    answers: dict = {}
    for _, owner, code, value in _physical(session, ANSWER, "leader_response_id, item_code, value"):
        if owner is not None:
            answers.setdefault(str(owner), {})[code] = value
    return answers


def _answer_rows(session) -> tuple[list[int], set[str]]:
    """The leaders whose answers the answer table holds, in the order of the rows' ids (each
    leader once), and the rows' xmins (PostgreSQL; '' on SQLite)."""
    who = {key: _who(sheet) for key, sheet in _by_response(session).items()}
    rows = sorted((row for row in _physical(session, ANSWER, "id, leader_response_id") if row[2] is not None),
                  key=lambda row: row[1])
    return list(dict.fromkeys(who[str(owner)] for _, _, owner in rows)), {xmin for xmin, _, _ in rows}


def _completed(session) -> set[int]:
    return set(session.scalars(text("SELECT id FROM leader_invitation WHERE completed")))


# Attack 1: the date join.

def test_no_leader_table_keeps_a_day_or_a_time(app):
    """The join on (wave, group, day) needs a day on both sides; only the roster's import day is left."""
    schema = _schema()
    dated = {table: [c["name"] for c in schema[table][0] if isinstance(c["type"], (Date, DateTime, Time))]
             for table in (RESPONSE, INVITATION, DRAFT, SEALED, ANSWER)}
    assert dated == {RESPONSE: [], INVITATION: ["invited_on"], DRAFT: [], SEALED: [], ANSWER: []}
    columns, foreign_keys = schema[RESPONSE]
    assert {column["name"] for column in columns} == ALLOWED_RESPONSE_COLUMNS
    assert [(fk["constrained_columns"], fk["referred_table"]) for fk in foreign_keys] == [(["wave_id"], "wave")]
    # A leader's answers are rows of the one answer table, which refers to nothing else of theirs.
    columns, foreign_keys = schema[ANSWER]
    assert {column["name"] for column in columns} == ALLOWED_ANSWER_COLUMNS
    assert sorted((fk["constrained_columns"], fk["referred_table"]) for fk in foreign_keys) == [
        (["leader_response_id"], RESPONSE), (["response_id"], "response")]
    for table, (_columns, keys) in schema.items():
        referred = {fk["referred_table"] for fk in keys}
        assert table == ANSWER or RESPONSE not in referred, f"{table} refers to {RESPONSE}"
        assert SEALED not in referred, f"{table} refers to {SEALED}"
    assert {c["name"] for c in schema[SEALED][0]} == {"id", "wave_id", "marker", "box"}


def test_leaders_answering_on_different_days_leave_no_day_to_join(client, db_session, leader_wave):
    """Five leaders of one group answer on five different days; the attacker joins on every
    day-valued column of the responses and the invitations, and on every date written anywhere
    in a response, a sealed sheet or an invitation."""
    tokens = make_invitations(db_session, leader_wave, {"lanh_dao_xa": BLOCK})
    db_session.commit()
    days = [dt.date(2026, 7, 6) + dt.timedelta(days=3 * i) for i in range(BLOCK)]
    for number, (token, day) in enumerate(zip(tokens, days, strict=True)):
        with time_machine.travel(dt.datetime(day.year, day.month, day.day, 9, 30), tick=False):
            _answer(client, token, _sheet(number))
    close(db_session, leader_wave)
    _settle(db_session, leader_wave)
    assert len(_responses(db_session)) == BLOCK
    raw = " ".join(_as_stored(db_session, table) for table in (RESPONSE, INVITATION, SEALED, ANSWER))
    for day in days:
        for written in (day.isoformat(), day.strftime("%d/%m/%Y"), day.strftime("%Y%m%d")):
            assert written not in raw, written
    assert "2026-07-01" in raw  # the control: the roster's import day is there, the same for all


def _as_stored(session, table: str) -> str:
    """Every row of ``table`` as the database writes it in text (a day as 2026-07-06)."""
    if session.bind.dialect.name == "postgresql":
        rows = session.scalars(text(f"SELECT CAST(t AS text) FROM {table} AS t"))  # noqa: S608 (fixed names)
    else:
        rows = (" ".join(map(str, row)) for row in session.execute(text(f"SELECT * FROM {table}")))  # noqa: S608
    return " ".join(rows)


def _settle(db_session, wave) -> None:
    from survey.clock import local_today
    from survey.leaders.store import settle

    settle(db_session, db_session.get(Wave, wave.id), local_today())


# Attack 2: access log and row order (rowid on SQLite; ctid and xmin on PostgreSQL).

def test_arrival_order_and_row_order_pair_no_leader_with_a_response(client, db_session, leader_wave):
    """Ten leaders of one group answer one after the other, and the attacker knows that order
    (as an unredacted access log would give it, with each token's hash naming its leader). After
    every completion the attacker snapshots the database: which invitations are completed,
    which responses exist, in which physical order and (PostgreSQL) under which transaction id.

    Each response first appears together with at least five newly completed invitations of its
    group; on PostgreSQL the invitations that share a response's xmin are that same block; and
    pairing arrival with physical order does not recover the ten leaders."""
    tokens = make_invitations(db_session, leader_wave, {"lanh_dao_so": 2 * BLOCK})
    db_session.commit()
    ids = {hash_token(t): i for i, t in enumerate(tokens)}
    by_hash = {row.token_hash: row.id for row in db_session.scalars(select(LeaderInvitation))}
    leader_of_invitation = {by_hash[h]: number for h, number in ids.items()}
    seen_responses, seen_completed, candidates = 0, set(), []
    for number, token in enumerate(tokens):
        _answer(client, token, _sheet(number))
        db_session.expire_all()
        now_completed, responses = _completed(db_session), _responses(db_session)
        new = now_completed - seen_completed
        if len(responses) > seen_responses:
            candidates.append((len(responses) - seen_responses, {leader_of_invitation[i] for i in new}))
        else:
            assert not new  # no invitation turns completed without its block
        seen_responses, seen_completed = len(responses), now_completed
    close(db_session, leader_wave)
    _settle(db_session, leader_wave)
    db_session.expire_all()
    responses = _responses(db_session)
    candidates.append((len(responses) - seen_responses,
                       {leader_of_invitation[i] for i in _completed(db_session) - seen_completed}))
    assert len(responses) == 2 * BLOCK
    for released, block in candidates:
        assert released >= BLOCK and len(block) == released, candidates
    arrival = list(range(2 * BLOCK))
    physical = [_who(answers) for _, answers in responses]
    assert sorted(physical) == arrival
    linked = sum(a == p for a, p in zip(arrival, physical, strict=True))
    assert linked < 2 * BLOCK, "row order repeats the order of arrival"
    # The answer rows: their ids are drawn block by block in the mixer's order, the responses'.
    answer_order, answer_xmins = _answer_rows(db_session)
    assert sorted(answer_order) == arrival and answer_order != arrival
    if db_session.bind.dialect.name == "postgresql":
        assert answer_xmins == {x for x, _ in responses}
        invitation_xmin = dict(db_session.execute(text("SELECT id, xmin::text FROM leader_invitation")).all())
        for xmin in {x for x, _ in responses}:
            sharing = [i for i, x in invitation_xmin.items() if x == xmin]
            assert len(sharing) >= BLOCK, (xmin, sharing)


# Attack 3: answers in progress, from the tables, from SQLite's WAL file, from PostgreSQL's
# old row versions and WAL.

def _draft_in_progress(client, token: str, note: str = SECRET_NOTE) -> None:
    """A leader answers every page, writes a note on the last one and goes back: a draft."""
    start(client, token)
    last = len(LEADERS.pages) - 1
    for number in range(last):
        post(client, token, page=number, action="next", **page_answers(number, "c"))
    post(client, token, page=last, action="back", other_comments=note, **page_answers(last, "c"))


def test_a_draft_joined_to_its_invitation_shows_no_answer(client, db_session, leader_wave, tokens):
    """The attacker joins drafts to the roster and tries every key they could hold: the token's
    hash (the database), another link, and the link itself (the admin who printed the letters),
    directly and through the form."""
    _draft_in_progress(client, tokens[0])
    rows = db_session.execute(text(
        "SELECT i.full_name, i.token_hash, d.invitation_id, d.box FROM leader_draft d "
        "JOIN leader_invitation i ON i.id = d.invitation_id")).all()
    assert len(rows) == 1
    name, token_hash, invitation_id, box = rows[0]
    box = bytes(box)
    assert b"ZQX" not in box and b"cd1" not in box and b'"c"' not in box
    # the attacker's best key material is the token's hash: it opens nothing
    assert open_draft(token_hash, invitation_id, box) is None
    assert open_draft(tokens[1], invitation_id, box) is None
    assert open_draft(tokens[0], invitation_id, box) is None
    letters_holder = client.application.test_client()
    html = start(letters_holder, tokens[0]).get_data(as_text=True)
    assert page_of(html) == 0 and "checked" not in html and "ZQX" not in html
    own = open_draft(f"{tokens[0]}.{device_of(client)}", invitation_id, box)  # the leader's browser
    assert own[1]["other_comments"] == SECRET_NOTE


def test_postgresql_row_versions_and_wal_hold_no_draft_or_sheet(client, db_session, leader_wave, tokens):
    """PostgreSQL keeps a draft's old versions in the heap until VACUUM, and every change in the
    WAL. The attacker reads both as a superuser: pageinspect's raw pages of the leaders' tables,
    and the WAL segments written during the test (pg_read_binary_file). The roster's names are
    found there (the control); the leader's note and sheet are not. SQLite has its own test below.
    The note carries a marker of this test's own: the WAL is the whole cluster's, and a test on
    another worker's database may legitimately release a sheet with the shared note meanwhile."""
    if db_session.bind.dialect.name != "postgresql":
        assert db_session.bind.dialect.name == "sqlite"
        return  # covered by test_sqlite_file_and_wal_hold_no_draft_or_sheet
    db_session.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
    start_lsn = db_session.scalar(text("SELECT pg_current_wal_insert_lsn()::text"))
    marker = secrets.token_hex(8).upper().encode()
    note = f"Ghi chú riêng {marker.decode()}"
    _draft_in_progress(client, tokens[0], note)
    post(client, tokens[0], page=len(LEADERS.pages) - 1, action="submit",
         other_comments=note, **page_answers(len(LEADERS.pages) - 1, "c"))
    pages = b""
    for table in (DRAFT, SEALED, INVITATION):
        blocks = db_session.scalar(text(f"SELECT pg_relation_size('{table}') / current_setting('block_size')::int"))
        for block in range(blocks):
            pages += bytes(db_session.scalar(text(f"SELECT get_raw_page('{table}', {block})")))
    assert "Người lanh_dao_so 0".encode() in pages  # the control: plaintext is readable this way
    assert marker not in pages
    wal = _wal_since(db_session, start_lsn)
    assert "Người lanh_dao_so 0".encode() in wal
    assert marker not in wal


def _wal_since(session, start_lsn: str) -> bytes:
    """The WAL segments from ``start_lsn`` to now, flushed, as a superuser reads them."""
    from sqlalchemy import create_engine

    # a committed transaction elsewhere flushes the WAL up to its commit, past this test's writes
    other = create_engine(session.bind.engine.url, isolation_level="AUTOCOMMIT")
    try:
        with other.connect() as connection:
            connection.execute(text("SELECT pg_logical_emit_message(true, 'test', 'flush')"))
    finally:
        other.dispose()
    # every segment from the start to now: other tests may have filled several meanwhile
    names = session.scalars(text(
        "SELECT DISTINCT pg_walfile_name(LEAST(CAST(:start AS pg_lsn) + step * s.size, "
        "pg_current_wal_insert_lsn())) AS name "
        "FROM (SELECT setting::numeric AS size FROM pg_settings WHERE name = 'wal_segment_size') s, "
        "generate_series(0, ceil(pg_wal_lsn_diff(pg_current_wal_insert_lsn(), CAST(:start AS pg_lsn)) "
        "/ s.size)::int) AS step ORDER BY name"),
        {"start": start_lsn}).all()
    return b"".join(bytes(session.scalar(text("SELECT pg_read_binary_file('pg_wal/' || :name)"),
                                         {"name": name})) for name in names)


# Attack 4: differencing the scores and the progress page across one completion.

def test_scores_and_progress_change_only_by_blocks_of_five(app, client, auth, db_session, leader_wave, tmp_path):
    """Twelve leaders of one group answer one at a time; after each, the attacker builds the
    wave's report, downloads its JSON and reads the progress page. Between two looks either no
    figure moved, or at least five responses and five names moved together. (The count of
    sheets waiting in the mix moves by one, as on the progress page: it names no one.)"""
    app.config.update(REPORTS_DIR=str(tmp_path / "reports"), JOBS_URL="immediate://")
    tokens = make_invitations(db_session, leader_wave, {"lanh_dao_xa": 12})
    db_session.commit()
    names = [row.full_name for row in db_session.scalars(select(LeaderInvitation))]
    auth("admin")
    url = f"/admin/leaders/{leader_wave.code}"

    def look():
        assert client.post(f"/admin/reports/{leader_wave.code}/build").status_code == 303
        score = json.loads(client.get(f"/admin/reports/{leader_wave.code}/report.json").data)
        for when in ("built_at", "held"):
            score.pop(when)
        progress = client.get(f"{url}/progress").get_data(as_text=True)
        waiting = progress.split("Chưa ghi nhận phiếu", 1)[1]
        return score, {name for name in names if name + "<" in waiting}

    before = look()
    changes = []
    for number, token in enumerate(tokens):
        _answer(client, token, _sheet(number))
        after = look()
        moved = before[0]["total"]["n"] != after[0]["total"]["n"] or before[1] != after[1]
        if moved:
            changes.append((after[0]["total"]["n"] - before[0]["total"]["n"], len(before[1] - after[1])))
        else:
            assert after[0] == before[0], f"the score moved after leader {number} without a block"
        before = after
    assert changes and all(responses >= BLOCK and names == responses for responses, names in changes)
    assert before[0]["total"]["n"] < 12  # five wait in the mix until the wave closes


# Attack 5: link-preview bots, and old letters that tell whether their leader answered.

PREVIEW_BOTS = ("Zalo", "facebookexternalhit/1.1", "TelegramBot (like TwitterBot)",
                "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0)")


def test_a_preview_bot_opening_the_link_marks_nothing(client, db_session, tokens):
    def state():
        db_session.expire_all()
        return (db_session.execute(text("SELECT id, opened, completed, token_hash FROM leader_invitation "
                                        "ORDER BY id")).all(),
                db_session.execute(text("SELECT count(*) FROM leader_draft")).scalar())

    before = state()
    for agent in PREVIEW_BOTS:
        for method in (client.get, client.head):
            response = method(f"/l/{tokens[0]}", headers={"User-Agent": agent})
            assert response.status_code == 200
    assert state() == before
    assert not any(opened for _, opened, _, _ in before[0])


def test_used_unknown_and_replaced_links_answer_alike(client, db_session, leader_wave, tokens):
    """The landing page and the "Bắt đầu" post answer the same page, the same status and the
    same database statements for a sent link (released in a block, or still waiting in the mix),
    an unknown one and a replaced one."""
    from sqlalchemy import event

    group = make_invitations(db_session, leader_wave, {"truong_phong": 2 * BLOCK})
    db_session.commit()
    for number, token in enumerate(group):
        _answer(client, token, _sheet(number))  # the tenth releases a block of five
    db_session.expire_all()
    completed = {row.token_hash for row in db_session.scalars(select(LeaderInvitation))
                 if row.completed}
    released = next(t for t in group if hash_token(t) in completed)
    waiting = next(t for t in group if hash_token(t) not in completed)
    replaced = tokens[1]
    db_session.scalar(select(LeaderInvitation).where(
        LeaderInvitation.token_hash == hash_token(replaced))).token_hash = hash_token("n" * 22)
    db_session.commit()
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    answers = {}
    for name, token in (("released", released), ("waiting", waiting), ("unknown", "u" * 22),
                        ("replaced", replaced)):
        landing = client.get(f"/l/{token}")
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            statements.clear()
            started = start(client, token)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        answers[name] = (landing.status_code, landing.get_data(as_text=True).replace(token, "T"),
                         started.status_code, started.get_data(as_text=True), list(statements))
    assert answers["released"] == answers["waiting"] == answers["unknown"] == answers["replaced"]


def test_the_links_are_rate_limited_per_address(client, app, tokens):
    app.config["RATE_LIMIT_LEADER_LINKS"] = "5 per hour"
    statuses = [client.post("/l/", data={"token": "g" * 22, "action": "start"}).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    assert client.get(f"/l/{tokens[0]}").status_code == 429


@pytest.mark.commits
def test_sqlite_file_and_wal_hold_no_draft_or_sheet(client, db_session, leader_wave, tokens):
    """The attacker copies the SQLite database file and its WAL while a leader has a draft, and
    again after the leader submits. Names of the roster are there in the clear (the control);
    the leader's note never is, and after the submit not even the draft's ciphertext is left:
    secure_delete zeroed it and the checkpoint truncated the WAL."""
    if db.engine.dialect.name != "sqlite":
        assert db.engine.dialect.name == "postgresql"
        return  # covered by test_postgresql_row_versions_and_wal_hold_no_draft_or_sheet
    path = Path(db.engine.url.database)
    wal = path.with_name(path.name + "-wal")

    def files() -> bytes:
        return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")

    _draft_in_progress(client, tokens[0])
    copied = files()
    assert "Người lanh_dao_so 0".encode() in copied  # the control
    assert b"ZQX" not in copied
    box = bytes(db_session.scalar(text("SELECT box FROM leader_draft")))
    assert box in copied
    last = len(LEADERS.pages) - 1
    post(client, tokens[0], page=last, action="submit", other_comments=SECRET_NOTE, **page_answers(last, "c"))
    copied = files()
    assert b"ZQX" not in copied and box not in copied
    assert not wal.exists() or wal.stat().st_size == 0


def test_a_block_is_written_in_the_mixers_order_not_the_order_of_arrival(client, db_session, leader_wave,
                                                                         monkeypatch):
    """The row order of a block is the shuffler's: with a stand-in that orders the sheets by
    leader, last first, the physical order (rowid; ctid) is that one, and so is the order of
    the ids of the block's answer rows. In production the
    shuffler is SystemRandom, so the order within a block is a uniformly random permutation,
    independent of arrival."""
    import survey.leaders.mix as mix

    class LastFirst:
        def shuffle(self, items):
            items.sort(key=lambda item: -_who(item[1]["answers"]))

        def sample(self, items, k):
            return list(items)[:k]

    monkeypatch.setattr(mix, "_shuffle", LastFirst())
    tokens = make_invitations(db_session, leader_wave, {"truong_phong": BLOCK})
    db_session.commit()
    for number, token in enumerate(tokens):
        _answer(client, token, _sheet(number))
    close(db_session, leader_wave)
    _settle(db_session, leader_wave)
    physical = [_who(answers) for _, answers in _responses(db_session)]
    assert physical == list(range(BLOCK))[::-1]
    assert _answer_rows(db_session)[0] == list(range(BLOCK))[::-1]  # the answers' ids: the same order

"""The live monitor: responses today and this wave per centre, against each centre's target.

Short locality names come first; the total for everything in the user's scope sits at the top;
every column sorts; the list filters by locality kind, "behind target", flag and name, and pages.
Targets come from the previous quarter's dossier counts (see `survey.admin.targets`). A chart
of responses per day is drawn on the server as SVG: no third-party script.

Officers see the counts live, but quality flags only up to the end of yesterday and only for
a centre with at least MIN_CELL responses by then, so a flag cannot be pinned on the citizen
who has just left the desk (`survey.privacy.aggregates`). A hidden cell's flags are dropped
before sorting and filtering, so neither can reveal them.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from flask import current_app, render_template, request
from sqlalchemy import select

from survey import labels
from survey.admin import bp, staff
from survey.admin.paging import PAGE_SIZE, ListPage, requested_page
from survey.admin.targets import Target, centre_targets, expected_by
from survey.auth.scope import roles_required, sees_rows, visible_centres
from survey.clock import local_now
from survey.enums import QuestionnaireKind
from survey.extensions import db
from survey.models import (
    Questionnaire,
    QuestionnaireVersion,
    Response,
    ServiceCentre,
    UserRole,
    Wave,
    WaveStatus,
)
from survey.privacy import MIN_CELL
from survey.privacy.aggregates import suppressed
from survey.quarters import previous_quarter
from survey.questionnaire.versions import questionnaire_of
from survey.reports.live import index_so_far

REFRESH_SECONDS = 60
PROVINCE = "province"
SORT_KEYS = {
    "name": lambda r: _name_key(r.short_name),
    "kind": lambda r: r.kind,
    "today": lambda r: r.today,
    "wave": lambda r: r.wave,
    "target": lambda r: r.target,
    "expected": lambda r: r.expected,
    "percent": lambda r: r.percent,
    "flagged": lambda r: r.flagged,
}
DESCENDING_FIRST = {"today", "wave", "target", "expected", "percent", "flagged"}


def _folded(text: str) -> str:
    """Lower case without diacritics, so "hoa phu" finds "Hòa Phú" and sorting is stable."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _name_key(name: str) -> str:
    """Sort key of a locality name without its kind word: "Xã Buôn Đôn" sorts as "buon don"."""
    kind_word, _, rest = name.partition(" ")
    return _folded(rest if kind_word in ("Xã", "Phường") and rest else name)


def short_name(centre: ServiceCentre) -> str:
    """The locality's name ("Xã Hòa Phú") or, for the provincial centre, "Cấp tỉnh"."""
    return centre.locality.name if centre.locality else "Cấp tỉnh"


@dataclass
class CentreProgress:
    centre: ServiceCentre | None
    short_name: str = ""
    kind: str = PROVINCE
    today: int = 0
    wave: int = 0
    flagged: int = 0
    flags: Counter = field(default_factory=Counter)
    target: int = 0
    expected: int = 0
    from_counts: bool = False
    flags_base: int = 0
    """Responses whose flags are counted (officers: those sent before today)."""
    flags_hidden: bool = False

    def hide_flags(self) -> None:
        """Drop the flags of a cell too small to show (fewer than MIN_CELL responses)."""
        self.flags_hidden, self.flagged, self.flags = True, 0, Counter()

    @property
    def behind(self) -> bool:
        return self.wave < self.expected

    @property
    def percent(self) -> int:
        """Responses so far as a percentage of the wave's target (0 when there is no target)."""
        return round(100 * self.wave / self.target) if self.target else 0


def _of_kind(query, kind: QuestionnaireKind | None):
    """`query` of waves narrowed to those of questionnaires of `kind` (all waves when None)."""
    if kind is None:
        return query
    return query.join(QuestionnaireVersion).join(Questionnaire).where(Questionnaire.kind == kind)


def current_wave(session, today: dt.date, kind: QuestionnaireKind | None = None) -> Wave | None:
    """The open wave covering today, else the latest real wave, else the latest demo wave
    (of questionnaires of `kind` only, when given)."""
    open_wave = session.scalar(_of_kind(
        select(Wave).where(Wave.status == WaveStatus.OPEN, Wave.opens_on <= today, Wave.closes_on >= today),
        kind).order_by(Wave.opens_on.desc()).limit(1))
    return open_wave or session.scalar(
        _of_kind(select(Wave), kind).order_by(Wave.is_demo, Wave.opens_on.desc()).limit(1))


def citizen_waves(session) -> list[Wave]:
    """The waves the monitor offers, newest first: the citizens' only, since its targets come
    from the desks' dossier counts and mean nothing for the leaders' (PAR) survey."""
    return list(session.scalars(
        _of_kind(select(Wave), QuestionnaireKind.CITIZEN).order_by(Wave.opens_on.desc())))


def centre_progress(session, centres: list[ServiceCentre], wave: Wave | None, today_start: dt.datetime,
                    targets: dict[int, Target], today: dt.date, flags_before: dt.datetime | None = None,
                    ) -> tuple[list[CentreProgress], Counter]:
    """Counts per centre for the wave, with today's, the flags (of responses sent before
    `flags_before` only, when given), and responses per local day."""
    progress = {}
    for centre in centres:
        target = targets.get(centre.id, Target(0, None))
        progress[centre.id] = CentreProgress(
            centre, short_name(centre), centre.locality.kind if centre.locality else PROVINCE,
            target=target.responses, from_counts=target.dossiers is not None,
            expected=expected_by(wave, today, target.responses) if wave else 0,
        )
    per_day: Counter = Counter()
    if wave is None or not progress:
        return list(progress.values()), per_day
    zone = today_start.tzinfo
    rows = session.execute(
        select(Response.centre_id, Response.submitted_at, Response.quality_flags)
        .where(Response.wave_id == wave.id, Response.centre_id.in_(list(progress)))
    )
    for centre_id, submitted_at, flags in rows:
        entry = progress[centre_id]
        entry.wave += 1
        moment = submitted_at if submitted_at.tzinfo else submitted_at.replace(tzinfo=dt.timezone.utc)
        entry.today += moment >= today_start
        per_day[moment.astimezone(zone).date()] += 1
        if flags_before is not None and moment >= flags_before:
            continue
        entry.flags_base += 1
        if flags:
            entry.flagged += 1
            entry.flags.update(flags)
    return list(progress.values()), per_day


def total_of(rows: list[CentreProgress], name: str) -> CentreProgress:
    total = CentreProgress(centre=None, short_name=name)
    for row in rows:
        total.today += row.today
        total.wave += row.wave
        total.flagged += row.flagged
        total.flags.update(row.flags)
        total.flags_base += row.flags_base
        total.target += row.target
        total.expected += row.expected
    return total


@dataclass(frozen=True)
class Filters:
    kind: str = ""
    behind: bool = False
    flag: str = ""
    q: str = ""
    sort: str = "name"
    order: str = "asc"

    @classmethod
    def from_request(cls) -> Filters:
        sort = request.args.get("sort", "name")
        sort = sort if sort in SORT_KEYS else "name"
        default_order = "desc" if sort in DESCENDING_FIRST else "asc"
        order = request.args.get("order", default_order)
        return cls(
            kind=request.args.get("kind", "") if request.args.get("kind") in labels.LABELS["locality_kind"] else "",
            behind=request.args.get("behind") == "1",
            flag=request.args.get("flag", "") if request.args.get("flag") in labels.LABELS["flag"] else "",
            q=request.args.get("q", "").strip()[:100],
            sort=sort,
            order=order if order in ("asc", "desc") else default_order,
        )

    def apply(self, rows: list[CentreProgress]) -> list[CentreProgress]:
        wanted = _folded(self.q)
        kept = [
            r for r in rows
            if (not self.kind or r.kind == self.kind)
            and (not self.behind or r.behind)
            and (not self.flag or r.flags[self.flag])
            and (not wanted or wanted in _folded(r.short_name) or wanted in _folded(r.centre.name))
        ]
        kept.sort(key=lambda r: _name_key(r.short_name))  # ties keep alphabetical order
        return sorted(kept, key=SORT_KEYS[self.sort], reverse=self.order == "desc")

    def args(self, **changes) -> dict:
        values = {"kind": self.kind, "behind": "1" if self.behind else "", "flag": self.flag, "q": self.q,
                  "sort": self.sort, "order": self.order} | changes
        return {k: v for k, v in values.items() if v}


def daily_series(per_day: Counter, wave: Wave, today: dt.date) -> list[tuple[dt.date, int]]:
    """(day, responses) for every day of the wave up to today."""
    last = min(wave.closes_on, max(today, wave.opens_on))
    days = (last - wave.opens_on).days + 1
    return [(wave.opens_on + dt.timedelta(days=n), per_day[wave.opens_on + dt.timedelta(days=n)]) for n in range(days)]


@bp.get("/monitor")
@roles_required(UserRole.ADMIN, UserRole.OFFICER, UserRole.ANALYST)
def monitor():
    """Show each centre's responses today and this citizens' wave against its target, sortable and filterable.

    Auto-refresh is opt-in (`?auto=1`): a page that reloads by itself unasked fails WCAG 2.2.1.
    """
    now = local_now()
    today_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    wave_code = request.args.get("wave")
    waves = citizen_waves(db.session)
    wave = next((w for w in waves if w.code == wave_code), None) or current_wave(
        db.session, now.date(), QuestionnaireKind.CITIZEN)
    centres = visible_centres(db.session, staff(), active_only=True)
    fallback = int(current_app.config["MONITOR_TARGET_PER_CENTRE"])
    rate = float(current_app.config["MONITOR_SAMPLING_RATE"])
    targets = centre_targets(db.session, wave, [c.id for c in centres], rate, fallback) if wave else {}
    user = staff()
    row_level = sees_rows(user)
    rows, per_day = centre_progress(db.session, centres, wave, today_start, targets, now.date(),
                                    flags_before=None if row_level else today_start)
    totals = total_of(rows, "Toàn tỉnh" if user.locality is None else user.locality.name)
    for entry in (*rows, totals):
        if not row_level and suppressed(entry.flags_base):
            entry.hide_flags()
    filters = Filters.from_request()
    shown = filters.apply(rows)
    number = min(requested_page(), max(1, -(-len(shown) // PAGE_SIZE)))
    page = ListPage(shown[(number - 1) * PAGE_SIZE: number * PAGE_SIZE], number, PAGE_SIZE, len(shown),
                filters.args(wave=wave.code if wave else ""))
    series = daily_series(per_day, wave, now.date()) if wave else []
    return render_template(
        "admin/monitor.html", page=page, totals=totals, wave=wave, waves=waves, now=now,
        filters=filters, series=series, peak=max([n for _, n in series] + [1]),
        rate=rate, fallback=fallback, counts_quarter=previous_quarter(wave) if wave else "",
        from_counts=sum(r.from_counts for r in rows), centre_count=len(rows),
        every=REFRESH_SECONDS, refresh=REFRESH_SECONDS if request.args.get("auto") == "1" else None,
        row_level=row_level, min_cell=MIN_CELL,
        live=index_so_far(db.session, wave) if wave and wave.status == WaveStatus.OPEN else None,
        index_label=questionnaire_of(wave).index.root.label.get("vi") if wave else None,
    )

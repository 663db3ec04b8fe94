"""A wave's report built in the background (survey.jobs), one build at a time per wave.

`request` is what the build button calls: under the wave's build lock it either joins the
build already queued or running (a repeated click, or forty) or records a new one and queues
it. `run_build` is the job: it takes the build over, reports each step the build passes
(`report_for_wave`'s ``progress``) into the wave's ``build.json``, keeps the report
(`store.save`) and records the outcome, or the reason in Vietnamese when it fails. The page
/admin/reports/<wave> reads that state (`progress_of`).

A build whose last step is older than `STALLED_AFTER` is taken for dead (the consumer was
killed, or is not running): the page says so and a click starts a new one; should the old
job still run later, it sees that it was replaced and does nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select

from survey import jobs
from survey.clock import to_local
from survey.extensions import db
from survey.models import Wave
from survey.reports import store

JOB = "report_build"
# A step of a million-response build takes seconds; a quarter of an hour without one is a dead build.
STALLED_AFTER = 15 * 60
log = logging.getLogger(__name__)


class BuildStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


ACTIVE = (BuildStatus.QUEUED, BuildStatus.RUNNING)

# The steps `report_for_wave` and `build_report` report, as an official reads them.
STEP_LABELS = {
    "queued": "Đang chờ đến lượt",
    "loading responses": "Đọc các phiếu trả lời của đợt",
    "index": "Tính chỉ số hài lòng toàn tỉnh",
    "localities": "Tính chỉ số theo từng địa phương",
    "sectors": "Tính chỉ số theo từng lĩnh vực",
    "groups": "Tính chỉ số theo nhóm người trả lời, mong muốn và hình thức nộp hồ sơ",
    "opinions": "Tổng hợp ý kiến theo từng câu hỏi",
    "drivers": "Phân tích các yếu tố tác động",
    "trend": "So sánh với các đợt trước",
    "change by locality": "Tính thay đổi của từng địa phương so với đợt trước",
    "small areas": "Ước lượng cho địa bàn ít phiếu",
    "charts": "Vẽ biểu đồ",
    "saving": "Lưu báo cáo",
}
EARLIER_WAVE_STEP = "loading wave "

NO_WAVE = "Không còn đợt khảo sát {wave} trong cơ sở dữ liệu."
NOT_ENOUGH_DATA = ("Dữ liệu của đợt {wave} chưa đủ để tính chỉ số (chi tiết kỹ thuật: {detail}). "
                   "Kiểm tra số phiếu và số hồ sơ đã nhập, rồi lập lại.")
SYSTEM_ERROR = ("Lỗi hệ thống khi lập báo cáo đợt {wave} ({kind}). Chi tiết đã ghi vào nhật ký của "
                "tiến trình chạy nền; báo cho người quản trị kỹ thuật.")
NOT_QUEUED = ("Không gửi được yêu cầu lập báo cáo tới hàng đợi ({detail}). "
              "Báo cho người quản trị kỹ thuật kiểm tra SURVEY_JOBS_URL.")
STALLED = ("Lần lập báo cáo yêu cầu lúc {requested} không có tiến triển từ {updated}: tiến trình chạy "
           "nền có thể đã dừng (python -m survey.jobs). Bấm “Lập lại báo cáo” để thử lại.")


def step_label(step: str) -> str:
    """The Vietnamese name of a build step (an earlier wave's step names the wave)."""
    if step.startswith(EARLIER_WAVE_STEP):
        return f"Đọc đợt {step.removeprefix(EARLIER_WAVE_STEP)} để so sánh"
    return STEP_LABELS.get(step, step)


def is_active(state: dict | None, now: float | None = None) -> bool:
    """Queued or running, and not stalled."""
    return bool(state) and state["status"] in ACTIVE and not is_stalled(state, now)


def is_stalled(state: dict | None, now: float | None = None) -> bool:
    """Queued or running with no step for `STALLED_AFTER` seconds."""
    now = time.time() if now is None else now
    return bool(state) and state["status"] in ACTIVE and now - state["updated_at"] > STALLED_AFTER


def request(wave_code: str) -> tuple[dict, bool]:
    """Join the wave's build under way, or queue a new one: (its state, whether it is new)."""
    with store.build_lock(wave_code):
        state = store.read_build(wave_code)
        if is_active(state):
            return state, False
        now = time.time()
        state = {"token": uuid.uuid4().hex, "status": BuildStatus.QUEUED, "requested_at": now,
                 "updated_at": now, "steps": [], "error": None}
        store.write_build(wave_code, state)
    try:  # outside the lock: in immediate mode the job runs here and takes the lock itself
        jobs.queue().enqueue(JOB, wave_code, state["token"])
    except Exception as exc:  # the queue's store is down: say so on the page, let a click retry
        log.exception("could not queue the build of %s", wave_code)
        _finish(wave_code, state["token"], BuildStatus.FAILED, NOT_QUEUED.format(detail=type(exc).__name__))
    return store.read_build(wave_code) or state, True


def _update(wave_code: str, token: str, **changes) -> bool:
    """Change the build's state if it is still build `token`; False when another replaced it."""
    with store.build_lock(wave_code):
        state = store.read_build(wave_code)
        if state is None or state["token"] != token:
            return False
        state.update(changes, updated_at=time.time())
        store.write_build(wave_code, state)
        return True


def _finish(wave_code: str, token: str, status: BuildStatus, error: str | None = None) -> None:
    _update(wave_code, token, status=status, error=error, finished_at=time.time())


class Superseded(Exception):
    """A newer build of the wave took over (this one had stalled)."""


def run_build(wave_code: str, token: str) -> None:
    """The job: build the wave's report, keep it, and record how it went."""
    if not _update(wave_code, token, status=BuildStatus.RUNNING, started_at=time.time()):
        log.info("build %s of %s was replaced before it started", token, wave_code)
        return
    steps: list[str] = []

    def progress(step: str) -> None:
        if not step.startswith("loading"):
            # Everything is read: end the read transaction, so SQLite can checkpoint its WAL (and
            # PostgreSQL vacuum) while the estimates and charts take their seconds.
            db.session.rollback()
        steps.append(step)
        if not _update(wave_code, token, steps=list(steps)):
            raise Superseded(wave_code)

    from analysis.design import DesignError  # the statistics load with the build, not with every page

    try:
        wave = db.session.scalar(select(Wave).where(Wave.code == wave_code))
        if wave is None:
            _finish(wave_code, token, BuildStatus.FAILED, NO_WAVE.format(wave=wave_code))
            return
        from survey.reports.kinds import kind_of_wave

        document, charts = kind_of_wave(wave).build(db.session, wave, progress)
        progress("saving")
        store.save(document, charts)
    except Superseded:
        log.info("build %s of %s was replaced by a newer one", token, wave_code)
        return
    except DesignError as exc:
        _finish(wave_code, token, BuildStatus.FAILED, NOT_ENOUGH_DATA.format(wave=wave_code, detail=exc))
        return
    except Exception as exc:
        log.exception("the build of %s failed", wave_code)
        _finish(wave_code, token, BuildStatus.FAILED, SYSTEM_ERROR.format(wave=wave_code, kind=type(exc).__name__))
        return
    _finish(wave_code, token, BuildStatus.DONE)


jobs.register(JOB, run_build, priority=jobs.ON_SCREEN)  # an official waits for it on the page


@dataclass(frozen=True)
class Progress:
    """A wave's latest build as the reports pages show it."""

    status: BuildStatus
    active: bool
    stalled: bool
    current: str
    done_steps: list[str]
    error: str | None
    requested: str
    finished: str | None


def _clock(epoch: float) -> str:
    return to_local(dt.datetime.fromtimestamp(epoch, dt.timezone.utc)).strftime("%H:%M:%S %d/%m/%Y")


def progress_of(state: dict | None, now: float | None = None) -> Progress | None:
    """What the page says about a build state (``None``: no build was asked for)."""
    if not state:
        return None
    stalled = is_stalled(state, now)
    steps = [step_label(s) for s in state["steps"]]
    status = BuildStatus(state["status"])
    current = steps[-1] if steps else step_label("queued" if status == BuildStatus.QUEUED else "loading responses")
    error = state["error"]
    if stalled:
        error = STALLED.format(requested=_clock(state["requested_at"]), updated=_clock(state["updated_at"]))
    finished = state.get("finished_at")
    return Progress(status=status, active=is_active(state, now), stalled=stalled, current=current,
                    done_steps=steps[:-1], error=error, requested=_clock(state["requested_at"]),
                    finished=_clock(finished) if finished else None)

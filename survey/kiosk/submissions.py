"""A questionnaire completed on a kiosk tablet, checked and stored like one from the citizen form.

The tablet sends each completed questionnaire as JSON with the submission id it made (a UUID),
once or many times (a lost acknowledgement, a restart): `survey.respond.store.store_response`
stores a submission id once, so a resend answers "already stored" and stores nothing. Every
field is checked against the wave's questionnaire here, whatever the tablet's script did; a
problem is a `SubmissionError` naming the field in Vietnamese, never a 500.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from survey.clock import local_zone, utcnow
from survey.enums import Channel, ItemType, QuestionnaireKind
from survey.inputs import excerpt, strip_control
from survey.models import ServiceCentre, Wave
from survey.questionnaire import Item, QuestionnaireDefinition
from survey.questionnaire.flow import first_missing_page, mandatory_pages
from survey.questionnaire.form import FREE_TEXT_MAX
from survey.questionnaire.versions import questionnaire_of
from survey.respond.state import FormState

CLOCK_SKEW = dt.timedelta(minutes=10)
"""How far ahead of the server a tablet's clock may run before its times are refused."""
MAX_AGE = dt.timedelta(days=120)
"""The oldest completion accepted: longer than any wave, so a very old queue is not mistaken."""
INTEGER_DEFAULT = (0, 10**6)  # the citizen form's bounds when an item sets none


class SubmissionError(ValueError):
    """A submission that cannot be stored; `field` names the JSON field."""

    def __init__(self, field: str, message: str, status: int = 400):
        super().__init__(message)
        self.field, self.message, self.status = field, message, status


@dataclass(frozen=True)
class KioskSubmission:
    """A checked submission: the form state to store, and when the tablet completed it."""

    state: FormState
    wave: Wave
    questionnaire: QuestionnaireDefinition
    completed_at: dt.datetime


def _moment(payload: dict, name: str) -> dt.datetime:
    raw = payload.get(name)
    try:
        moment = dt.datetime.fromisoformat(raw) if isinstance(raw, str) and len(raw) <= 40 else None
        moment = moment.astimezone(dt.timezone.utc) if moment is not None and moment.tzinfo else None
    except (ValueError, OverflowError):  # OverflowError: year 1 or 9999 moved across midnight UTC
        moment = None
    if moment is None:
        raise SubmissionError(name, f"Trường \"{name}\" phải là thời điểm ISO 8601 có múi giờ, "
                                    f"ví dụ 2026-07-01T08:30:00Z.")
    return moment


def _answer(item: Item, value: Any) -> Any:
    """The answer as the citizen form stores it, or SubmissionError naming the item."""
    where = f"answers.{item.code}"
    if item.type == ItemType.SELECT_MANY:
        allowed = item.choices.values
        if not isinstance(value, list) or not all(isinstance(v, str) and v in allowed for v in value):
            raise SubmissionError(where, f"Trường \"{where}\" phải là danh sách các giá trị trong: "
                                         f"{', '.join(allowed)}.")
        return list(dict.fromkeys(value)) or None
    if item.type in (ItemType.SELECT_ONE, ItemType.LIKERT, ItemType.GRADED):
        if not isinstance(value, str) or value not in item.choices.values:
            raise SubmissionError(where, f"Trường \"{where}\": giá trị {excerpt(str(value))!r} không có trong "
                                         f"danh sách lựa chọn ({', '.join(item.choices.values)}).")
        return value
    if item.type == ItemType.INTEGER:
        low = item.minimum if item.minimum is not None else INTEGER_DEFAULT[0]
        high = item.maximum if item.maximum is not None else INTEGER_DEFAULT[1]
        number = value if isinstance(value, int) and not isinstance(value, bool) else None
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value) < 12:
            number = int(value)
        if number is None or not low <= number <= high:
            raise SubmissionError(where, f"Trường \"{where}\" phải là một số nguyên từ {low} đến {high}.")
        return str(number)
    if not isinstance(value, str):
        raise SubmissionError(where, f"Trường \"{where}\" phải là một đoạn văn bản.")
    text = strip_control(value).strip()
    if len(text) > FREE_TEXT_MAX:
        raise SubmissionError(where, f"Trường \"{where}\" dài quá {FREE_TEXT_MAX} ký tự.")
    return text or None


def _answers(questionnaire: QuestionnaireDefinition, raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise SubmissionError("answers", "Trường \"answers\" phải là một đối tượng JSON {mã câu hỏi: câu trả lời}.")
    items = questionnaire.items_by_code
    answers = {}
    for code, value in raw.items():
        if code not in items:
            raise SubmissionError(f"answers.{excerpt(code)}",
                                  f"Câu hỏi {excerpt(code)!r} không có trong phiếu của đợt khảo sát này.")
        if value is not None:
            answer = _answer(items[code], value)
            if answer is not None:
                answers[code] = answer
    return answers


def _wave(session: Session, raw: Any) -> Wave:
    wave = session.get(Wave, raw) if isinstance(raw, int) and not isinstance(raw, bool) and 0 < raw < 2**31 else None
    if wave is None or wave.questionnaire_version.questionnaire.kind != QuestionnaireKind.CITIZEN:
        raise SubmissionError("wave", f"Không có đợt khảo sát người dân mang số {excerpt(str(raw))!r}.")
    return wave


def read_submission(session: Session, centre: ServiceCentre, payload: Any) -> KioskSubmission:
    """The submission in `payload`, checked against its wave's questionnaire; SubmissionError if not."""
    if not isinstance(payload, dict):
        raise SubmissionError("", "Nội dung gửi lên phải là một đối tượng JSON (UTF-8) như "
                                  "{\"id\": \"…\", \"wave\": 1, \"answers\": {…}}.")
    try:
        submission_id = str(uuid.UUID(payload.get("id"))) if isinstance(payload.get("id"), str) else None
    except ValueError:
        submission_id = None
    if submission_id is None:
        raise SubmissionError("id", "Trường \"id\" phải là mã phiếu dạng UUID do máy tính bảng tạo.")
    wave = _wave(session, payload.get("wave"))
    whole = questionnaire_of(wave)
    language = payload.get("language", whole.languages[0])
    if language not in whole.languages:
        raise SubmissionError("language", f"Ngôn ngữ {excerpt(str(language))!r} không có trong phiếu "
                                          f"({', '.join(whole.languages)}).")
    assigned = payload.get("assigned", [])
    blocks = {block.code for block in whole.blocks}
    if not isinstance(assigned, list) or not all(isinstance(code, str) and code in blocks for code in assigned):
        raise SubmissionError("assigned", "Trường \"assigned\" phải là danh sách mã phần được chọn ngẫu nhiên "
                                          f"({', '.join(sorted(blocks)) or 'phiếu này không có phần nào'}).")
    started, completed = _moment(payload, "started_at"), _moment(payload, "completed_at")
    now = utcnow()
    if not now - MAX_AGE <= started <= completed <= now + CLOCK_SKEW:
        raise SubmissionError("completed_at", "Thời điểm bắt đầu và hoàn thành phiếu không hợp lệ: bắt đầu phải "
                                              "trước khi hoàn thành, và không muộn hơn giờ của máy chủ "
                                              "(kiểm tra đồng hồ của máy tính bảng).")
    completed = min(completed, now)
    if not wave.accepts_responses(completed.astimezone(local_zone()).date()):
        raise SubmissionError("wave", f"Đợt khảo sát {wave.code} không nhận phiếu vào ngày hoàn thành phiếu này.",
                              status=409)
    questionnaire = whole.asked(tuple(assigned))
    answers = _answers(questionnaire, payload.get("answers"))
    missing = first_missing_page(questionnaire, answers, mandatory_pages(questionnaire) - 1)
    if missing is not None:
        page = questionnaire.pages[missing]
        item = questionnaire.missing_required(page, answers)[0]
        raise SubmissionError(f"answers.{item.code}", f"Phiếu chưa trả lời câu bắt buộc {item.code!r} "
                                                      f"ở trang {missing + 1}.")
    state = FormState(submission_id, wave.id, centre.code, Channel.DESK, started.isoformat(timespec="seconds"),
                      language=language, answers=answers, assigned=tuple(dict.fromkeys(assigned)))
    return KioskSubmission(state, wave, whole, min(completed, now))

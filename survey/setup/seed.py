"""Seed data: Đắk Lắk's localities and centres, service fields, questionnaires, current wave, admin.

Every step is idempotent: running the seed twice changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.enums import values
from survey.models import (
    Locality,
    LocalityKind,
    QuestionnaireVersion,
    ServiceCentre,
    ServiceField,
    User,
    UserRole,
    Wave,
    WaveStatus,
)
from survey.models.places import FIELD_SUCCESSORS, LocalityName
from survey.passwords import generate_password, hash_password
from survey.quarters import quarter_of

LOCALITIES_CSV = Path(__file__).resolve().parents[1] / "data" / "daklak_localities.csv"
PROVINCIAL_CENTRE_CODE = "tinh"
PROVINCIAL_CENTRE_NAME = "Trung tâm Phục vụ hành chính công tỉnh Đắk Lắk"

# Service fields (lĩnh vực) after the 2025 reorganisation of ministries and departments:
# labour and people with merit moved to Nội vụ, transport to Xây dựng, business registration
# and investment to Tài chính, social protection to Y tế. Same codes and names as the
# `service_fields` choice list of questionnaires/sipas-2026.yaml.
SERVICE_FIELDS = [
    ("dat_dai", "Đất đai"),
    ("ho_tich", "Hộ tịch"),
    ("tu_phap_chung_thuc", "Tư pháp – Chứng thực"),
    ("xay_dung", "Xây dựng (gồm giao thông vận tải)"),
    ("kinh_doanh", "Tài chính (đăng ký kinh doanh, đầu tư)"),
    ("noi_vu", "Nội vụ (lao động, việc làm, người có công)"),
    ("nong_nghiep_moi_truong", "Nông nghiệp và Môi trường"),
    ("y_te", "Y tế (gồm bảo trợ xã hội)"),
    ("giao_duc", "Giáo dục và Đào tạo"),
    ("khac", "Lĩnh vực khác"),
]
class SeedError(ValueError):
    """Seed input is malformed; the message names the file, row and field."""


# Column widths of the locality and centre tables; longer values are reported, not truncated.
CODE_MAX, NAME_MAX, CENTRE_NAME_MAX = 10, 120, 200


def read_localities(path: Path) -> list[LocalityName]:
    """Read and validate the localities file, reporting every bad row at once."""
    try:
        return _read_localities(path)
    except UnicodeDecodeError as exc:
        raise SeedError(
            f"{path.name}: byte thứ {exc.start} không phải UTF-8. Hãy lưu tệp dạng CSV UTF-8 rồi chạy lại."
        ) from None
    except OSError as exc:
        raise SeedError(f"{path}: không đọc được ({exc.strerror}).") from None


def _read_localities(path: Path) -> list[LocalityName]:
    problems: list[str] = []
    rows: list[LocalityName] = []
    seen: dict[str, int] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"code", "name", "kind"} - set(reader.fieldnames or [])
        if missing:
            raise SeedError(
                f"{path.name}: dòng tiêu đề phải có các cột code,name,kind "
                f"(thiếu: {', '.join(sorted(missing))})"
            )
        for line, record in enumerate(reader, start=2):
            code = (record.get("code") or "").strip()
            name = (record.get("name") or "").strip()
            kind = (record.get("kind") or "").strip()
            where = f"{path.name} dòng {line}"
            if not code.isdigit():
                problems.append(f"{where}, cột code: {code!r} không phải mã số chính thức (chỉ gồm chữ số)")
            elif len(code) > CODE_MAX:
                problems.append(f"{where}, cột code: dài quá {CODE_MAX} chữ số")
            elif code in seen:
                problems.append(f"{where}, cột code: {code} trùng với dòng {seen[code]}")
            else:
                seen[code] = line
            if not name:
                problems.append(f"{where}, cột name: để trống")
            elif len(name) > NAME_MAX or len(centre_name(LocalityName(code, name, kind))) > CENTRE_NAME_MAX:
                problems.append(f"{where}, cột name: dài quá {NAME_MAX} ký tự")
            if kind not in values(LocalityKind):
                problems.append(f"{where}, cột kind: {kind!r} không thuộc các giá trị {', '.join(LocalityKind)}")
            rows.append(LocalityName(code, name, kind))
    if problems:
        raise SeedError("; ".join(problems))
    if not rows:
        raise SeedError(f"{path.name}: không có xã, phường nào")
    return rows


def centre_name(locality: LocalityName) -> str:
    """Official-style name of a locality's one-stop centre."""
    kind_word, _, rest = locality.name.partition(" ")
    return f"Trung tâm Phục vụ hành chính công {kind_word.lower()} {rest}".strip()


def seed_places(session: Session, rows: list[LocalityName]) -> int:
    """Insert missing localities, their centres, the provincial centre and service fields."""
    added = 0
    existing = {loc.code: loc for loc in session.scalars(select(Locality))}
    centres = set(session.scalars(select(ServiceCentre.code)))
    for row in rows:
        locality = existing.get(row.code)
        if locality is None:
            locality = Locality(code=row.code, name=row.name, kind=row.kind)
            session.add(locality)
            added += 1
        if row.code not in centres:
            session.add(ServiceCentre(code=row.code, name=centre_name(row), locality=locality))
            added += 1
    if PROVINCIAL_CENTRE_CODE not in centres:
        session.add(ServiceCentre(code=PROVINCIAL_CENTRE_CODE, name=PROVINCIAL_CENTRE_NAME))
        added += 1
    fields = {field.code: field for field in session.scalars(select(ServiceField))}
    for order, (code, name) in enumerate(SERVICE_FIELDS):
        if code not in fields:
            session.add(ServiceField(code=code, name=name, sort_order=order))
            added += 1
    for old in FIELD_SUCCESSORS:
        if old in fields and fields[old].active:
            fields[old].active = False
    return added


def seed_current_wave(
    session: Session, version: QuestionnaireVersion | None, today: dt.date
) -> Wave | None:
    """Open a wave for the current quarter on the citizen questionnaire, if none exists."""
    code, first, last = quarter_of(today)
    wave = session.scalar(select(Wave).where(Wave.code == code))
    if wave is not None or version is None:
        return wave
    wave = Wave(
        code=code,
        questionnaire_version=version,
        opens_on=first,
        closes_on=last,
        status=WaveStatus.OPEN,
    )
    session.add(wave)
    return wave


def seed_admin(session: Session, username: str = "admin") -> str | None:
    """Create the province admin account; return its one-time password, or None if it exists."""
    if session.scalar(select(User).where(User.username == username)) is not None:
        return None
    password = generate_password()
    session.add(User(username=username, password_hash=hash_password(password), role=UserRole.ADMIN,
                     must_change_password=True))
    return password

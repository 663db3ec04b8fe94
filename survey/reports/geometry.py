"""The communes' boundaries for the report's map: read a GeoJSON file, check it, keep it.

The province hands over one GeoJSON FeatureCollection (RFC 7946: longitude and latitude in
WGS 84) with a Polygon or MultiPolygon per commune and the commune's official code (mã đơn
vị hành chính) in a property. The file is untrusted and checked as a whole before anything is
stored: its size and vertex count are bounded, every feature must carry a known code once, and
every commune of the ``locality`` table must be there. Each problem is named by feature and
code in Vietnamese; one problem and nothing is imported.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from survey.models import Locality, LocalityBoundary
from survey.uploads.limits import megabytes, number

MAX_BYTES = 20 * 1024 * 1024
MAX_VERTICES = 200_000
CODE_PROPERTIES = ("ma_xa", "code")  # looked for in this order unless --code-property names one
CODE_DIGITS = 5  # official commune codes: a number written as 22015 loses no leading zero
DECIMALS = 6  # about 0,1 m: more is noise in a provincial map
ACCEPTED_CRS = ("CRS84", "4326")

TOO_LARGE = ("Tệp {size} MB vượt giới hạn {limit} MB; hãy đơn giản hoá ranh giới "
             "(ví dụ mapshaper -simplify 10%) rồi nhập lại.")
TOO_MANY_VERTICES = ("Tệp có hơn {limit} đỉnh, vượt giới hạn {limit} đỉnh; hãy đơn giản hoá ranh giới "
                     "(ví dụ mapshaper -simplify 10%) rồi nhập lại.")
NOT_JSON = "Tệp không phải JSON hợp lệ: {error} (dòng {line}, cột {column})."
NOT_UTF8 = "Tệp không đọc được dưới dạng văn bản JSON (UTF-8)."
TOO_DEEP = "Tệp lồng nhau quá sâu, không phải GeoJSON của ranh giới hành chính."
NOT_COLLECTION = "Tệp phải là một GeoJSON FeatureCollection (có “type”: “FeatureCollection” và danh sách “features”)."
WRONG_CRS = ("Hệ toạ độ “{crs}” không được hỗ trợ: hãy xuất tệp theo kinh độ, vĩ độ WGS 84 (EPSG:4326), "
             "không phải VN-2000.")
NOT_FEATURE = "Đối tượng thứ {k}: không phải một Feature của GeoJSON."
NO_CODE = "Đối tượng thứ {k}: không có thuộc tính {wanted} chứa mã xã, phường (thuộc tính có: {have})."
NOT_POLYGON = "Mã {code} (đối tượng thứ {k}): hình học phải là Polygon hoặc MultiPolygon, không phải {kind}."
BAD_COORDINATES = "Mã {code} (đối tượng thứ {k}): toạ độ không hợp lệ ({why})."
OUT_OF_RANGE = ("Mã {code} (đối tượng thứ {k}): toạ độ ({x}; {y}) không phải kinh độ, vĩ độ; hãy xuất tệp theo "
                "WGS 84 (EPSG:4326), không phải VN-2000.")
UNKNOWN_CODE = "Mã {code} (đối tượng thứ {k}): không có xã, phường nào mang mã này."
DUPLICATE_CODE = ("Mã {code}: có ở cả đối tượng thứ {first} và thứ {k}; hãy gộp các phần của một xã, phường "
                  "thành một MultiPolygon.")
MISSING_CODE = "Mã {code} ({name}): không có trong tệp."
EMPTY_FILE = "Tệp không có đối tượng nào."


class GeometryError(Exception):
    """The file cannot be imported; ``problems`` lists every reason, in Vietnamese."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


class _NotLongitudeLatitude(Exception):
    """A position outside [-180, 180] × [-90, 90]: projected coordinates, most often VN-2000."""


@dataclass(frozen=True)
class Boundaries:
    """Checked boundaries: code → MultiPolygon coordinates, and the vertices they hold."""

    shapes: dict[str, list]
    vertices: int


def _code(value) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    text = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if text.isdigit() and len(text) < CODE_DIGITS:
        text = text.zfill(CODE_DIGITS)
    return text or None


class _Counter:
    def __init__(self):
        self.vertices = 0


def _ring(ring, counter: _Counter) -> list[list[float]]:
    """A closed linear ring of at least three distinct positions, rounded; raises ValueError."""
    if not isinstance(ring, list) or len(ring) < 3:
        raise ValueError("một vòng cần ít nhất 3 điểm")
    out = []
    for position in ring:
        if (not isinstance(position, list) or len(position) < 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in position[:2])):
            raise ValueError("mỗi điểm phải là [kinh độ, vĩ độ]")
        x, y = float(position[0]), float(position[1])
        if not (math.isfinite(x) and math.isfinite(y)):
            raise ValueError("toạ độ không phải số hữu hạn")
        if not (-180 <= x <= 180 and -90 <= y <= 90):
            raise _NotLongitudeLatitude(x, y)
        out.append([round(x, DECIMALS), round(y, DECIMALS)])
    if out[0] != out[-1]:
        out.append(out[0])
    if len(out) < 4:
        raise ValueError("một vòng cần ít nhất 3 điểm khác nhau")
    counter.vertices += len(out) - 1
    if counter.vertices > MAX_VERTICES:
        raise GeometryError([TOO_MANY_VERTICES.format(limit=number(MAX_VERTICES))])
    return out


def _polygons(geometry, counter: _Counter) -> list:
    """MultiPolygon coordinates of a Polygon or MultiPolygon geometry."""
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    polygons = [coordinates] if kind == "Polygon" else coordinates
    if not isinstance(polygons, list) or not polygons:
        raise ValueError("không có đa giác nào")
    out = []
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise ValueError("một đa giác phải là danh sách các vòng")
        out.append([_ring(ring, counter) for ring in polygon])
    return out


def _collection(data: bytes) -> dict:
    if len(data) > MAX_BYTES:
        raise GeometryError([TOO_LARGE.format(size=megabytes(len(data)), limit=megabytes(MAX_BYTES))])
    try:
        document = json.loads(data)
    except json.JSONDecodeError as exc:
        raise GeometryError([NOT_JSON.format(error=exc.msg, line=exc.lineno, column=exc.colno)]) from None
    except UnicodeDecodeError:
        raise GeometryError([NOT_UTF8]) from None
    except RecursionError:
        raise GeometryError([TOO_DEEP]) from None
    if (not isinstance(document, dict) or document.get("type") != "FeatureCollection"
            or not isinstance(document.get("features"), list)):
        raise GeometryError([NOT_COLLECTION])
    crs = document.get("crs")
    if crs is not None:
        name = str((crs.get("properties") or {}).get("name", "")) if isinstance(crs, dict) else str(crs)
        if not any(accepted in name for accepted in ACCEPTED_CRS):
            raise GeometryError([WRONG_CRS.format(crs=name or crs)])
    if not document["features"]:
        raise GeometryError([EMPTY_FILE])
    return document


def read_boundaries(data: bytes, localities: dict[str, str], code_property: str | None = None) -> Boundaries:
    """Check a GeoJSON file against ``localities`` (code → name); every problem or the boundaries.

    ``code_property`` names the property holding the commune code; by default the first of
    ``CODE_PROPERTIES`` a feature has.
    """
    document = _collection(data)
    wanted = (code_property,) if code_property else CODE_PROPERTIES
    problems: list[str] = []
    shapes: dict[str, list] = {}
    seen: dict[str, int] = {}
    counter = _Counter()
    for k, feature in enumerate(document["features"], start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.append(NOT_FEATURE.format(k=k))
            continue
        properties = feature.get("properties") if isinstance(feature.get("properties"), dict) else {}
        key = next((name for name in wanted if _code(properties.get(name)) is not None), None)
        if key is None:
            problems.append(NO_CODE.format(k=k, wanted=" hoặc ".join(f"“{w}”" for w in wanted),
                                           have=", ".join(map(str, properties)) or "không có"))
            continue
        code = _code(properties[key])
        if code in seen:
            problems.append(DUPLICATE_CODE.format(code=code, first=seen[code], k=k))
            continue
        seen[code] = k
        if code not in localities:
            problems.append(UNKNOWN_CODE.format(code=code, k=k))
            continue
        geometry = feature.get("geometry")
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        if kind not in ("Polygon", "MultiPolygon"):
            problems.append(NOT_POLYGON.format(code=code, k=k, kind=kind or "rỗng"))
            continue
        try:
            shapes[code] = _polygons(geometry, counter)
        except _NotLongitudeLatitude as exc:
            x, y = exc.args
            problems.append(OUT_OF_RANGE.format(code=code, k=k, x=x, y=y))
        except ValueError as exc:
            problems.append(BAD_COORDINATES.format(code=code, k=k, why=exc))
    problems += [MISSING_CODE.format(code=code, name=name) for code, name in sorted(localities.items())
                 if code not in seen]
    if problems:
        raise GeometryError(problems)
    return Boundaries(shapes, counter.vertices)


def replace_boundaries(session: Session, boundaries: Boundaries, source: str) -> int:
    """Replace every stored boundary with ``boundaries`` in the caller's transaction; the count stored."""
    ids = dict(session.execute(select(Locality.code, Locality.id)).all())
    session.execute(delete(LocalityBoundary))
    for code, polygons in boundaries.shapes.items():
        vertices = sum(len(ring) - 1 for polygon in polygons for ring in polygon)
        session.add(LocalityBoundary(locality_id=ids[code], polygons=polygons, vertices=vertices,
                                     source=source[:200]))
    session.flush()
    return len(boundaries.shapes)


def clear_boundaries(session: Session) -> int:
    """Delete every stored boundary in the caller's transaction; how many there were."""
    return session.execute(delete(LocalityBoundary)).rowcount


def locality_names(session: Session) -> dict[str, str]:
    """Every commune of the province: code → name."""
    return dict(session.execute(select(Locality.code, Locality.name)).all())


def load_boundaries(session: Session) -> dict[str, list]:
    """The stored boundaries, code → MultiPolygon coordinates; empty when none were imported."""
    rows = session.execute(select(Locality.code, LocalityBoundary.polygons)
                           .join(LocalityBoundary, LocalityBoundary.locality_id == Locality.id)).all()
    return dict(rows)

"""Every enumeration the platform stores or checks, each written once.

The ORM columns (`survey.db.enum_column`), their CHECK constraints, form choices and the
questionnaire loader all derive from these classes. This module imports nothing from the
ORM, so the questionnaire package can use it too.
"""

from __future__ import annotations

from enum import StrEnum


class UserRole(StrEnum):
    """Roles: province admin (Sở Nội vụ), locality officer, read-only analyst."""

    ADMIN = "admin"
    OFFICER = "officer"
    ANALYST = "analyst"


class LocalityKind(StrEnum):
    """Kinds of commune-level unit after the 2025 reorganisation: phường (ward) and xã (commune)."""

    WARD = "phuong"
    COMMUNE = "xa"


class QuestionnaireKind(StrEnum):
    """Who answers a questionnaire: citizens at the desks (SIPAS) or leaders (PAR Index)."""

    CITIZEN = "citizen"
    LEADER = "leader"


class ItemType(StrEnum):
    """Kinds of questionnaire item: the `type` of an item in a questionnaire file."""

    SELECT_ONE = "select_one"
    SELECT_MANY = "select_many"
    LIKERT = "likert"  # the 5-level satisfaction scale of SIPAS
    GRADED = "graded"  # a PAR criterion: options A-D carrying shares of its points
    TEXT = "text"
    INTEGER = "integer"


class ItemScore(StrEnum):
    """How an index tree scores its items (`index.item_score` in a questionnaire file)."""

    SHARE_SATISFIED = "share_satisfied"  # SIPAS: the share answering 4-5 of those answering 1-5
    MEAN_SCORE = "mean_score"
    POINTS = "points"  # PAR: each criterion's points times the mean share of the options chosen


class ReportKind(StrEnum):
    """Which report a wave gets, from its questionnaire's scoring rule (`survey.reports.kinds`)."""

    SATISFACTION = "satisfaction"  # shares satisfied by locality, element, sector (SIPAS and its kin)
    PAR_SCORE = "par_score"  # points by group of leaders, field and criterion


class Aggregate(StrEnum):
    """How a node of the index tree combines its children's scores."""

    MEAN = "mean"


class WaveStatus(StrEnum):
    """Lifecycle of a wave: only an open wave accepts submissions."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class Channel(StrEnum):
    """How a response arrived: desk QR, receipt QR, or a leader's invitation link."""

    DESK = "desk"
    RECEIPT = "receipt"
    LEADER = "leader"


class ReviewStatus(StrEnum):
    """Analyst decision on a response; quality flags never delete, they inform this."""

    INCLUDED = "included"
    EXCLUDED = "excluded"


class QualityFlag(StrEnum):
    """Data-quality signals stored with a response (`survey.respond.quality` says when each applies)."""

    SPEEDER = "speeder"
    STRAIGHT_LINING = "straight_lining"
    BURST = "burst"
    OUTSIDE_HOURS = "outside_hours"
    REPEAT_DEVICE = "repeat_device"
    SCRUBBED = "scrubbed"


def values(enum: type[StrEnum]) -> list[str]:
    """The stored values of `enum`, in declaration order."""
    return [member.value for member in enum]

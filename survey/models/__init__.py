"""The data model. Importing this package registers every table on `Base.metadata`.

The enumerations live in `survey.enums` and are re-exported here for the views' convenience.
"""

from survey.enums import Channel, LocalityKind, QuestionnaireKind, ReviewStatus, UserRole, WaveStatus
from survey.models.admin import AdminCount, AppendOnlyError, AuditLog, User
from survey.models.kiosk import KioskDevice
from survey.models.leaders import (
    UNIT_TYPE_OF_GROUP,
    DeliveryStatus,
    LeaderDelivery,
    LeaderDraft,
    LeaderInvitation,
    LeaderResponse,
    LeaderSealed,
    SendChannel,
    UnitType,
)
from survey.models.places import Locality, LocalityBoundary, ServiceCentre, ServiceField
from survey.models.privacy import CommentDigest
from survey.models.questionnaires import DEMO_WAVE_PREFIX, Questionnaire, QuestionnaireVersion, Wave, accepts_on
from survey.models.responses import (
    Answer,
    ImmutableVersionError,
    ReceiptBatch,
    ReceiptToken,
    Response,
    ResponseDraft,
)

__all__ = [
    "AdminCount",
    "AppendOnlyError",
    "Answer",
    "AuditLog",
    "Channel",
    "DEMO_WAVE_PREFIX",
    "CommentDigest",
    "ImmutableVersionError",
    "KioskDevice",
    "DeliveryStatus",
    "LeaderDelivery",
    "LeaderDraft",
    "LeaderInvitation",
    "LeaderResponse",
    "LeaderSealed",
    "Locality",
    "LocalityBoundary",
    "LocalityKind",
    "Questionnaire",
    "QuestionnaireKind",
    "QuestionnaireVersion",
    "ReceiptBatch",
    "ReceiptToken",
    "Response",
    "ResponseDraft",
    "ReviewStatus",
    "ServiceCentre",
    "ServiceField",
    "UNIT_TYPE_OF_GROUP",
    "SendChannel",
    "UnitType",
    "User",
    "UserRole",
    "Wave",
    "WaveStatus",
    "accepts_on",
]

"""The data model. Importing this package registers every table on `Base.metadata`."""

from survey.models.admin import AdminCount, AppendOnlyError, AuditLog, User, UserRole
from survey.models.places import Locality, LocalityKind, ServiceCentre, ServiceField
from survey.models.privacy import CommentDigest
from survey.models.questionnaires import (
    ImmutableVersionError,
    Questionnaire,
    QuestionnaireVersion,
    Wave,
    WaveStatus,
)
from survey.models.responses import (
    Answer,
    Channel,
    ReceiptBatch,
    ReceiptToken,
    Response,
    ResponseDraft,
    ReviewStatus,
)

__all__ = [
    "AdminCount",
    "AppendOnlyError",
    "Answer",
    "AuditLog",
    "Channel",
    "CommentDigest",
    "ImmutableVersionError",
    "Locality",
    "LocalityKind",
    "Questionnaire",
    "QuestionnaireVersion",
    "ReceiptBatch",
    "ReceiptToken",
    "Response",
    "ResponseDraft",
    "ReviewStatus",
    "ServiceCentre",
    "ServiceField",
    "User",
    "UserRole",
    "Wave",
    "WaveStatus",
]

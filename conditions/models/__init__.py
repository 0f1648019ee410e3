from conditions.models.articles import (
    FAQ,
    CareAdvice,
    ClinicalCode,
    Condition,
    ConditionImage,
    Reference,
    Section,
)
from conditions.models.cache import ContentVersion
from conditions.models.kiosk import KioskProfile
from conditions.models.questionnaires import (
    AnswerOption,
    CountedRun,
    Outcome,
    OutcomeTally,
    OutcomeTrigger,
    Question,
    Questionnaire,
    ShowIf,
)
from conditions.models.review import (
    EditingSession,
    Reviewable,
    ReviewComment,
    ReviewEvent,
    ReviewQuerySet,
    Status,
)
from conditions.models.safety import EmergencyTerm, UrgentHelp
from conditions.models.treatments import (
    EVIDENCE_EXPLANATIONS,
    CareSetting,
    ComparisonRow,
    CostBand,
    EvidenceLevel,
    Recommendation,
    Suitability,
    Treatment,
    TreatmentComparison,
)

__all__ = [
    "FAQ",
    "AnswerOption",
    "CareAdvice",
    "ClinicalCode",
    "ComparisonRow",
    "Condition",
    "ContentVersion",
    "CountedRun",
    "ConditionImage",
    "CostBand",
    "EVIDENCE_EXPLANATIONS",
    "EditingSession",
    "EmergencyTerm",
    "EvidenceLevel",
    "KioskProfile",
    "Outcome",
    "OutcomeTally",
    "OutcomeTrigger",
    "Question",
    "Questionnaire",
    "Recommendation",
    "Reference",
    "ReviewComment",
    "ReviewEvent",
    "ReviewQuerySet",
    "Reviewable",
    "CareSetting",
    "Section",
    "ShowIf",
    "Status",
    "Suitability",
    "Treatment",
    "TreatmentComparison",
    "UrgentHelp",
]

# The old name, kept only for conditions/demo/treatments.py (owned by the content-files branch,
# which replaces it); remove once that file no longer imports it.
Setting = CareSetting

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
from conditions.models.review import Reviewable, ReviewEvent, ReviewQuerySet, Status
from conditions.models.safety import EmergencyTerm, UrgentHelp
from conditions.models.treatments import (
    EVIDENCE_EXPLANATIONS,
    ComparisonRow,
    CostBand,
    EvidenceLevel,
    Recommendation,
    Setting,
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
    "ReviewEvent",
    "ReviewQuerySet",
    "Reviewable",
    "Section",
    "Setting",
    "ShowIf",
    "Status",
    "Suitability",
    "Treatment",
    "TreatmentComparison",
    "UrgentHelp",
]

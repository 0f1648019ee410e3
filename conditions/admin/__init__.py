"""The clinician admin, one module per feature; each registers its own models."""

from conditions.admin import (
    articles,  # noqa: F401
    kiosk,  # noqa: F401
    questionnaires,  # noqa: F401
    safety,  # noqa: F401
    translations,  # noqa: F401
    treatments,  # noqa: F401
)

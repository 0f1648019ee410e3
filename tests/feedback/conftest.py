import pytest
from django.test import Client

from tests.factories import ConditionFactory, TreatmentComparisonFactory

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0"
PATIENT_IP = "198.51.100.23"


@pytest.fixture
def patient():
    """A patient's browser (it says it is one: scripts and robots are not counted)."""
    return Client(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=PATIENT_IP)


@pytest.fixture
def article(db):
    """A published article: the working copy (what feedback is about)."""
    return ConditionFactory(published=True, name="Milia", slug="milia", also_known_as="milk spots")


@pytest.fixture
def comparison(article):
    return TreatmentComparisonFactory(condition=article, published=True)


@pytest.fixture(autouse=True)
def _no_views_left_from_other_tests():
    """Page views wait in this process's memory until pushed: start each test with none."""
    from feedback import counting

    with counting._pending_lock:
        counting._pending.clear()
        counting._pushed.clear()

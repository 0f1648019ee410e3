"""The questionnaire built on one page: questions with their answers inline, yes/no
answers made as soon as the question is saved, show-if rules and triggers picked by text beside
the question or outcome, the safety check's problems listed as problems and linked to what is
at fault, and the workflow's rules (working copy only, the version check, permissions)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django import forms
from django.contrib.auth.models import Group
from django.urls import reverse

from conditions.admin.questionnaire_builder import locate_problem, unique_slug
from conditions.models import AnswerOption, Outcome, OutcomeTrigger, Question, Questionnaire
from conditions.models.review import Status
from tests.conditions.questionnaire_factories import make_questionnaire
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def build_url(questionnaire) -> str:
    return reverse("admin:conditions_questionnaire_build", args=[questionnaire.pk])


def _value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, list | tuple):
        return [str(getattr(v, "pk", v)) for v in value]
    return str(getattr(value, "pk", value))


def _put(form, data):
    for name, field in form.fields.items():
        value = _value(form[name].value())
        if isinstance(field, forms.ModelMultipleChoiceField) and not value:
            continue  # nothing ticked: a browser sends nothing
        if value is not None:
            data[form.add_prefix(name)] = value


def page_data(response) -> dict:
    """What a browser posts back from the build page when the editor changes nothing."""
    builder = response.context["builder"]
    data = {"edit_version": str(builder.questionnaire.version)}
    for formset in (builder.questions, builder.outcomes):
        _put(formset.management_form, data)
        for form in formset.forms:
            _put(form, data)
            for rows in (getattr(form, "answers", None), form.rules):
                if rows is not None:
                    _put(rows.management_form, data)
                    for row in rows.forms:
                        _put(row, data)
    return data


@pytest.fixture
def author():
    user = UserFactory(username="author")
    user.groups.add(Group.objects.get(name="Author"))
    return user


@pytest.fixture
def client_as_author(client, author):
    client.force_login(author)
    return client


@pytest.fixture
def empty():
    return Questionnaire.objects.create(title="Skin check", slug="skin-check", intro="Answer.")


def test_a_new_questionnaire_is_written_on_one_page_with_yes_no_answers_made_at_once(
    client_as_author, author, empty
):
    data = page_data(client_as_author.get(build_url(empty)))
    version = empty.version
    data |= {
        "q-0-text": "Does the spot bleed without being scratched?",
        "q-0-kind": "yes_no",
        "q-1-text": "Where is the spot?",
        "q-1-kind": "single",
        "q-1-answers-0-text": "On the face",
        "q-1-answers-1-text": "Somewhere else",
        "o-0-title": "See your GP within 2 weeks",
        "o-0-urgency": "routine",
        "o-0-rule": "default",
        "o-0-explanation": "A spot that changes should be looked at.",
        "o-0-next_steps": "Book an appointment with your GP.",
    }
    response = client_as_author.post(build_url(empty), data)
    assert response.status_code == 302, response.context and response.context["builder"].errors
    questions = list(empty.questions.order_by("order"))
    assert [q.text for q in questions] == [
        "Does the spot bleed without being scratched?",
        "Where is the spot?",
    ]
    assert questions[0].key == "does-the-spot-bleed-without-being-scratched"
    assert [(o.code, o.text) for o in questions[0].options.all()] == [("yes", "Yes"), ("no", "No")]
    assert [(o.code, o.text) for o in questions[1].options.all()] == [
        ("on-the-face", "On the face"),
        ("somewhere-else", "Somewhere else"),
    ]
    assert questions[0].order < questions[1].order
    outcome = empty.outcomes.get()
    assert outcome.slug == "see-your-gp-within-2-weeks"
    empty.refresh_from_db()
    assert empty.version > version
    assert empty.status == Status.DRAFT
    assert author in empty.contributors.all()


def test_show_if_and_red_flag_triggers_are_picked_by_the_answers_text_beside_them(
    client_as_author, empty
):
    bleeding = Question.objects.create(
        questionnaire=empty, order=10, key="bleeding", text="Does it bleed?", kind="yes_no"
    )
    yes = AnswerOption.objects.create(question=bleeding, order=0, code="yes", text="Yes")
    AnswerOption.objects.create(question=bleeding, order=1, code="no", text="No")
    response = client_as_author.get(build_url(empty))
    body = unescape(response.content.decode())
    assert "Does it bleed? → Yes" in body
    data = page_data(response)
    data |= {
        "q-1-text": "Has it grown in the last month?",
        "q-1-kind": "yes_no",
        "q-1-show_if_answers": [str(yes.pk)],
        "o-0-title": "See a GP today",
        "o-0-urgency": "urgent",
        "o-0-rule": "red_flag",
        "o-0-priority": "100",
        "o-0-trigger_answers": [str(yes.pk)],
        "o-0-explanation": "Bleeding needs a look today.",
        "o-0-next_steps": "Ring your GP surgery today.",
    }
    assert client_as_author.post(build_url(empty), data).status_code == 302
    grown = empty.questions.get(text="Has it grown in the last month?")
    assert [(s.source_question_id, s.option_id, s.operator) for s in grown.show_if.all()] == [
        (bleeding.pk, yes.pk, "is")
    ]
    red = empty.outcomes.get(rule="red_flag")
    assert [(t.source_question_id, t.option_id) for t in red.triggers.all()] == [
        (bleeding.pk, yes.pk)
    ]

    # Unticking removes the rule; an "is not" test is a row of its own under the ticks, kept.
    no = bleeding.options.get(code="no")
    OutcomeTrigger.objects.create(
        outcome=red, source_question=bleeding, operator="is_not", option=no
    )
    response = client_as_author.get(build_url(empty))
    outcome_form = next(
        f for f in response.context["builder"].outcomes.forms if f.instance.pk == red.pk
    )
    row = outcome_form.rules.forms[0]
    assert (row["source_question"].value(), row["operator"].value(), row["option"].value()) == (
        bleeding.pk,
        "is_not",
        no.pk,
    )
    data = page_data(response)
    data.pop(f"q-{1}-show_if_answers", None)
    assert client_as_author.post(build_url(empty), data).status_code == 302
    assert not grown.show_if.exists()
    assert list(red.triggers.values_list("operator", flat=True).order_by("operator")) == [
        "is",
        "is_not",
    ]


def test_the_safety_check_lists_its_problems_linked_to_the_outcome_at_fault_and_no_success(
    client_as_author, empty
):
    question = Question.objects.create(
        questionnaire=empty, order=10, key="bleeding", text="Does it bleed?", kind="yes_no"
    )
    AnswerOption.objects.create(question=question, order=0, code="yes", text="Yes")
    AnswerOption.objects.create(question=question, order=1, code="no", text="No")
    red = Outcome.objects.create(
        questionnaire=empty,
        slug="today",
        title="See a GP today",
        urgency="urgent",
        rule="red_flag",
        explanation="Why.",
        next_steps="What.",
    )
    data = page_data(client_as_author.get(build_url(empty)))
    response = client_as_author.post(build_url(empty), data, follow=True)
    body = unescape(response.content.decode())
    assert "The safety check found" in body
    assert "found no problems" not in body
    problems = re.search(r'<ul class="safety-problems">(.*?)</ul>', body, re.S)[1]
    assert f'<a href="#outcome-{red.pk}">Outcome “See a GP today” has no trigger answers' in (
        problems
    )
    assert f'id="outcome-{red.pk}"' in body
    assert f'id="question-{question.pk}"' in body


def test_a_safe_questionnaire_says_so_after_saving(client_as_author):
    questionnaire = make_questionnaire(
        slug="safe",
        publish=False,
        questions=[{"key": "bleeding", "text": "Does it bleed?", "kind": "yes_no"}],
        outcomes=[
            {
                "slug": "today",
                "urgency": "urgent",
                "rule": "red_flag",
                "priority": 100,
                "triggers": [("bleeding", "is", "yes")],
            },
            {"slug": "self-care", "urgency": "self_care", "rule": "default"},
        ],
    )
    data = page_data(client_as_author.get(build_url(questionnaire)))
    response = client_as_author.post(build_url(questionnaire), data, follow=True)
    body = unescape(response.content.decode())
    assert "The safety check found no problems" in body
    assert 'class="safety-problems"' not in body


def test_a_save_from_a_page_opened_before_someone_elses_save_is_refused_and_keeps_the_typing(
    client_as_author, empty
):
    data = page_data(client_as_author.get(build_url(empty)))
    empty.record_change(UserFactory(username="colleague"))  # someone else saves meanwhile
    data |= {"q-0-text": "Is the spot painful?", "q-0-kind": "yes_no"}
    response = client_as_author.post(build_url(empty), data)
    assert response.status_code == 400
    body = unescape(response.content.decode())
    assert "your changes were NOT saved" in body
    assert 'value="Is the spot painful?"' in body
    assert not empty.questions.exists()


def test_after_a_stale_refusal_the_build_page_shows_their_changes_and_saves_the_merge(
    client_as_author, empty
):
    colleague = UserFactory(username="colleague", first_name="Ada", last_name="Lovelace")
    question = Question.objects.create(
        questionnaire=empty, order=10, key="bleeds", text="Does it bleed?", kind="yes_no"
    )
    data = page_data(client_as_author.get(build_url(empty)))
    # Meanwhile a colleague rewords the question on its own page and saves.
    question.text = "Does the spot bleed?"
    question._history_user = colleague
    question.save()
    empty.record_change(colleague)
    data |= {"q-0-help_text": "Bleeding without a scratch."}
    response = client_as_author.post(build_url(empty), data)
    assert response.status_code == 400
    body = unescape(response.content.decode())
    panel = body[body.index('id="stale-changes"') :][:3000]
    assert "Ada Lovelace changed the question of the question" in panel or (
        "Ada Lovelace changed the question" in panel
    )
    assert "<del>it</del> <ins>the spot</ins>" in panel  # their words, marked
    assert 'value="Bleeding without a scratch."' not in body  # a textarea: kept as its text
    assert "Bleeding without a scratch.</textarea>" in body
    # The page now carries the saved version: saving again saves the merge.
    builder = response.context["builder"]
    assert builder.page.data["edit_version"] == str(Questionnaire.objects.get(pk=empty.pk).version)
    merged = dict(builder.page.data.lists())
    merged = {k: v if len(v) > 1 else v[0] for k, v in merged.items()}
    merged["q-0-text"] = "Does the spot bleed?"
    assert client_as_author.post(build_url(empty), merged).status_code == 302
    question.refresh_from_db()
    assert (question.text, question.help_text) == (
        "Does the spot bleed?",
        "Bleeding without a scratch.",
    )


def test_bad_input_gets_a_message_and_a_400_and_nothing_is_saved(client_as_author, empty):
    data = page_data(client_as_author.get(build_url(empty)))
    data |= {
        "q-0-text": "How old are you?",
        "q-0-kind": "number",  # no minimum or maximum
        "q-1-text": "Is it itchy?",
        "q-1-kind": "yes_no",
        "o-0-answers-0-text": "ignored",
    }
    response = client_as_author.post(build_url(empty), data)
    assert response.status_code == 400
    body = unescape(response.content.decode())
    assert 'id="error-summary"' in body and "nothing was saved" in body  # the form's summary
    assert "A number question needs a minimum and a maximum." in body
    assert not empty.questions.exists()


def test_answers_written_under_a_blank_new_question_are_not_lost_silently(client_as_author, empty):
    data = page_data(client_as_author.get(build_url(empty)))
    data |= {"q-0-answers-0-text": "On the face"}
    response = client_as_author.post(build_url(empty), data)
    assert response.status_code == 400
    assert "Write the question for these answers." in unescape(response.content.decode())


def test_deleting_a_question_takes_its_answers_and_the_rules_that_used_them(
    client_as_author,
):
    questionnaire = make_questionnaire(
        slug="two",
        publish=False,
        questions=[
            {"key": "bleeding", "text": "Does it bleed?", "kind": "yes_no"},
            {"key": "itch", "text": "Does it itch?", "kind": "yes_no"},
        ],
        outcomes=[
            {"slug": "gp", "rule": "any", "triggers": [("itch", "is", "yes")]},
            {"slug": "self-care", "urgency": "self_care", "rule": "default"},
        ],
    )
    data = page_data(client_as_author.get(build_url(questionnaire)))
    data["q-1-DELETE"] = "on"
    response = client_as_author.post(build_url(questionnaire), data)
    assert response.status_code == 302
    assert list(questionnaire.questions.values_list("key", flat=True)) == ["bleeding"]
    assert not OutcomeTrigger.objects.filter(outcome__questionnaire=questionnaire).exists()


def test_only_the_working_copy_is_built_and_only_by_editors(client, client_as_author):
    questionnaire = make_questionnaire(
        slug="live",
        questions=[{"key": "bleeding", "text": "Does it bleed?", "kind": "yes_no"}],
        outcomes=[{"slug": "self-care", "urgency": "self_care", "rule": "default"}],
    )
    live = Questionnaire.objects.published().get(slug="live")
    assert client_as_author.get(build_url(live)).status_code == 404
    assert client_as_author.get(build_url(questionnaire)).status_code == 200

    client.logout()
    nobody = UserFactory(username="no-permissions")  # staff, in no editorial group
    client.force_login(nobody)
    assert client.get(build_url(questionnaire)).status_code == 403
    data = {"edit_version": str(questionnaire.version), "q-TOTAL_FORMS": "0"}
    assert client.post(build_url(questionnaire), data).status_code == 403


def test_a_new_questionnaire_goes_straight_on_to_its_build_page(client_as_author):
    response = client_as_author.post(
        reverse("admin:conditions_questionnaire_add"),
        {"title": "Spot check", "slug": "spot-check", "intro": "A few questions."},
    )
    questionnaire = Questionnaire.objects.get(slug="spot-check")
    assert response.status_code == 302
    assert response["Location"] == build_url(questionnaire)
    change = client_as_author.get(
        reverse("admin:conditions_questionnaire_change", args=[questionnaire.pk])
    )
    assert build_url(questionnaire) in change.content.decode()


def test_each_kind_of_safety_problem_links_to_the_question_or_outcome_at_fault():
    questionnaire = make_questionnaire(
        slug="faulty",
        publish=False,
        questions=[
            {"key": "bleeding", "text": "Does it bleed?", "kind": "yes_no"},
            {"key": "where", "text": "Where is it?", "options": [("face", "Face")]},
        ],
        outcomes=[{"slug": "today", "title": "See a GP today", "rule": "red_flag"}],
    )
    where = questionnaire.questions.get(key="where")
    today = questionnaire.outcomes.get()
    assert (
        locate_problem(
            "Question “Where is it?” needs at least two answers to choose from.", questionnaire
        )
        == f"question-{where.pk}"
    )
    assert (
        locate_problem(
            "Outcome “See a GP today” has no trigger answers, so nothing can reach it.",
            questionnaire,
        )
        == f"outcome-{today.pk}"
    )
    assert (
        locate_problem(
            "After the answers “Does it bleed?” → Yes, the outcome “See a GP today” is certain, but "
            "the questionnaire goes on to ask “Where is it?” instead of showing it at once.",
            questionnaire,
        )
        == f"question-{where.pk}"
    )
    assert (
        locate_problem(
            "Some answers reach no outcome, for example: “Does it bleed?” → No.", questionnaire
        )
        == f"question-{questionnaire.questions.get(key='bleeding').pk}"
    )
    assert locate_problem("Add at least one outcome.", questionnaire) == "outcomes"


def test_codes_and_keys_made_from_text_never_clash():
    assert unique_slug("Yes", set(), 60, "answer") == "yes"
    assert unique_slug("Yes", {"yes"}, 60, "answer") == "yes-2"
    assert unique_slug("Yes", {"yes", "yes-2"}, 60, "answer") == "yes-3"
    assert unique_slug("???", set(), 60, "answer") == "answer"


def test_saving_the_demo_questionnaire_unchanged_changes_nothing_in_it(client_as_author):
    """Every kind of question and rule the demo uses (choices, numbers, exclusive answers,
    show-ifs, scores, red flags) survives a round trip through the page exactly, and nothing
    is written again."""
    from conditions.demo import questionnaires as demo
    from tests.factories import ConditionFactory, editors

    ConditionFactory(published=True, slug="milia", name="Milia")
    demo.load(*editors())
    questionnaire = Questionnaire.objects.get(slug="white-spots")
    before = questionnaire.spec()
    histories = [Question.history, Outcome.history, AnswerOption.history]
    history_rows = [h.count() for h in histories]
    response = client_as_author.get(build_url(questionnaire))
    assert response.status_code == 200
    saved = client_as_author.post(build_url(questionnaire), page_data(response))
    assert saved.status_code == 302
    questionnaire.refresh_from_db()
    after = questionnaire.spec()
    before.pop("version"), after.pop("version")
    assert after == before
    # Rows left as they were are not written again: no history of changes that were not made.
    assert [h.count() for h in histories] == history_rows


def test_changing_an_outcomes_advice_on_the_page_asks_for_its_sign_off_again(
    client_as_author,
):
    questionnaire = make_questionnaire(
        slug="signed",
        publish=False,
        questions=[
            {
                "key": "age",
                "text": "How old is the baby in weeks?",
                "kind": "number",
                "min": 0,
                "max": 52,
            }
        ],
        outcomes=[
            {
                "slug": "young",
                "rule": "any",
                "triggers": [("age", "lt", 6)],
                "needs_signoff": True,
                "signoff_note": "6 weeks is a product decision",
            },
            {"slug": "self-care", "urgency": "self_care", "rule": "default"},
        ],
    )
    outcome = questionnaire.outcomes.get(slug="young")
    outcome.sign_off(UserFactory(username="signer"))
    data = page_data(client_as_author.get(build_url(questionnaire)))
    index = next(
        k.split("-")[1] for k, v in data.items() if k.endswith("-id") and v == str(outcome.pk)
    )
    data[f"o-{index}-title"] = "Young"  # not clinical: the sign-off stands
    assert client_as_author.post(build_url(questionnaire), data).status_code == 302
    outcome.refresh_from_db()
    assert outcome.signed_off_at is not None
    data = page_data(client_as_author.get(build_url(questionnaire)))
    data[f"o-{index}-next_steps"] = "Ring your GP today."
    assert client_as_author.post(build_url(questionnaire), data).status_code == 302
    outcome.refresh_from_db()
    assert outcome.signed_off_at is None
    # The number test this page does not edit is kept and shown.
    assert outcome.triggers.get().operator == "lt"


# -- every kind of test on the Build page: "is not" and number comparisons as rows ----------------
@pytest.fixture
def weeks_and_spot(empty):
    weeks = Question.objects.create(
        questionnaire=empty,
        order=10,
        key="weeks",
        text="How many weeks have you had it?",
        kind="number",
        min_value=0,
        max_value=520,
    )
    spot = Question.objects.create(
        questionnaire=empty, order=20, key="bleeds", text="Does it bleed?", kind="yes_no"
    )
    AnswerOption.objects.create(question=spot, order=0, code="yes", text="Yes")
    AnswerOption.objects.create(question=spot, order=1, code="no", text="No")
    later = Question.objects.create(
        questionnaire=empty, order=30, key="itch", text="Does it itch?", kind="yes_no"
    )
    outcome = Outcome.objects.create(
        questionnaire=empty,
        slug="see-gp",
        title="See your GP",
        urgency="routine",
        rule="any",
        explanation="It should be looked at.",
        next_steps="Book an appointment.",
    )
    return weeks, spot, later, outcome


def _question_index(response, question) -> int:
    forms_ = response.context["builder"].questions.forms
    return next(i for i, f in enumerate(forms_) if f.instance.pk == question.pk)


def _outcome_index(response, outcome) -> int:
    forms_ = response.context["builder"].outcomes.forms
    return next(i for i, f in enumerate(forms_) if f.instance.pk == outcome.pk)


def test_number_and_is_not_rules_are_written_on_the_build_page(
    client_as_author, empty, weeks_and_spot
):
    weeks, spot, later, outcome = weeks_and_spot
    response = client_as_author.get(build_url(empty))
    q, o = _question_index(response, later), _outcome_index(response, outcome)
    page = response.content.decode()
    assert f'name="q-{q}-rules-0-number"' in page  # a row to write a number test in
    assert f'name="o-{o}-rules-0-operator"' in page
    no = spot.options.get(code="no")
    data = page_data(response) | {
        # Show "Does it itch?" only if the spot does not answer "No"...
        f"q-{q}-rules-0-source_question": str(spot.pk),
        f"q-{q}-rules-0-operator": "is_not",
        f"q-{q}-rules-0-option": str(no.pk),
        # ...and the outcome is reached when it has lasted at least 6 weeks.
        f"o-{o}-rules-0-source_question": str(weeks.pk),
        f"o-{o}-rules-0-operator": "gte",
        f"o-{o}-rules-0-number": "6",
    }
    version = empty.version
    assert client_as_author.post(build_url(empty), data).status_code == 302
    assert [(s.source_question_id, s.operator, s.option_id) for s in later.show_if.all()] == [
        (spot.pk, "is_not", no.pk)
    ]
    trigger = outcome.triggers.get()
    assert (trigger.source_question_id, trigger.operator, trigger.number) == (weeks.pk, "gte", 6)
    empty.refresh_from_db()
    assert empty.version == version + 1

    # Shown again as rows, changed (6 -> 8 weeks) and deleted from the page.
    response = client_as_author.get(build_url(empty))
    o = _outcome_index(response, outcome)
    q = _question_index(response, later)
    assert response.context["builder"].outcomes.forms[o].rules.forms[0]["number"].value() == 6
    data = page_data(response) | {f"o-{o}-rules-0-number": "8", f"q-{q}-rules-0-DELETE": "on"}
    assert client_as_author.post(build_url(empty), data).status_code == 302
    assert outcome.triggers.get().number == 8
    assert not later.show_if.exists()


@pytest.mark.parametrize(
    "row, field, message",
    [
        (
            {"source_question": "weeks", "operator": "is_not", "number": "6"},
            "operator",
            "is at least",
        ),
        ({"source_question": "weeks", "operator": "lt"}, "number", "Write the number"),
        ({"source_question": "spot", "operator": "gte", "option": "yes"}, "operator", "is not"),
        ({"source_question": "spot", "operator": "is_not"}, "option", "Pick the answer"),
        ({"source_question": "spot", "operator": "is_not", "number": "3"}, "number", "compared"),
        ({"operator": "is_not", "option": "yes"}, "source_question", "required"),
    ],
)
def test_a_wrong_rule_is_refused_with_the_problem_beside_its_field(
    client_as_author, empty, weeks_and_spot, row, field, message
):
    weeks, spot, later, outcome = weeks_and_spot
    response = client_as_author.get(build_url(empty))
    o = _outcome_index(response, outcome)
    values = {"weeks": weeks.pk, "spot": spot.pk, "yes": spot.options.get(code="yes").pk}
    data = page_data(response)
    for name, value in row.items():
        data[f"o-{o}-rules-0-{name}"] = str(values.get(value, value))
    response = client_as_author.post(build_url(empty), data)
    assert response.status_code == 400
    assert not outcome.triggers.exists()
    rule = response.context["builder"].outcomes.forms[o].rules.forms[0]
    assert message in " ".join(rule.errors[field])
    assert not rule.non_field_errors()  # by the field, not repeated for the row
    page = unescape(response.content.decode())
    anchor = f"id_o-{o}-rules-0-{field}"
    assert f'<a href="#{anchor}">Outcome {o + 1} (“See your GP”)' in page  # the summary links it
    cell = page.split(f'id="{anchor}"', 1)[1].split("</td>", 1)[0]
    assert message in cell  # and the message sits in the field's own cell


def test_rules_under_a_blank_new_question_ask_for_the_question(
    client_as_author, empty, weeks_and_spot
):
    weeks, *_ = weeks_and_spot
    response = client_as_author.get(build_url(empty))
    new = len(response.context["builder"].questions.initial_forms)  # the first blank slot
    data = page_data(response) | {
        f"q-{new}-rules-0-source_question": str(weeks.pk),
        f"q-{new}-rules-0-operator": "lt",
        f"q-{new}-rules-0-number": "2",
    }
    response = client_as_author.post(build_url(empty), data)
    assert response.status_code == 400
    assert "Write the question for these rules." in response.content.decode()


def _offered(body: str, name: str) -> list[tuple[str, str, bool]]:
    """The choices the page offers in the field `name` (ticks or a select): (value, label, chosen)."""
    ticks = re.findall(
        rf'<input type="checkbox" name="{re.escape(name)}" value="([^"]*)"([^>]*)> '
        r'<label for="[^"]+">([^<]*)</label>',
        body,
    )
    if ticks:
        return [(value, unescape(label), " checked" in attrs) for value, attrs, label in ticks]
    select = re.search(rf'<select name="{re.escape(name)}"[^>]*>(.*?)</select>', body, re.S)
    if select is None:
        return []
    options = re.findall(r'<option value="([^"]*)"([^>]*)>([^<]*)</option>', select[1])
    return [(value, unescape(label), " selected" in attrs) for value, attrs, label in options]


def test_each_question_offers_the_earlier_answers_and_each_outcome_all_chosen_as_saved(
    client_as_author,
):
    """Show-if ticks and rule rows under a question list the answers of the questions before it
    (an outcome's, every answer), each by "Question → Answer", ticked or selected as saved; the
    lists come from one query for the whole page, however many questions it has."""
    from tests.conditions.questionnaire_factories import URGENT_OUTCOMES, URGENT_QUESTIONS

    questionnaire = make_questionnaire(
        questions=URGENT_QUESTIONS, outcomes=URGENT_OUTCOMES, publish=False
    )
    who, breathing, spots = (
        questionnaire.questions.get(key=k) for k in ("who", "breathing", "spots")
    )
    child = who.options.get(code="child")
    Question.objects.filter(pk=who.pk).update(text="Who is it <b>for</b>?")  # written as text
    who.refresh_from_db()
    today = questionnaire.outcomes.get(slug="today")
    OutcomeTrigger.objects.create(
        outcome=today,
        source_question=spots,
        operator="is_not",
        option=spots.options.get(code="none"),
    )
    body = client_as_author.get(build_url(questionnaire)).content.decode()
    assert "<b>for</b>" not in body and "Who is it &lt;b&gt;for&lt;/b&gt;? → A child" in body

    def label(option):
        return f"{option.question.text} → {option.text}"

    every = list(
        AnswerOption.objects.filter(question__questionnaire=questionnaire)
        .select_related("question")
        .order_by("question__order", "question_id", "order", "pk")
    )
    before_spots = [a for a in every if a.question_id in (who.pk, breathing.pk)]
    assert _offered(body, "q-0-show_if_answers") == []  # nothing before the first question
    assert _offered(body, "q-1-show_if_answers") == [
        (str(a.pk), label(a), a == child) for a in every if a.question_id == who.pk
    ]
    assert _offered(body, "q-2-show_if_answers") == [
        (str(a.pk), label(a), False) for a in before_spots
    ]
    assert _offered(body, "q-2-rules-0-option") == [("", "---------", True)] + [
        (str(a.pk), label(a), False) for a in before_spots
    ]
    assert _offered(body, "q-2-rules-0-source_question") == [
        ("", "---------", True),  # a blank row to add a test
        (str(who.pk), who.text, False),
        (str(breathing.pk), breathing.text, False),
    ]
    n = next(
        i for i, f in enumerate(questionnaire.outcomes.order_by("-priority", "pk")) if f == today
    )
    fever_yes = next(a for a in every if a.question.key == "fever" and a.code == "yes")
    assert _offered(body, f"o-{n}-trigger_answers") == [
        (str(a.pk), label(a), a == fever_yes) for a in every
    ]
    none = spots.options.get(code="none")
    assert _offered(body, f"o-{n}-rules-0-option") == [("", "---------", False)] + [
        (str(a.pk), label(a), a == none) for a in every
    ]
    assert ("is_not", "is not", True) in _offered(body, f"o-{n}-rules-0-operator")

    # One query lists the answers for every question and outcome on the page.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client_as_author.get(build_url(questionnaire))
    listing = [
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "conditions_answeroption"' in q["sql"]
        and '"conditions_question"."text"' in q["sql"]
    ]  # answers with their question's text (the answers tables under questions have none)
    assert len(listing) == 1, listing

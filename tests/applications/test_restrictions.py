"""Which restrictions an applicant's self-check may touch: all 27 answer combinations."""

import itertools

import pytest

from applications.forms import ConsultationForm
from applications.models import Answer, Inquiry
from applications.restrictions import Concern, restriction_concerns
from portal.models import RestrictionTopic

# The questions, in the order the form asks them.
TOPICS = ["licensing", "subsidy", "contract"]
ANSWERS = ["yes", "no", "unsure"]
COMBINATIONS = list(itertools.product(ANSWERS, repeat=len(TOPICS)))


def test_there_are_27_combinations_of_three_questions():
    assert len(COMBINATIONS) == 27
    assert sorted(ANSWERS) == sorted(Answer.values)


def test_the_questions_are_asked_in_the_order_of_the_restriction_topics():
    fields = [name for name in ConsultationForm.SCALAR_FIELDS if name.endswith("_relation")]
    assert fields == [f"{topic}_relation" for topic in TOPICS]
    assert list(RestrictionTopic.values) == TOPICS


@pytest.mark.parametrize("combination", COMBINATIONS, ids="-".join)
def test_yes_and_unsure_answers_raise_concerns_in_question_order(combination):
    answers = dict(zip(TOPICS, combination, strict=True))
    expected = [(topic, answer) for topic, answer in answers.items() if answer in ("yes", "unsure")]

    concerns = restriction_concerns(answers)

    assert [(concern.topic, concern.answer) for concern in concerns] == expected
    assert all(isinstance(concern, Concern) for concern in concerns)
    assert [concern.is_certain for concern in concerns] == [
        answer == "yes" for _, answer in expected
    ]


@pytest.mark.parametrize("combination", COMBINATIONS, ids="-".join)
def test_an_inquiry_s_answers_give_the_same_concerns(combination):
    licensing, subsidy, contract = (Answer(answer) for answer in combination)
    inquiry = Inquiry(
        licensing_relation=licensing, subsidy_relation=subsidy, contract_relation=contract
    )

    concerns = restriction_concerns(inquiry.restriction_answers)

    assert [concern.topic for concern in concerns] == [
        topic for topic, answer in zip(TOPICS, combination, strict=True) if answer != "no"
    ]
    assert [concern.is_certain for concern in concerns] == [
        answer == "yes" for answer in combination if answer != "no"
    ]


def test_all_no_raises_no_concern():
    assert restriction_concerns(dict.fromkeys(TOPICS, "no")) == []

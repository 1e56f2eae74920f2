"""Which placement restrictions an applicant's self-check answers may touch: a pure rule."""

from typing import NamedTuple

from applications.models import Answer

QUESTION_ORDER = ("licensing", "subsidy", "contract")


class Concern(NamedTuple):
    """A restriction topic to discuss, and the answer that raised it."""

    topic: str
    answer: str

    @property
    def is_certain(self):
        """The applicant said yes (rather than "unsure")."""
        return self.answer == Answer.YES


def restriction_concerns(answers):
    """The topics to discuss, in question order: every "yes" or "unsure" answer.

    A concern never blocks a request; it tells the bureau what to check first.
    ``answers`` maps a topic (licensing, subsidy, contract) to an Answer value.
    """
    return [
        Concern(topic, answers[topic])
        for topic in QUESTION_ORDER
        if answers.get(topic) in (Answer.YES, Answer.UNSURE)
    ]

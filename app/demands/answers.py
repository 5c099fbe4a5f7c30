""" "Is it solved?" answers of everyone attached to a need, and what counts as solved.

The submitter's answer is kept on the need (`confirmation_answer`); supporters' answers (including the
people whose needs were merged into this one) are rows of `demand_answers`. A need is satisfied (满意清单,
evaluation item 1) when it is done and more of the people who answered said "yes" than "no".
"""

from sqlalchemy import and_, case, func, select

from app.common.extensions import db
from app.demands.models import Demand, DemandAnswer


def _supporters_tally():
    return (
        select(
            DemandAnswer.demand_id.label("demand_id"),
            func.count().filter(DemandAnswer.answer == "yes").label("yes"),
            func.count().filter(DemandAnswer.answer == "no").label("no"),
            func.count().filter(DemandAnswer.answer == "unsure").label("unsure"),
        )
        .group_by(DemandAnswer.demand_id)
        .subquery("answer_tally")
    )


def _own(answer: str):
    return case((Demand.confirmation_answer == answer, 1), else_=0)


def with_tally(query):
    """Joins the answer tally to a query over Demand; returns (query, yes, no) column expressions."""
    tally = _supporters_tally()
    query = query.outerjoin(tally, tally.c.demand_id == Demand.id)
    yes = func.coalesce(tally.c.yes, 0) + _own("yes")
    no = func.coalesce(tally.c.no, 0) + _own("no")
    return query, yes, no


def satisfied(yes, no):
    """The condition "done and solved in the eyes of those who answered"."""
    return and_(Demand.status == "done", yes > no)


def tallies(demand_ids) -> dict[int, dict]:
    """{need id: {yes, no, unsure}} over everyone attached, for a page of needs."""
    if not demand_ids:
        return {}
    counts = {i: {"yes": 0, "no": 0, "unsure": 0} for i in demand_ids}
    for demand_id, answer in db.session.execute(
        select(Demand.id, Demand.confirmation_answer).where(
            Demand.id.in_(demand_ids), Demand.confirmation_answer.is_not(None)
        )
    ):
        counts[demand_id][answer] += 1
    for demand_id, answer, n in db.session.execute(
        select(DemandAnswer.demand_id, DemandAnswer.answer, func.count())
        .where(DemandAnswer.demand_id.in_(demand_ids))
        .group_by(DemandAnswer.demand_id, DemandAnswer.answer)
    ):
        counts[demand_id][answer] += n
    return counts


def my_answers(user, demand_ids) -> dict[int, str]:
    """The user's own supporter answers on these needs."""
    if user is None or not demand_ids:
        return {}
    rows = db.session.execute(
        select(DemandAnswer.demand_id, DemandAnswer.answer).where(
            DemandAnswer.user_id == user.id, DemandAnswer.demand_id.in_(demand_ids)
        )
    )
    return dict(rows.all())

"""Residents' needs of the year (需求清单) with "me too" supports and timelines, and the projects (项目清单)
the accepted 缺少业态 needs became, as far along as the circle's scenario says.

Rows are plain dicts; `_project` (index into the projects), `_supporters` and `_timeline` are resolved
to ids when written (records.py). The timeline uses the same actions as the demands package.
"""

import random
from datetime import datetime, timedelta

from app.demo import texts
from app.demo.civic import point
from app.demo.context import SOURCE_CLIENT, CircleContext, Clock
from app.taxonomy.registry import taxonomy

WISHES = ["elderly_care", "childcare", "community_canteen", "bookstore", "fitness", "kids_play", "private_clinic",
          "wet_market", "pharmacy", "repair", "breakfast"]  # fmt: skip
KINDS = (("missing_type", 0.55), ("service_quality", 0.2), ("outlet_closed", 0.08), ("other", 0.17))


class Need:
    def __init__(self, ctx: CircleContext, clock: Clock, rng: random.Random, kind: str, business_type=None):
        self.rng, self.clock = rng, clock
        self.user = rng.choice(ctx.residents)
        self.place = rng.choice(ctx.outlets)
        self.community = ctx.community_name(self.place)
        self.created = clock.moment(rng, before=clock.now - timedelta(days=2))
        self.timeline = [self.event(self.created, "resident", "submitted", to_status="submitted", actor=self.user)]
        self.row = {
            "kind": kind,
            "business_type": business_type,
            "outlet_id": self.place.id if kind in ("service_quality", "outlet_closed") else None,
            "text": _text(kind, business_type, self.place.name, self.community, rng),
            "address": f"{self.place.address}附近",
            "location": point(self.place.lng + rng.uniform(-4e-4, 4e-4), self.place.lat + rng.uniform(-4e-4, 4e-4)),
            "circle_id": ctx.id,
            "community_id": self.place.community_id,
            "user_id": self.user,
            "source": "app",
            "source_client": SOURCE_CLIENT,
            "status": "submitted",
            "priority": "normal",
            "moderation": "visible",
            "public_reply": None,
            "reject_reason": None,
            "closed_at": None,
            "confirmation_requested_at": None,
            "confirmation_answer": None,
            "confirmed_at": None,
            "created_at": self.created,
            "updated_at": self.created,
            "_project": None,
            "_supporters": [],
            "_timeline": self.timeline,
        }

    def event(self, at: datetime, role: str, action: str, actor=None, public=True, **fields) -> dict:
        return {"actor_id": actor, "actor_role": role, "action": action, "public": public, "created_at": at} | {
            "from_status": fields.get("from_status"),
            "to_status": fields.get("to_status"),
            "note": fields.get("note"),
            "data": fields.get("data") or {},
        }

    def later(self, after: datetime, days: tuple[int, int]) -> datetime:
        """A moment some days after `after`, never in the future."""
        at = after + timedelta(days=self.rng.uniform(*days))
        return min(at, self.clock.now - timedelta(minutes=10))

    def move(self, status: str, at: datetime, staff: int, note: str | None = None, data=None):
        old, self.row["status"] = self.row["status"], status
        self.row["updated_at"] = at
        if status in ("done", "rejected"):
            self.row["closed_at"] = at
        if status == "done":
            self.row["confirmation_requested_at"] = at
        self.timeline.append(
            self.event(at, "staff", "status", actor=staff, from_status=old, to_status=status, note=note, data=data)
        )


def _text(kind, business_type, outlet_name, community, rng) -> str:
    if kind == "missing_type":
        name = taxonomy().business_type(business_type).name_zh
        return texts.MISSING_TEXTS.get(business_type, texts.MISSING_DEFAULT).format(p=community, t=name)
    table = {"service_quality": texts.QUALITY_TEXTS, "outlet_closed": texts.CLOSED_TEXTS}.get(kind, texts.OTHER_TEXTS)
    return rng.choice(table).format(o=outlet_name, p=community)


def _kind(rng: random.Random) -> str:
    return rng.choices([k for k, _ in KINDS], weights=[w for _, w in KINDS])[0]


def _wanted(ctx: CircleContext, rng: random.Random) -> str:
    absent = ctx.missing_basic + [code for code in WISHES if code not in ctx.present]
    return rng.choice(absent) if absent and rng.random() < 0.75 else rng.choice(WISHES)


def needs_and_projects(ctx: CircleContext, staff: int, clock: Clock, rng: random.Random):
    """(projects, needs): dict rows for the circle's year."""
    count = rng.randint(*ctx.scenario.needs)
    kinds = [_kind(rng) for _ in range(count)]
    if ctx.scenario.projects != "none" and "missing_type" not in kinds:
        kinds[0] = "missing_type"  # a needs list with a project needs at least one accepted need
    needs = [Need(ctx, clock, rng, kind, _wanted(ctx, rng) if kind == "missing_type" else None) for kind in kinds]
    for need in needs:
        supporters = [u for u in ctx.residents if u != need.user]
        many = 8 if ctx.scenario.key == "exemplary" else 4
        for user in rng.sample(supporters, min(len(supporters), int(rng.expovariate(1 / many)))):
            need.row["_supporters"].append((user, need.later(need.created, (0.2, 30))))
        supports = len(need.row["_supporters"])
        need.row["priority"] = "urgent" if supports >= 15 else "high" if supports >= 6 else "normal"
    _triage(ctx, needs, staff, rng)
    projects = _projects(ctx, [n for n in needs if n.row["kind"] == "missing_type"], staff, clock, rng)
    for need in needs:  # a closed need takes no more "me too"
        if closed := need.row["closed_at"]:
            need.row["_supporters"] = [(user, min(at, closed)) for user, at in need.row["_supporters"]]
    return projects, [n.row for n in needs]


def _triage(ctx: CircleContext, needs: list[Need], staff: int, rng: random.Random):
    """Staff decisions on the needs that are not 缺少业态 (those go to projects)."""
    mode = ctx.scenario.projects
    for need in needs:
        kind = need.row["kind"]
        if kind == "missing_type" or mode == "none" or rng.random() < (0.2 if mode != "planned" else 0.6):
            continue
        at = need.later(need.created, (1, 6))
        if kind == "other" and rng.random() < 0.3:
            need.row["reject_reason"] = texts.REPLIES["rejected"]
            need.move("rejected", at, staff, note=texts.REPLIES["rejected"])
            continue
        need.move("accepted", at, staff, note="已纳入需求清单")
        if kind in ("service_quality", "outlet_closed") and mode != "planned":
            reply = texts.REPLIES["service_done" if kind == "service_quality" else "closed_done"]
            need.row["public_reply"] = reply
            need.timeline.append(need.event(need.later(at, (1, 5)), "staff", "reply", actor=staff, note=reply))
            need.move("done", need.later(at, (2, 10)), staff, note=reply)


def _projects(ctx: CircleContext, wanted: list[Need], staff: int, clock: Clock, rng: random.Random) -> list[dict]:
    mode = ctx.scenario.projects
    if mode == "none":
        return []
    if mode == "planned":  # half wait for triage
        linked = wanted[: max(1, len(wanted) // 2)]
    else:  # needs of the last weeks are on the list but not yet in a project
        linked = [n for n in wanted if n.created < clock.now - timedelta(days=30)] or wanted[:1]
        for need in wanted:
            if need not in linked:
                need.move("accepted", need.later(need.created, (1, 4)), staff, note="已纳入需求清单")
    groups: dict[str, list[Need]] = {}
    for need in linked:
        groups.setdefault(need.row["business_type"], []).append(need)
    projects = []
    for i, (code, group) in enumerate(sorted(groups.items())):
        status = {"done": "done", "planned": "planned"}.get(mode) or ("done" if i == 0 else "in_progress")
        projects.append(_project(ctx, code, group, status, len(projects), staff, clock, rng))
    return projects


def _project(ctx, code: str, group: list[Need], status: str, index: int, staff: int, clock: Clock, rng) -> dict:
    first = min(group, key=lambda n: n.created)
    accepted = first.later(max(n.created for n in group), (1, 7))
    title = texts.PROJECTS.get(code, texts.PROJECT_DEFAULT).format(
        p=first.community, t=taxonomy().business_type(code).name_zh
    )
    created = first.later(accepted, (1, 10))
    start = first.later(created, (3, 15))
    end = first.later(start, (20, 90))
    today = clock.now.date()
    row = {
        "circle_id": ctx.id,
        "business_type": code,
        "title": title,
        "description": f"由居民需求汇总立项：{first.row['text']}。演示数据（程序生成）。",
        "location": first.row["location"],
        "address": first.row["address"],
        "urgency": max((n.row["priority"] for n in group), key=("low", "normal", "high", "urgent").index),
        "status": status,
        "progress": {"done": 100, "planned": 0}.get(status) or rng.randint(20, 80),
        "planned_start": start.date() if status != "planned" else today + timedelta(days=rng.randint(10, 40)),
        "created_by": staff,
        "created_at": created,
        "updated_at": end if status == "done" else created,
    }
    row["planned_end"] = row["planned_start"] + timedelta(days=rng.randint(30, 120))
    row["actual_start"] = start.date() if status != "planned" else None
    row["actual_end"] = end.date() if status == "done" else None
    for need in group:
        need.move("accepted", accepted, staff, note="已纳入需求清单")
        need.row["_project"] = index
        need.timeline.append(need.event(created, "staff", "project_linked", actor=staff, note=title, data="project"))
        if status == "in_progress":
            need.move("in_progress", start, staff, note=f"项目建设中：{title}")
        elif status == "done":
            need.move("done", end, staff, note=f"项目已完成：{title}", data="project")
            _confirm(need, end, rng)
    return row


def _confirm(need: Need, asked: datetime, rng: random.Random):
    """Most submitters answer "is it solved?"; "no" would reopen the need, so the demo's say yes or unsure."""
    answer = rng.choices(("yes", "unsure", None), weights=(65, 10, 25))[0]
    if answer is None:
        return
    at = need.later(asked, (0.5, 7))
    need.row.update(confirmation_answer=answer, confirmed_at=at)
    note = {"yes": "已解决", "unsure": "不确定"}[answer]
    need.timeline.append(
        need.event(at, "resident", "confirmation", actor=need.user, note=note, data={"answer": answer})
    )

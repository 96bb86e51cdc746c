"""The whole plan as JSON-ready data and as CSV, quirks included.

Both read the strategy with a fixed number of queries, however many actions it
has. The CSV is one row per action and is the layout the delivery
capability's spreadsheet import reads back: several values in one cell are
joined with " | ", and it is written by core.tabular.write_table, which
neutralises any cell a spreadsheet would run as a formula.
"""

from typing import Any

from django.db.models import Prefetch

from vawg.core.models import Organisation, PartnershipBody
from vawg.core.tabular import write_table
from vawg.strategy.models import (
    Action,
    GovernanceRole,
    MeasureOfSuccess,
    Objective,
    Priority,
    Quirk,
    Strategy,
)

EXPORT_FORMAT_VERSION = 1
JOIN = " | "
CSV_COLUMNS = [
    "strategy",
    "priority_code",
    "priority",
    "objectives",
    "ref",
    "ref_assigned",
    "activity",
    "sub_activities",
    "measures_intro",
    "measures",
    "leads",
    "leads_as_written",
    "deliver_by",
    "quirks",
]


def plan_as_dict(strategy: Strategy) -> dict[str, Any]:
    """strategy → priorities → objectives/goals and actions, beside governance and measures."""
    s = _whole_plan(strategy)
    partnership = s.partnership
    bodies = PartnershipBody.objects.filter(partnership=partnership).select_related("reports_to")
    organisations = Organisation.objects.filter(partnership=partnership)
    return {
        "format_version": EXPORT_FORMAT_VERSION,
        "partnership": {
            "name": partnership.name,
            "slug": partnership.slug,
            "region": partnership.region.name,
        },
        "source": {
            "title": s.source_title,
            "seed_file": s.source_file,
            "sha256": s.source_sha256,
            "data_file": s.data_file,
            "data_version": s.data_version,
        },
        "strategy": {
            "slug": s.slug,
            "title": s.title,
            "period": {"start_year": s.start_year, "end_year": s.end_year, "label": s.period_label},
            "vision": s.vision,
            "summary": s.summary,
            "principles": [{"title": p.title, "text": p.text} for p in s.principles.all()],
            "quirks": [_quirk(q) for q in s.own_quirks],
            "priorities": [_priority(p) for p in s.priorities.all()],
        },
        "governance": [
            {
                "body": g.body.name,
                "kind": g.body.kind,
                "description": g.description,
                "reports_to": g.body.reports_to.name if g.body.reports_to else None,
            }
            for g in s.governance.all()
        ],
        "bodies": [
            {
                "name": b.name,
                "kind": b.kind,
                "description": b.description,
                "reports_to": b.reports_to.name if b.reports_to else None,
                "aliases": list(b.aliases or []),
            }
            for b in bodies
        ],
        "organisations": [
            {"name": o.name, "kind": o.kind, "aliases": list(o.aliases or [])}
            for o in organisations
        ],
        "measures_of_success": [
            {
                "number": m.number,
                "text": m.text,
                "direction": m.direction or None,
                "direction_basis": m.direction_basis,
                "quirks": [_quirk(q) for q in m.quirks.all()],
            }
            for m in s.measures_of_success.all()
        ],
    }


def plan_rows(strategy: Strategy) -> list[list]:
    """One row per action in the plan's order, under CSV_COLUMNS."""
    s = _whole_plan(strategy)
    rows = []
    for priority in s.priorities.all():
        objectives = JOIN.join(_numbered(o.number, o.text) for o in priority.objectives.all())
        for action in priority.actions.all():
            rows.append(
                [
                    s.slug,
                    priority.code,
                    priority.title,
                    objectives,
                    action.ref,
                    action.ref_assigned,
                    action.activity,
                    JOIN.join(
                        _numbered(i.get("label", ""), i.get("text", "")) for i in _items(action)
                    ),
                    action.measures_intro,
                    JOIN.join(_numbered(m.label, m.text) for m in action.measures.all()),
                    JOIN.join(lead.name_as_written for lead in action.leads.all()),
                    action.leads_as_written,
                    _deliver_by(action) or action.deliver_by_as_written,
                    JOIN.join(_quirk_text(q) for q in action.quirks.all()),
                ]
            )
    return rows


def plan_csv(strategy: Strategy) -> str:
    """A header row, then one row per action in the plan's order, as text (for a terminal;
    a download is written from plan_rows by vawg.exchange.exporting)."""
    return write_table("csv", CSV_COLUMNS, plan_rows(strategy)).decode("utf-8-sig")


def _whole_plan(strategy: Strategy) -> Strategy:
    """The strategy with everything the exports show, in a fixed number of queries."""
    actions = Action.objects.order_by("order").prefetch_related(
        "measures", "leads__organisation", "leads__body", "quirks"
    )
    priorities = (
        Priority.objects.select_related("workstream")
        .prefetch_related(
            "quirks",
            Prefetch("objectives", queryset=Objective.objects.prefetch_related("quirks")),
            Prefetch("actions", queryset=actions),
        )
        .order_by("order")
    )
    own_quirks = Quirk.objects.filter(
        priority__isnull=True,
        objective__isnull=True,
        action__isnull=True,
        measure_of_success__isnull=True,
    )
    return (
        Strategy.objects.select_related("partnership__region")
        .prefetch_related(
            "principles",
            Prefetch("priorities", queryset=priorities),
            Prefetch("quirks", queryset=own_quirks, to_attr="own_quirks"),
            Prefetch(
                "governance",
                queryset=GovernanceRole.objects.select_related("body__reports_to"),
            ),
            Prefetch(
                "measures_of_success",
                queryset=MeasureOfSuccess.objects.prefetch_related("quirks"),
            ),
        )
        .get(pk=strategy.pk)
    )


def _priority(p: Priority) -> dict[str, Any]:
    objectives = list(p.objectives.all())
    return {
        "code": p.code,
        "number": p.number,
        "title": p.title,
        "summary": p.summary,
        "aims": list(p.aims or []),
        "in_plan_only": p.in_plan_only,
        "workstream": p.workstream.name if p.workstream else None,
        "objectives": [_objective(o) for o in objectives if o.kind == Objective.Kind.OBJECTIVE],
        "goals": [_objective(o) for o in objectives if o.kind == Objective.Kind.GOAL],
        "quirks": [_quirk(q) for q in p.quirks.all()],
        "actions": [_action(a) for a in p.actions.all()],
    }


def _objective(o: Objective) -> dict[str, Any]:
    return {"number": o.number, "text": o.text, "quirks": [_quirk(q) for q in o.quirks.all()]}


def _action(a: Action) -> dict[str, Any]:
    return {
        "position": a.order,
        "ref": a.ref,
        "ref_assigned": a.ref_assigned,
        "activity": a.activity,
        "sub_activities": [
            {"label": i.get("label", ""), "text": i.get("text", "")} for i in _items(a)
        ],
        "measures_intro": a.measures_intro,
        "measures": [{"label": m.label, "text": m.text} for m in a.measures.all()],
        "leads": [
            {"name_as_written": lead.name_as_written, "resolved_to": _resolved_to(lead)}
            for lead in a.leads.all()
        ],
        "leads_as_written": a.leads_as_written,
        "deliver_by": _deliver_by(a),
        "deliver_by_as_written": a.deliver_by_as_written,
        "quirks": [_quirk(q) for q in a.quirks.all()],
    }


def _resolved_to(lead) -> dict[str, str] | None:
    if lead.organisation is not None:
        return {"type": "organisation", "name": lead.organisation.name}
    if lead.body is not None:
        return {"type": "body", "name": lead.body.name}
    return None


def _deliver_by(a: Action) -> str | None:
    return a.deliver_by.isoformat() if a.deliver_by else None


def _items(a: Action) -> list[dict]:
    return [i for i in (a.sub_activities or []) if isinstance(i, dict)]


def _quirk(q: Quirk) -> dict[str, Any]:
    return {
        "code": q.code,
        "label": q.get_code_display(),
        "detail": q.detail,
        "resolved": not q.open,
        "resolved_at": q.resolved_at.isoformat() if q.resolved_at else None,
    }


def _quirk_text(q: Quirk) -> str:
    return f"{q.code}{'' if q.open else ' (resolved)'}: {q.detail}"


def _numbered(label: str, text: str) -> str:
    return f"{label} {text}".strip()

"""Writes to the strategy: completing what the source left out, and exporting the plan."""

import json
from datetime import date

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import dateformat, timezone

from vawg.audit.services import Action as AuditAction
from vawg.audit.services import record
from vawg.core.models import Organisation, PartnershipBody
from vawg.exchange.exporting import ExportFile, Table, export_file, record_export
from vawg.strategy import exports
from vawg.strategy.models import Action, ActionLead, MeasureOfSuccess, Quirk, Strategy

# Kept in the measure's direction_basis so nobody mistakes the admin's choice for the source's.
DIRECTION_BASIS = "Completed by the partnership (not stated in the source)"

Code = Quirk.Code
LEAD_CODES = frozenset({Code.NO_LEAD, Code.UNRESOLVED_LEAD})


def quirk_completion(quirk: Quirk) -> str:
    """What completing `quirk` changes: "direction", "deliver_by", "lead", or "" (a note only)."""
    if quirk.code == Code.DIRECTION_LOST and quirk.measure_of_success_id:
        return "direction"
    if quirk.code == Code.NO_DELIVER_BY and quirk.action_id:
        return "deliver_by"
    if quirk.code in LEAD_CODES and quirk.action_id:
        return "lead"
    return ""


@transaction.atomic
def quirk_resolve(
    *,
    quirk: Quirk,
    actor,
    note: str,
    direction: str | None = None,
    deliver_by: date | None = None,
    organisation: Organisation | None = None,
    body: PartnershipBody | None = None,
    request: HttpRequest | None = None,
) -> Quirk:
    """Apply the admin's completion to the item the quirk is about, and mark the quirk resolved.

    Raises ValidationError (nothing changed) when the quirk is already resolved or the
    completion does not suit it.
    """
    # Locked so that two admins completing the same quirk cannot both succeed.
    quirk = (
        Quirk.objects.select_for_update(of=("self",))
        .select_related("strategy", "action", "measure_of_success")
        .get(pk=quirk.pk)
    )
    if not quirk.open:
        raise ValidationError(
            f"This quirk was already completed on {_day(quirk.resolved_at)}; "
            "it cannot be completed twice."
        )
    note = (note or "").strip()
    given = {
        "direction": direction,
        "deliver_by": deliver_by,
        "lead": organisation or body,
    }
    completion = quirk_completion(quirk)
    unexpected = [name for name, value in given.items() if value and name != completion]
    if unexpected:
        raise ValidationError(
            f"A “{quirk.get_code_display()}” quirk cannot be completed with "
            f"{', '.join(n.replace('_', '-') for n in unexpected)}."
        )
    changed: dict = {}
    if completion == "direction":
        changed = _complete_direction(_measure_of(quirk), direction)
    elif completion == "deliver_by":
        changed = _complete_deliver_by(quirk, deliver_by)
    elif completion == "lead":
        changed = _complete_lead(quirk, organisation=organisation, body=body)
    elif not note:
        raise ValidationError({"note": "Enter a note saying how this quirk has been dealt with."})

    quirk.resolved_at = timezone.now()
    quirk.resolved_by_id = actor.pk
    quirk.resolution_note = note
    quirk.full_clean()
    quirk.save(update_fields=["resolved_at", "resolved_by_id", "resolution_note"])
    record(
        action=AuditAction.UPDATE,
        actor=actor,
        partnership=quirk.strategy.partnership_id,
        obj=quirk,
        summary=f"Completed a source quirk: {quirk.get_code_display()}",
        detail={"code": quirk.code, "strategy_id": quirk.strategy_id, **changed},
        request=request,
    )
    return quirk


def _day(moment) -> str:
    return dateformat.format(timezone.localtime(moment), "j F Y")


def _complete_direction(measure: MeasureOfSuccess, direction: str | None) -> dict:
    if direction not in MeasureOfSuccess.Direction.values:
        raise ValidationError(
            {"direction": "Choose whether this measure should increase or decrease."}
        )
    measure.direction = direction
    measure.direction_basis = DIRECTION_BASIS
    measure.full_clean()
    measure.save(update_fields=["direction", "direction_basis"])
    return {"measure_of_success_id": measure.pk, "direction": direction}


def _complete_deliver_by(quirk: Quirk, deliver_by: date | None) -> dict:
    if not isinstance(deliver_by, date):
        raise ValidationError({"deliver_by": "Enter the date this action is to be delivered by."})
    action = _action_of(quirk)
    action.deliver_by = deliver_by
    action.full_clean()
    action.save(update_fields=["deliver_by"])
    return {"action_id": action.pk, "deliver_by": deliver_by.isoformat()}


def _complete_lead(
    quirk: Quirk, *, organisation: Organisation | None, body: PartnershipBody | None
) -> dict:
    chosen = organisation or body
    if chosen is None or (organisation and body):
        raise ValidationError({"lead": "Choose one organisation or body to lead this action."})
    if chosen.partnership_id != quirk.strategy.partnership_id:
        raise ValidationError({"lead": "Choose an organisation or body of this partnership."})
    action = _action_of(quirk)
    lead = _lead_to_resolve(quirk) if quirk.code == Code.UNRESOLVED_LEAD else None
    if lead is None:
        # The source named nobody (or the lead was since resolved): add the chosen lead,
        # keeping leads_as_written empty so the source's silence stays visible.
        next_order = (action.leads.aggregate(m=Max("order"))["m"] or 0) + 1
        lead = ActionLead(
            action=action, order=next_order, name_as_written=str(chosen), from_source=False
        )
    lead.organisation = organisation
    lead.body = body
    lead.full_clean()
    lead.save()
    return {
        "action_id": action.pk,
        "action_lead_id": lead.pk,
        "organisation_id": getattr(organisation, "pk", None),
        "body_id": getattr(body, "pk", None),
    }


def _measure_of(quirk: Quirk) -> MeasureOfSuccess:
    # Only called where quirk_completion found the quirk's measure.
    if quirk.measure_of_success is None:
        raise ValidationError("This quirk is not about a measure of success.")
    return quirk.measure_of_success


def _action_of(quirk: Quirk) -> Action:
    # Only called where quirk_completion found the quirk's action.
    if quirk.action is None:
        raise ValidationError("This quirk is not about an action.")
    return quirk.action


def _lead_to_resolve(quirk: Quirk) -> ActionLead | None:
    """The unrecognised lead the quirk is about: the one its detail names, else the first."""
    unresolved = [
        lead
        for lead in _action_of(quirk).leads.all()
        if lead.organisation_id is None and lead.body_id is None
    ]
    for lead in unresolved:
        if lead.name_as_written and lead.name_as_written in quirk.detail:
            return lead
    return unresolved[0] if unresolved else None


# --- Exports -----------------------------------------------------------------

EXPORT_FORMATS = ("json", "csv")


def strategy_export(
    *, strategy: Strategy, fmt: str, actor, request: HttpRequest | None = None
) -> ExportFile:
    """The plan as a JSON or CSV download; every export is written to the audit trail."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}")
    name = f"{strategy.partnership.slug}-{strategy.slug}"
    if fmt == "csv":
        table = Table(
            name=name,
            headers=exports.CSV_COLUMNS,
            rows=exports.plan_rows(strategy),
            what="the plan",
            subject=strategy,
        )
        return export_file(
            table, fmt=fmt, partnership=strategy.partnership_id, actor=actor, request=request
        )
    content = json.dumps(
        exports.plan_as_dict(strategy), ensure_ascii=False, indent=2, cls=DjangoJSONEncoder
    )
    # Not a table, so no rows to count: recorded as every other export is.
    record_export(
        fmt=fmt,
        what="the plan",
        partnership=strategy.partnership_id,
        subject=strategy,
        actor=actor,
        request=request,
    )
    return ExportFile(
        content=content.encode(),
        content_type="application/json; charset=utf-8",
        filename=f"{name}.json",
    )

"""The spreadsheet round trip: importing an action plan, or a batch of quarterly updates,
from the XLSX or CSV file a council keeps.

Three steps: the file is staged (and must be readable), the admin maps its columns to
what we need (guessed from the headings), then every row is checked. Any problem and
nothing is saved: the report says which row, which column and what is wrong. Otherwise
the whole file is applied in one transaction. Rows that match what is already stored
change nothing, so importing the same file twice changes nothing the second time.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from vawg.audit.services import Action as AuditAction
from vawg.audit.services import record
from vawg.core.access import scoped
from vawg.core.models import Organisation, ReportingPeriod
from vawg.core.tabular import Problem, TableError, read_table
from vawg.delivery.models import ImportFile, ProgressUpdate, Status, UpdateState
from vawg.delivery.services import _keep_version, action_lead_assign
from vawg.strategy import editing
from vawg.strategy.models import Action, Priority, Strategy

MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    required: bool
    aliases: tuple[str, ...]


UPDATE_TARGETS = [
    Target("ref", "Action reference", True, ("ref", "reference", "action", "action ref")),
    Target("period", "Reporting period", True, ("period", "quarter", "reporting period")),
    Target("status", "Status", True, ("status", "rag", "rag status", "colour", "progress status")),
    Target("commentary", "Commentary", False, ("commentary", "comments", "progress", "update")),
    Target(
        "next_milestone", "Next milestone", False, ("next milestone", "milestone", "next steps")
    ),
    Target("public", "Publish the commentary (yes/no)", False, ("public", "publish")),
]
PLAN_TARGETS = [
    Target("priority", "Priority code", True, ("priority", "priority code", "code")),
    Target("priority_title", "Priority title", False, ("priority title", "theme")),
    Target("ref", "Action reference", True, ("ref", "reference", "action ref")),
    Target("activity", "Activity", True, ("activity", "action", "what we will do")),
    Target("deliver_by", "Deliver by (date)", False, ("deliver by", "deadline", "by when", "date")),
    Target("lead", "Lead organisation", False, ("lead", "lead organisation", "owner")),
    Target("measures", "Measures (one per line)", False, ("measures", "how will we know")),
]
TARGETS = {ImportFile.Kind.UPDATES: UPDATE_TARGETS, ImportFile.Kind.PLAN: PLAN_TARGETS}

STATUS_WORDS = {
    Status.COMPLETE: ("complete", "completed", "blue", "done"),
    Status.ON_TRACK: ("on track", "on_track", "green"),
    Status.AT_RISK: ("at risk", "at_risk", "amber"),
    Status.OFF_TRACK: ("off track", "off_track", "red"),
    Status.NOT_STARTED: ("not started", "not_started", "grey", "gray"),
}
STATUS_BY_WORD = {word: status for status, words in STATUS_WORDS.items() for word in words}
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}


@dataclass
class Result:
    problems: list[Problem] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


# --- Staging and mapping ------------------------------------------------------------


def import_stage(*, strategy: Strategy, kind: str, upload, actor) -> ImportFile:
    """Keep the uploaded file for the mapping step, if it is a readable table."""
    if upload.size > MAX_BYTES:
        raise ValidationError({"file": "The file must be smaller than 5 MB."})
    try:
        table = read_table(upload, upload.name)  # the uploaded file, where it lies
        for _ in table.rows:  # read every row now, so a broken file is refused here
            pass
    except TableError as error:
        raise ValidationError({"file": str(error)}) from None
    # Kept for the mapping step in the database, so read into memory once: no more than
    # MAX_BYTES, and only once it has been read as a table.
    upload.seek(0)
    data = upload.read()
    return ImportFile.objects.create(
        strategy=strategy,
        kind=kind,
        filename=upload.name[:200],
        content=data,
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=actor,
    )


def headers_of(staged: ImportFile) -> list[str]:
    return read_table(bytes(staged.content), staged.filename).headers


def guess_mapping(headers: list[str], targets: list[Target]) -> dict[str, str]:
    by_name = {h.casefold().strip(): h for h in headers}
    return {t.key: next((by_name[a] for a in t.aliases if a in by_name), "") for t in targets}


def _rows(staged: ImportFile, mapping: dict[str, str]) -> Iterable[tuple[int, dict[str, str]]]:
    table = read_table(bytes(staged.content), staged.filename)
    for number, row in table.rows:
        yield (
            number,
            {key: row.get(header, "") if header else "" for key, header in mapping.items()},
        )


def _column(targets: list[Target], mapping: dict[str, str], key: str) -> str:
    return mapping.get(key) or next(t.label for t in targets if t.key == key)


# --- Running an import ----------------------------------------------------------------


def import_run(
    *,
    staged: ImportFile,
    mapping: dict[str, str],
    actor,
    approve: bool = False,
    request: HttpRequest | None = None,
) -> Result:
    """Check every row; if all are sound, apply them all (or nothing) and drop the file."""
    targets = TARGETS[staged.kind]
    result = Result()
    for target in targets:
        if target.required and not mapping.get(target.key):
            result.problems.append(
                Problem(None, target.label, "", "Choose the column that holds this.")
            )
    if result.problems:
        return result
    rows = list(_rows(staged, mapping))
    if not rows:
        result.problems.append(Problem(None, "", "", "The file has no rows under its headings."))
        return result
    run = _run_updates if staged.kind == ImportFile.Kind.UPDATES else _run_plan
    try:
        with transaction.atomic():
            run(staged.strategy, rows, mapping, actor, approve, result)
            if result.problems:
                raise _Rollback
    except _Rollback:
        result.created = result.updated = result.unchanged = 0
        return result
    record(
        action=AuditAction.LOAD,
        actor=actor,
        partnership=staged.strategy.partnership_id,
        obj=staged.strategy,
        summary=f"Imported {staged.get_kind_display().lower()} from a spreadsheet",
        detail={
            "sha256": staged.sha256,
            "rows": len(rows),
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        },
        request=request,
    )
    staged.delete()
    return result


class _Rollback(Exception):
    pass


def _actions_by_ref(strategy: Strategy) -> dict[str, list[Action]]:
    found: dict[str, list[Action]] = {}
    for action in strategy.actions.select_related("priority").prefetch_related("measures", "leads"):
        found.setdefault(action.ref.casefold(), []).append(action)
    return found


def _one_action(found, ref: str, number: int, column: str, result: Result) -> Action | None:
    matches = found.get(ref.casefold(), [])
    if not matches:
        result.problems.append(
            Problem(number, column, ref, "No action in this plan has this reference.")
        )
        return None
    if len(matches) > 1:
        result.problems.append(
            Problem(
                number,
                column,
                ref,
                f"{len(matches)} actions in this plan share this reference, so the row "
                "cannot say which it means. Update them in the app.",
            )
        )
        return None
    return matches[0]


def _run_updates(strategy, rows, mapping, actor, approve: bool, result: Result) -> None:
    targets = UPDATE_TARGETS
    col = {t.key: _column(targets, mapping, t.key) for t in targets}
    found = _actions_by_ref(strategy)
    periods = {
        p.label.casefold(): p
        for p in ReportingPeriod.objects.filter(partnership=strategy.partnership)
    }
    existing = {
        (u.action_id, u.period_id): u
        for u in ProgressUpdate.objects.filter(action__strategy=strategy)
    }
    seen: dict[tuple[int, int], int] = {}
    today = timezone.localdate()
    for number, row in rows:
        action = _one_action(found, row["ref"], number, col["ref"], result)
        period = periods.get(row["period"].casefold().strip())
        if period is None:
            example = next(iter(periods.values())).label if periods else "2025/26 Q1"
            result.problems.append(
                Problem(
                    number,
                    col["period"],
                    row["period"],
                    f"No reporting period has this name; use one such as {example}.",
                )
            )
        elif period.start > today:
            result.problems.append(
                Problem(number, col["period"], row["period"], "This period has not started yet.")
            )
        status = STATUS_BY_WORD.get(row["status"].casefold().strip())
        if status is None:
            result.problems.append(
                Problem(
                    number,
                    col["status"],
                    row["status"],
                    "Use complete, on track, at risk, off track or not started "
                    "(or blue, green, amber, red, grey).",
                )
            )
        public = row.get("public", "").casefold().strip()
        if public not in YES | NO:
            result.problems.append(Problem(number, col["public"], row["public"], "Use yes or no."))
        commentary = row.get("commentary", "").strip()
        if status in (Status.AT_RISK, Status.OFF_TRACK) and not commentary:
            result.problems.append(
                Problem(
                    number, col["commentary"], "", "Say why the action is at risk or off track."
                )
            )
        if action is None or period is None or status is None:
            continue
        key = (action.pk, period.pk)
        if key in seen:
            result.problems.append(
                Problem(
                    number,
                    col["ref"],
                    row["ref"],
                    f"Row {seen[key]} already gives this action's update for {period.label}.",
                )
            )
            continue
        seen[key] = number
        values = {
            "status": status,
            "commentary": commentary,
            "next_milestone": row.get("next_milestone", "").strip(),
            "commentary_public": public in YES and bool(commentary),
        }
        update = existing.get(key)
        if update is not None and all(getattr(update, k) == v for k, v in values.items()):
            result.unchanged += 1
            continue
        if update is not None and not update.editable:
            result.problems.append(
                Problem(
                    number,
                    col["status"],
                    row["status"],
                    f"The {period.label} update for {action.ref} is already "
                    f"{update.get_state_display().lower()}; an import cannot change it.",
                )
            )
            continue
        if result.problems:
            continue  # keep checking, but write nothing once anything is wrong
        created = update is None
        update = update or ProgressUpdate(action=action, period=period, version=0)
        for name, value in values.items():
            setattr(update, name, value)
        update.version += 1
        update.author = actor
        update.state = UpdateState.APPROVED if approve else UpdateState.SUBMITTED
        update.submitted_at = timezone.now()
        if approve:
            update.reviewed_by, update.reviewed_at = actor, timezone.now()
            update.review_comment = "Imported as approved from the partnership's spreadsheet."
        update.save()
        _keep_version(update, "imported", actor)
        if created:
            result.created += 1
        else:
            result.updated += 1


def _parse_date(text: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    for parse in (date.fromisoformat, lambda t: _dmy(t)):
        try:
            return parse(text[:10])
        except ValueError:
            continue
    raise ValueError(text)


def _dmy(text: str) -> date:
    day, month, year = (int(p) for p in text.replace("-", "/").split("/"))
    return date(year, month, day)


def _run_plan(strategy, rows, mapping, actor, approve: bool, result: Result) -> None:
    targets = PLAN_TARGETS
    col = {t.key: _column(targets, mapping, t.key) for t in targets}
    priorities = {p.code.casefold(): p for p in strategy.priorities.all()}
    found = _actions_by_ref(strategy)
    organisations = {}
    for org in scoped(Organisation.objects.all(), strategy.partnership):
        for name in [org.name, *(org.aliases or [])]:
            organisations[str(name).casefold().strip()] = org
    seen: dict[str, int] = {}
    for number, row in rows:
        code, ref = row["priority"].strip(), row["ref"].strip()
        if not code:
            result.problems.append(Problem(number, col["priority"], "", "Enter the priority code."))
        if not ref:
            result.problems.append(Problem(number, col["ref"], "", "Enter the action reference."))
        if not row["activity"].strip():
            result.problems.append(Problem(number, col["activity"], "", "Enter the activity."))
        try:
            deliver_by = _parse_date(row.get("deliver_by", ""))
        except ValueError:
            deliver_by = None
            result.problems.append(
                Problem(
                    number, col["deliver_by"], row["deliver_by"], "Enter a date such as 31/03/2026."
                )
            )
        lead_name = row.get("lead", "").strip()
        organisation = organisations.get(lead_name.casefold()) if lead_name else None
        if lead_name and organisation is None:
            result.problems.append(
                Problem(
                    number,
                    col["lead"],
                    lead_name,
                    "No organisation of the partnership has this name.",
                )
            )
        if not code or not ref:
            continue
        if ref.casefold() in seen:
            result.problems.append(
                Problem(
                    number,
                    col["ref"],
                    ref,
                    f"Row {seen[ref.casefold()]} already has this reference.",
                )
            )
            continue
        seen[ref.casefold()] = number
        priority = priorities.get(code.casefold())
        if priority is None and not row.get("priority_title", "").strip():
            result.problems.append(
                Problem(
                    number,
                    col["priority_title"],
                    "",
                    f"There is no priority {code} yet: give its title to add it.",
                )
            )
            continue
        matches = found.get(ref.casefold(), [])
        if len(matches) > 1:
            _one_action(found, ref, number, col["ref"], result)
            continue
        if result.problems:
            continue
        if priority is None:
            priority = editing.plan_item_save(
                obj=Priority(strategy=strategy),
                values={"code": code, "title": row["priority_title"].strip()},
                actor=actor,
            )
            priorities[code.casefold()] = priority
            result.created += 1
        action = matches[0] if matches else Action(strategy=strategy)
        values = {"priority": priority, "ref": ref, "activity": row["activity"].strip()}
        if mapping.get("deliver_by"):
            values["deliver_by"] = deliver_by
        measures = None
        if mapping.get("measures"):
            measures = [
                m.strip() for m in row["measures"].replace(";", "\n").splitlines() if m.strip()
            ]
        changed = action.pk is None or any(getattr(action, k) != v for k, v in values.items())
        if measures is not None and action.pk is not None:
            changed = changed or measures != [m.text for m in action.measures.all()]
        if changed:
            adding = action.pk is None
            editing.plan_item_save(obj=action, values=values, actor=actor, measures=measures)
            if adding:
                result.created += 1
            else:
                result.updated += 1
        lead_added = False
        if organisation is not None and not any(
            lead.organisation_id == organisation.pk for lead in action.leads.all()
        ):
            action_lead_assign(action=action, organisation=organisation, actor=actor)
            lead_added = True
        if not changed:
            if lead_added:
                result.updated += 1
            else:
                result.unchanged += 1

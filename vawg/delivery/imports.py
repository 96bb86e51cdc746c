"""The spreadsheet round trip: importing an action plan, or a batch of quarterly updates,
from the XLSX or CSV file a council keeps.

Three steps: the file is staged (and must be readable), the admin maps its columns to
what we need (guessed from the headings), then the shared importer (exchange.importing)
checks every row. Any problem and nothing is saved: the report says which row, which
column and what is wrong. Otherwise the whole file is applied in one transaction.

An update row is saved by the same service as the progress-update form
(services.update_save), so the form's rules (the reason an at-risk action needs,
which updates may still change, versions, approval) hold for the import too; a plan
row by the plan editor's own service. Rows that match what is already stored change
nothing, so importing the same file twice changes nothing the second time.
"""

import hashlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import HttpRequest

from vawg.core.access import scoped
from vawg.core.models import Organisation, ReportingPeriod
from vawg.core.tabular import Problem, TableError, read_table
from vawg.delivery import services
from vawg.delivery.models import ImportFile, ProgressUpdate, Status
from vawg.exchange import importing
from vawg.exchange.importing import Change, Column, Outcome, Row, RowImport, run_import
from vawg.strategy import editing
from vawg.strategy.models import Action, Priority, Strategy

MAX_BYTES = 5 * 1024 * 1024

# What the admin maps the file's columns to (the mapping page lists them in this order).
UPDATE_TARGETS = [
    Column(
        "Action reference", True, key="ref", aliases=("ref", "reference", "action", "action ref")
    ),
    Column(
        "Reporting period", True, key="period", aliases=("period", "quarter", "reporting period")
    ),
    Column(
        "Status",
        True,
        key="status",
        aliases=("status", "rag", "rag status", "colour", "progress status"),
    ),
    Column(
        "Commentary",
        False,
        key="commentary",
        aliases=("commentary", "comments", "progress", "update"),
    ),
    Column(
        "Next milestone",
        False,
        key="next_milestone",
        aliases=("next milestone", "milestone", "next steps"),
    ),
    Column("Publish the commentary (yes/no)", False, key="public", aliases=("public", "publish")),
]
PLAN_TARGETS = [
    Column("Priority code", True, key="priority", aliases=("priority", "priority code", "code")),
    Column("Priority title", False, key="priority_title", aliases=("priority title", "theme")),
    Column("Action reference", True, key="ref", aliases=("ref", "reference", "action ref")),
    Column("Activity", True, key="activity", aliases=("activity", "action", "what we will do")),
    Column(
        "Deliver by (date)",
        False,
        key="deliver_by",
        aliases=("deliver by", "deadline", "by when", "date"),
    ),
    Column("Lead organisation", False, key="lead", aliases=("lead", "lead organisation", "owner")),
    Column(
        "Measures (one per line)", False, key="measures", aliases=("measures", "how will we know")
    ),
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

# What an import did, or every problem that stopped it.
Result = Outcome


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


def guess_mapping(headers: list[str], targets: list[Column]) -> dict[str, str]:
    return importing.guess_mapping(headers, targets)


@dataclass(frozen=True)
class FileColumns:
    """What the mapping step offers for a staged file."""

    targets: list[Column]
    headers: list[str]
    guessed: dict[str, str]
    # Only updates can arrive already agreed by their workstream; a plan has nothing to approve.
    allow_approve: bool


def columns_for(staged: ImportFile) -> FileColumns:
    """The columns we need for the file's kind, its headings, and our guess at which is which."""
    targets = TARGETS[staged.kind]
    headers = headers_of(staged)
    return FileColumns(
        targets=targets,
        headers=headers,
        guessed=guess_mapping(headers, targets),
        allow_approve=staged.kind == ImportFile.Kind.UPDATES,
    )


# --- Running an import ----------------------------------------------------------------


def import_run(
    *,
    staged: ImportFile,
    mapping: dict[str, str],
    actor,
    approve: bool = False,
    request: HttpRequest | None = None,
    encoding: str | None = None,
    set_aside: bool = False,
) -> Result:
    """Check every row; if all are sound, apply them all (or nothing) and drop the file.
    With `set_aside`, the sound rows are applied and the others set aside (the page
    carries them), and the file is dropped once anything is applied."""
    if staged.kind == ImportFile.Kind.UPDATES:
        spec: _StrategyImport = _UpdatesImport(staged, actor, approve, request)
    else:
        spec = _PlanImport(staged, actor, request)
    outcome = run_import(
        spec,
        source=bytes(staged.content),
        filename=staged.filename,
        actor=actor,
        mapping=mapping,
        request=request,
        encoding=encoding,
        set_aside=set_aside,
    )
    if outcome.stored:
        staged.delete()
    return outcome


class _StrategyImport(RowImport):
    row_column = "ref"

    def __init__(self, staged: ImportFile, actor, request: HttpRequest | None) -> None:
        self.staged = staged
        self.strategy = staged.strategy
        self.actor = actor
        self.request = request
        self.audit_summary = f"Imported {staged.get_kind_display().lower()} from a spreadsheet"
        self.found = _actions_by_ref(self.strategy)

    def missing_columns(self, missing: list[Column]) -> list[Problem]:
        return [Problem(None, c.label, "", "Choose the column that holds this.") for c in missing]

    def audit_target(self) -> dict:
        return {"partnership": self.strategy.partnership_id, "obj": self.strategy}

    def audit_detail(self, outcome: Outcome) -> dict:
        return {"sha256": self.staged.sha256}

    def one_action(self, ref: str, errors: dict[str, list[str]]) -> Action | None:
        matches = self.found.get(ref.casefold(), [])
        if not matches:
            errors.setdefault("ref", []).append("No action in this plan has this reference.")
            return None
        if len(matches) > 1:
            errors.setdefault("ref", []).append(
                f"{len(matches)} actions in this plan share this reference, so the row "
                "cannot say which it means. Update them in the app."
            )
            return None
        return matches[0]


def _actions_by_ref(strategy: Strategy) -> dict[str, list[Action]]:
    found: dict[str, list[Action]] = {}
    for action in strategy.actions.select_related("priority").prefetch_related("measures", "leads"):
        found.setdefault(action.ref.casefold(), []).append(action)
    return found


class _UpdatesImport(_StrategyImport):
    columns = UPDATE_TARGETS

    def __init__(self, staged, actor, approve: bool, request) -> None:
        super().__init__(staged, actor, request)
        self.approve = approve
        self.standing = services.standing_for(actor, self.strategy.partnership)
        self.periods = {
            p.label.casefold(): p
            for p in ReportingPeriod.objects.filter(partnership=self.strategy.partnership)
        }
        self.existing = {
            (u.action_id, u.period_id): u
            for u in ProgressUpdate.objects.filter(action__strategy=self.strategy)
        }
        self.seen: dict[tuple[int, int], int] = {}

    def clean(self, row: Row):
        errors: dict[str, list[str]] = {}
        action = self.one_action(row["ref"], errors)
        period = self.periods.get(row["period"].casefold().strip())
        if period is None:
            example = next(iter(self.periods.values())).label if self.periods else "2025/26 Q1"
            errors["period"] = [f"No reporting period has this name; use one such as {example}."]
        status = STATUS_BY_WORD.get(row["status"].casefold().strip())
        if status is None:
            errors["status"] = [
                "Use complete, on track, at risk, off track or not started "
                "(or blue, green, amber, red, grey)."
            ]
        public = row["public"].casefold().strip()
        if public not in YES | NO:
            errors["public"] = ["Use yes or no."]
        commentary = row["commentary"].strip()
        data = services.UpdateInput(
            status=status or "",
            commentary=commentary,
            # Publishing is asked only of a row that has commentary to publish.
            commentary_public=public in YES and bool(commentary),
            next_milestone=row["next_milestone"].strip(),
        )
        # The form's own rules for what an update says (the reason an at-risk action needs).
        for name, reason in services.update_input_problems(data).items():
            if name == "status":
                continue  # said above, in the import's words
            errors.setdefault(name, []).append(reason)
        if action is not None and period is not None and status is not None:
            key = (action.pk, period.pk)
            if key in self.seen:
                errors.setdefault("ref", []).append(
                    f"Row {self.seen[key]} already gives this action's update for {period.label}."
                )
            else:
                self.seen[key] = row.number
        if errors:
            raise ValidationError(errors)
        return action, period, data

    def save(self, values, row: Row) -> Change:
        action, period, data = values
        update = self.existing.get((action.pk, period.pk))
        if update is not None and (
            update.status,
            update.commentary,
            update.next_milestone,
            update.commentary_public,
        ) == (data.status, data.commentary, data.next_milestone, data.commentary_public):
            return Change.UNCHANGED
        if update is not None:
            data.next_milestone_date = update.next_milestone_date  # not in the file: kept
        services.update_save(
            action=action,
            period=period,
            actor=self.actor,
            standing=self.standing,
            data=data,
            version=update.version if update is not None else 0,
            submit=True,
            approve=self.approve,
            kept_as="imported",
            request=self.request,
        )
        return Change.CREATED if update is None else Change.UPDATED


class _PlanImport(_StrategyImport):
    columns = PLAN_TARGETS

    def __init__(self, staged, actor, request) -> None:
        super().__init__(staged, actor, request)
        self.priorities = {p.code.casefold(): p for p in self.strategy.priorities.all()}
        self.new_priorities: set[str] = set()  # codes a row gives a title for
        self.organisations = {}
        for org in scoped(Organisation.objects.all(), self.strategy.partnership):
            for name in [org.name, *(org.aliases or [])]:
                self.organisations[str(name).casefold().strip()] = org
        self.seen: dict[str, int] = {}

    def clean(self, row: Row):
        errors: dict[str, list[str]] = {}
        code, ref, activity = row["priority"].strip(), row["ref"].strip(), row["activity"].strip()
        if not code:
            errors["priority"] = ["Enter the priority code."]
        if not ref:
            errors["ref"] = ["Enter the action reference."]
        if not activity:
            errors["activity"] = ["Enter the activity."]
        deliver_by = importing.date_cell(row, "deliver_by", errors)
        lead_name = row["lead"].strip()
        organisation = self.organisations.get(lead_name.casefold()) if lead_name else None
        if lead_name and organisation is None:
            errors["lead"] = ["No organisation of the partnership has this name."]
        if code and ref:
            self._check_plan_row(row, code, ref, errors)
        if errors:
            raise ValidationError(errors)
        measures = None
        if "measures" in row.cells:  # only a file with the column says what they are
            measures = [
                m.strip() for m in row["measures"].replace(";", "\n").splitlines() if m.strip()
            ]
        return {
            "code": code,
            "ref": ref,
            "activity": activity,
            "deliver_by": deliver_by,
            "organisation": organisation,
            "measures": measures,
        }

    def _check_plan_row(self, row: Row, code: str, ref: str, errors) -> None:
        if ref.casefold() in self.seen:
            errors.setdefault("ref", []).append(
                f"Row {self.seen[ref.casefold()]} already has this reference."
            )
            return
        self.seen[ref.casefold()] = row.number
        title = row["priority_title"].strip()
        if code.casefold() not in self.priorities and code.casefold() not in self.new_priorities:
            if not title:
                errors["priority_title"] = [
                    f"There is no priority {code} yet: give its title to add it."
                ]
                return
            self.new_priorities.add(code.casefold())
        if len(self.found.get(ref.casefold(), [])) > 1:
            self.one_action(ref, errors)

    def save(self, values, row: Row) -> list[Change]:
        changes = []
        code, ref = values["code"], values["ref"]
        priority = self.priorities.get(code.casefold())
        if priority is None:
            priority = editing.plan_item_save(
                obj=Priority(strategy=self.strategy),
                values={"code": code, "title": row["priority_title"].strip()},
                actor=self.actor,
            )
            self.priorities[code.casefold()] = priority
            changes.append(Change.CREATED)
        matches = self.found.get(ref.casefold(), [])
        action = matches[0] if matches else Action(strategy=self.strategy)
        fields = {"priority": priority, "ref": ref, "activity": values["activity"]}
        if "deliver_by" in row.cells:
            fields["deliver_by"] = values["deliver_by"]
        measures = values["measures"]
        changed = action.pk is None or any(getattr(action, k) != v for k, v in fields.items())
        if measures is not None and action.pk is not None:
            changed = changed or measures != [m.text for m in action.measures.all()]
        if changed:
            adding = action.pk is None
            editing.plan_item_save(obj=action, values=fields, actor=self.actor, measures=measures)
            changes.append(Change.CREATED if adding else Change.UPDATED)
        organisation = values["organisation"]
        lead_added = False
        if organisation is not None and not any(
            lead.organisation_id == organisation.pk for lead in action.leads.all()
        ):
            services.action_lead_assign(action=action, organisation=organisation, actor=self.actor)
            lead_added = True
        if not changed:
            changes.append(Change.UPDATED if lead_added else Change.UNCHANGED)
        return changes

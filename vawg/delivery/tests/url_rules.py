"""Who may see each delivery URL: read by the URL sweep in vawg/core/tests/test_url_sweep.py."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from vawg.accounts.models import Membership
from vawg.core.periods import periods_ensure_year, reporting_year_start
from vawg.core.permissions import Role
from vawg.core.tests.sweep import ADMIN, PUBLIC, STAFF, Rule, holders
from vawg.delivery import services
from vawg.delivery.models import ImportFile, Status

UPDATERS = holders("delivery.update")
REVIEWERS = holders("delivery.review")
# Evidence files: the action's leads and its workstream's chair (and the admin), no one else.
EVIDENCE_READERS = frozenset({Role.PARTNERSHIP_ADMIN, Role.ACTION_LEAD, Role.WORKSTREAM_CHAIR})

RULES: dict = {
    "delivery:home": Rule(STAFF),
    "delivery:my-actions": Rule(UPDATERS),
    "delivery:update-edit": Rule(UPDATERS),
    "delivery:update-detail": Rule(STAFF),
    "delivery:evidence-add": Rule(UPDATERS, post_only=True),
    "delivery:evidence-download": Rule(EVIDENCE_READERS),
    "delivery:evidence-remove": Rule(UPDATERS, post_only=True),
    "delivery:review-list": Rule(REVIEWERS),
    "delivery:update-review": Rule(REVIEWERS),
    "delivery:unassigned": Rule(ADMIN),
    "delivery:periods": Rule(ADMIN),
    "delivery:period-edit": Rule(ADMIN),
    "delivery:assign-lead": Rule(ADMIN, post_only=True),
    "delivery:dashboard": Rule(STAFF),
    "delivery:dashboard-export": Rule(holders("strategy.export")),
    "delivery:changes": Rule(STAFF),
    "delivery:changes-export": Rule(holders("strategy.export")),
    "delivery:import-start": Rule(ADMIN),
    "delivery:import-map": Rule(ADMIN),
    "delivery:published-plan": Rule(PUBLIC),
}


def sweep_kwargs(partnership, personas) -> dict[str, dict]:
    """An action the action lead's organisation leads, in the chair's workstream, with a
    submitted update carrying a file, and an update for another period to edit."""
    from vawg.delivery.tests.factories import make_world

    world = make_world(partnership, personas)
    today = timezone.localdate()
    periods = periods_ensure_year(
        partnership=partnership, year_start=reporting_year_start(partnership, today)
    )
    current = periods[0]
    update = services.update_save(
        action=world.action,
        period=current,
        actor=world.lead,
        standing=services.standing_for(world.lead, partnership),
        data=services.UpdateInput(status=Status.ON_TRACK, commentary="On track"),
        version=0,
        submit=False,
        today=today,
    )
    evidence = services.evidence_add(
        update=update,
        actor=world.lead,
        standing=services.standing_for(world.lead, partnership),
        title="Register",
        upload=SimpleUploadedFile("register.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    update.state = "submitted"
    update.save(update_fields=["state"])
    assert Membership.objects.filter(user=world.chair, workstream=world.action.priority.workstream)
    staged = ImportFile.objects.create(
        strategy=world.strategy,
        kind=ImportFile.Kind.UPDATES,
        filename="updates.csv",
        content=b"Ref,Period,Status\nAB.01,2025/26 Q1,Green\n",
        sha256="0" * 64,
    )
    strategy = {"strategy": world.strategy.slug}
    return {
        "delivery:update-edit": {"pk": world.action.pk, "period": current.pk},
        "delivery:period-edit": {"pk": current.pk},
        "delivery:update-detail": {"pk": update.pk},
        "delivery:evidence-add": {"pk": update.pk},
        "delivery:evidence-download": {"pk": evidence.pk},
        "delivery:evidence-remove": {"pk": evidence.pk},
        "delivery:update-review": {"pk": update.pk},
        "delivery:assign-lead": {"pk": world.action.pk},
        "delivery:dashboard": strategy,
        "delivery:dashboard-export": {**strategy, "view": "all", "fmt": "csv"},
        "delivery:changes": strategy,
        "delivery:changes-export": {**strategy, "fmt": "csv"},
        "delivery:import-map": {"pk": staged.pk},
    }

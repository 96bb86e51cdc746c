"""A partnership with a plan, measures, partner data and MARAC figures, and a token with
every scope: what the schema test and the benchmark call the API against."""

from dataclasses import dataclass

from vawg.api.testing import make_token
from vawg.reports.tests import world as report_world


@dataclass
class ApiWorld:
    partnership: object
    secret: str


def build(**sizes) -> ApiWorld:
    made = report_world.build(**sizes)
    token = make_token(made.partnership, name="Schema test token")
    return ApiWorld(made.partnership, token.secret)

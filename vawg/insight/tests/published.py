"""What a dashboard shows, figure by figure, for the attacker's audit
(vawg/core/tests/auditor.py): each figure with the cells it counts, worked out here from
the view's filters and the chart it is in, independently of the dashboard's queries.

Each figure is also checked against the rule applied to the incidents it counts, so a
figure given to the audit is the figure the page showed for those people. A figure worked
from others (a rate, a ratio, an average, a sentence, the projection) is checked to be
worked from figures shown; its parts are then given to the attacker as published, even
those the page shows only through the derived figure.
"""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import numpy as np

from vawg.core import disclosure
from vawg.core.disclosure import CONTROLLED
from vawg.core.periods import add_months
from vawg.insight import store
from vawg.insight.dashboard import ROLLING_MONTHS, Dashboard
from vawg.insight.queries import Filters
from vawg.insight.standard import STRAND, VICTIM_CHARACTERISTICS

KIND = store.RECORD_KIND
CHART_FIELDS = {"strands": "strand", "wards": "ward_id", "partners": "partner_id"}


def _outcome_class(outcome: str) -> str:
    return outcome if outcome in ("pending", "charged") else "other"


class Incidents:
    """The store's incidents, each with the dimensions an audit can look at."""

    def __init__(self, partnership_ids):
        self.rows = [
            {**i, "partnership": i["partnership_id"], "outcome_class": _outcome_class(i["outcome"])}
            for i in store.incidents(partnership_ids)
        ]
        self._columns = {
            name: np.array([i[name] for i in self.rows], dtype=object)
            for name in (self.rows[0] if self.rows else {})
        }

    def chosen(self, where: dict) -> list[int]:
        """The records (their `stored` numbers) a figure's conditions choose."""
        mask = np.ones(len(self.rows), dtype=bool)
        for name, wanted in where.items():
            mask &= np.isin(self._columns[name], list(_as_set(wanted)))
        return self._columns["stored"][mask].tolist() if self.rows else []

    def months(self, last: date | None = None) -> list[date]:
        """Every month held (to `last`, if later), from a year before the first."""
        first = min(i["month"] for i in self.rows)
        last = max([i["month"] for i in self.rows] + ([last] if last else []))
        out, m = [], add_months(first, -12)
        while m <= last:
            out.append(m)
            m = add_months(m, 1)
        return out


def conditions(f: Filters, **also) -> dict:
    """A view's filters (and `also`) as conditions on the incidents' dimensions."""
    months, m = set(), f.first
    while m <= f.last:
        months.add(m)
        m = add_months(m, 1)
    where = {"partnership": set(f.partnerships), "month": months}
    if f.strand:
        where["strand"] = f.strand
    if f.ward:
        where["ward_id"] = f.ward
    if f.partner:
        where["partner_id"] = f.partner
    if f.characteristic:
        where[f.characteristic] = f.value
    for name, wanted in also.items():
        # Both conditions hold (a chart of sex in a view of women has no men in it), but
        # for the months: the trend reaches back before the view's period.
        if name in where and name != "month":
            wanted = _as_set(where[name]) & _as_set(wanted)
        where[name] = wanted
    return where


def _as_set(value) -> set:
    return set(value) if isinstance(value, (set, frozenset)) else {value}


def shown(data: Incidents, where: dict) -> disclosure.Figure:
    """The figure the rule gives the records these conditions choose, at the controlled level."""
    return disclosure.count(disclosure.tally(KIND, data.chosen(where)), CONTROLLED)


class Publisher:
    """Gives one attacker's audits what a page showed (every audit takes what is in its
    universe), checking each figure against the rule as it goes."""

    def __init__(self, audits, data: Incidents):
        self.audits, self.data = audits, data

    def figure(self, where: dict, figure: disclosure.Figure, what: str) -> None:
        assert figure == shown(self.data, where), what
        for audit in self.audits:
            audit.publish(where, figure.text, what)

    def part(self, where: dict, what: str) -> disclosure.Figure:
        """A figure a page works another from: the attacker is given it as shown."""
        figure = shown(self.data, where)
        self.figure(where, figure, what)
        return figure

    def board(self, board: Dashboard, label: str, names: dict) -> None:
        """Every figure of one dashboard view. `names`: {chart key: {bar label: id}}."""
        f = board.filters
        everyone = conditions(f)
        self.figure(everyone, board.total, f"{label}: incidents")
        if board.refused:
            return
        repeats = self.part(conditions(f, is_repeat=True), f"{label}: repeats")
        resolved = self.part(
            conditions(f, outcome_class={"charged", "other"}), f"{label}: resolved"
        )
        charged = self.part(conditions(f, outcome_class="charged"), f"{label}: charged")
        assert board.repeat_rate == disclosure.rate(repeats, board.total), label
        assert board.resolved_rate == disclosure.rate(resolved, board.total), label
        assert board.charge_rate == disclosure.rate(charged, resolved), label
        self._trend(board, label)
        for chart in board.charts:
            self._chart(board, chart, label, names.get(chart.key, {}))

    def _trend(self, board: Dashboard, label: str) -> None:
        f = board.filters
        before = set()
        for point in board.trend.points:
            m = point.month
            self.figure(conditions(f, month=m), point.figure, f"{label}: {m:%Y-%m}")
            window = {add_months(m, -k) for k in range(ROLLING_MONTHS)}
            rolling = self.part(conditions(f, month=window), f"{label}: 3 months to {m:%Y-%m}")
            assert point.rolling == disclosure.scaled(
                rolling, Decimal(1) / ROLLING_MONTHS, places=1
            )
            year_ago = add_months(m, -12)
            self.figure(
                conditions(f, month=year_ago), point.last_year, f"{label}: {year_ago:%Y-%m}"
            )
            before.add(year_ago)
        earlier = self.part(conditions(f, month=before), f"{label}: a year earlier")
        words = disclosure.change_words(
            board.total, earlier, since="the same months a year earlier"
        )
        if words:
            assert words in board.trend.summary, label
        else:
            assert "a year earlier" not in board.trend.summary, label

    def _chart(self, board: Dashboard, chart, label: str, names: dict) -> None:
        f = board.filters
        field = CHART_FIELDS.get(chart.key)
        vocabulary = next((v for v in VICTIM_CHARACTERISTICS if v.name == chart.key), None)
        if vocabulary is not None:
            field = vocabulary.name
            names = {vocabulary.label_for(code): code for code in vocabulary.values}
        elif chart.key == "strands":
            names = {STRAND.label_for(code): code for code in STRAND.values}
        self.figure(conditions(f), chart.total, f"{label}: {chart.key} total")
        top = max((float(b.figure.value) for b in chart.bars if b.figure.shown), default=0)
        for bar in chart.bars:
            where = conditions(f, **{field: names[bar.label]})
            self.figure(where, bar.figure, f"{label}: {chart.key} {bar.label}")
            drawn = float(bar.figure.value) * 100 / top if bar.figure.shown and top else 0
            assert abs(float(bar.width) - drawn) < 0.1, "a bar is drawn from the figure shown"
        if vocabulary is not None:
            known = set(vocabulary.values) - {"unknown"}
            shown_known = self.part(conditions(f, **{field: known}), f"{label}: {field} known")
            for bar in chart.bars:
                (ratio,) = bar.extra
                if ratio.value is not None:
                    assert bar.figure.shown and shown_known.shown, "a ratio of hidden counts"

    def region_rows(self, rows, f: Filters, label: str) -> None:
        """Each borough's row of the regional view: as its own board sees it."""
        for row in rows:
            mine = conditions(replace(f, partnerships=(row.partnership.pk,)))
            self.figure(mine, row.incidents, f"{label}: {row.partnership.slug}")
            mine_repeats = {**mine, "is_repeat": True}
            repeats = self.part(mine_repeats, f"{label}: {row.partnership.slug} repeats")
            assert row.repeat_rate == disclosure.rate(repeats, row.incidents)

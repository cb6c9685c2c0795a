"""The figures as people read them: translated sections of tables and charts, exact or anonymised.

One builder for the results page, the PDF report and the funder export, so the three always hold the same
figures and the same suppression (events.results.suppress). Pure: figures in, plain values out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from babel.dates import format_date as babel_format_date
from markupsafe import Markup

from events.followup.models import Respondent
from events.platform import i18n
from events.platform.i18n import gettext as _
from events.platform.labels import format_date, pathway_label
from events.results import charts, suppress
from events.results.shapes import (
    FUNNEL_STEPS,
    Checkpoint,
    EventReport,
    FunderFigures,
    ProgrammeReport,
    RespondentSummary,
    TargetRow,
)
from events.results.suppress import Cell


@dataclass(frozen=True)
class FigureTable:
    key: str
    caption: str
    headers: tuple[str, ...]  # the first names the rows' labels
    rows: tuple[tuple[str, tuple[Cell, ...]], ...]
    note: str = ""

    @property
    def wide(self) -> bool:
        """More than a label and two figures: laid out across the page, below its chart."""
        return len(self.headers) > 3


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    intro: str
    tables: tuple[FigureTable, ...]
    chart: Markup | None = None

    @property
    def wide(self) -> bool:
        return any(t.wide for t in self.tables)


@dataclass(frozen=True)
class ReportView:
    title: str
    subtitle: str
    anonymised: bool
    sections: tuple[Section, ...]
    # Evaluation comments per respondent kind: organisers' exact view only, never anonymised.
    comments: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def _cells(self) -> list[Cell]:
        return [c for s in self.sections for t in s.tables for _, cells in t.rows for c in cells]

    @property
    def has_small(self) -> bool:
        return any(c.small for c in self._cells())

    @property
    def has_hidden(self) -> bool:
        return any(c.hidden for c in self._cells())

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


def _checkpoint_label(point: Checkpoint) -> str:
    months = _("after 1 month") if point.months == 1 else _("after %(months)s months", months=point.months)
    day = babel_format_date(point.date, format="medium", locale=i18n.current_language())
    return f"{months} ({day})" if point.reached else months


def _start_series() -> list[charts.Series]:
    return charts.series([_("placement"), _("training"), _("paid job")])


# --- sections -------------------------------------------------------------------------------------------


def _funnel_section(report: EventReport, anonymised: bool) -> Section:
    steps = report.funnel.steps()
    cells = [suppress.count(value, anonymised=anonymised) for _key, _label, value in steps]
    rows = [(_(label), (cell,)) for (_key, label, _value), cell in zip(steps, cells, strict=True)]
    table = FigureTable(
        "funnel",
        _("From registration to work"),
        (_("Step"), _("Candidates")),
        tuple(rows),
        note=_(
            "In all %(talks)s talks were held.", talks=suppress.count(report.funnel.talks, anonymised=anonymised).text
        ),
    )
    chart = charts.bars(
        "chart-funnel",
        _("From registration to work"),
        _("Candidates at each step, from registered to started in a paid job: %(steps)s.")
        % {"steps": "; ".join(f"{label}: {cell[0].text}" for label, cell in rows)},
        rows,
        charts.series([_("Candidates")]),
        label_width=190,
    )
    intro = _(
        "Each step counts candidates, each once. Outcomes count when a coach confirmed them and they came from "
        "this event."
    )
    return Section("funnel", _("Funnel"), intro, (table,), chart)


def _checkpoint_cells(point: Checkpoint, anonymised: bool) -> tuple[Cell, ...]:
    if not point.reached:
        return tuple(suppress.blank(_("not yet")) for _column in range(4))
    parts = suppress.column([point.placements, point.training_starts, point.job_starts], anonymised=anonymised)
    return (*parts, suppress.count(point.any_start, anonymised=anonymised))


def _checkpoints_section(points: Sequence[Checkpoint], anonymised: bool, intro: str) -> Section:
    rows = tuple((_checkpoint_label(p), _checkpoint_cells(p, anonymised)) for p in points)
    table = FigureTable(
        "checkpoints",
        _("Still at work, in training or in a placement"),
        (_("Check"), _("placement"), _("training"), _("paid job"), _("any of these")),
        rows,
    )
    groups = [
        (_checkpoint_label(p).split(" (")[0], cells[:3] if p.reached else None)
        for p, (_l, cells) in zip(points, rows, strict=True)
    ]
    description = "; ".join(
        f"{label}: " + (", ".join(c.text for c in cells) if cells else _("not yet")) for label, cells in groups
    )
    chart = charts.columns(
        "chart-checkpoints",
        _("Outcomes over time"),
        _("Candidates still in a placement, a training or a paid job (in that order): %(figures)s.")
        % {"figures": description},
        groups,
        _start_series(),
        missing_text=_("not yet"),
    )
    return Section("checkpoints", _("After 1, 3 and 6 months"), intro, (table,), chart)


CHART_EMPLOYERS = 15
EMPLOYER_COLUMNS = (
    ("talks", "talks"),
    ("follow_up", "follow-up wished"),
    ("second_interviews", "second interview"),
    ("placements", "placement"),
    ("training_starts", "training"),
    ("job_starts", "paid job"),
)


def _employers_section(report: EventReport, anonymised: bool) -> Section:
    employers = report.employers
    by_column = {
        key: suppress.column([e.value(key) for e in employers], anonymised=anonymised)
        for key in [*(k for k, _l in EMPLOYER_COLUMNS), "starts"]
    }
    rows = tuple((e.name, tuple(by_column[key][i] for key, _l in EMPLOYER_COLUMNS)) for i, e in enumerate(employers))
    table = FigureTable(
        "employers",
        _("Per employer"),
        (_("Employer"), *(_(label) for _k, label in EMPLOYER_COLUMNS)),
        rows,
        note=_("Talks count talks; the other columns count candidates."),
    )
    # The chart shows the employers with the most talks (a page's height); the table lists them all.
    ranked = sorted(range(len(employers)), key=lambda i: (-employers[i].talks, -employers[i].starts, i))
    shown = sorted(ranked[:CHART_EMPLOYERS])
    chart_rows = [
        (employers[i].name, (by_column["talks"][i], by_column["follow_up"][i], by_column["starts"][i])) for i in shown
    ]
    title = _("Per employer")
    if len(employers) > CHART_EMPLOYERS:
        title = _("The %(count)s employers with the most talks", count=CHART_EMPLOYERS)
    chart = charts.bars(
        "chart-employers",
        title,
        _(
            "Per employer the talks held, the candidates for whom a follow-up was wished, and the candidates who "
            "started a placement, training or paid job: %(figures)s."
        )
        % {"figures": "; ".join(f"{name}: " + ", ".join(c.text for c in cells) for name, cells in chart_rows)},
        chart_rows,
        charts.series([_("talks"), _("follow-up wished"), _("started")]),
    )
    intro = "" if len(employers) <= CHART_EMPLOYERS else title + ". " + _("The table lists every employer.")
    return Section("employers", _("Per employer"), intro, (table,), chart if employers else None)


def _coach_section(report: EventReport, anonymised: bool) -> Section:
    orgs = report.coach_organisations
    keys = ("registered", "present", "with_outcome", "job_starts")
    by_column = {key: suppress.column([o.value(key) for o in orgs], anonymised=anonymised) for key in keys}
    rows = tuple((o.name or _("no organisation"), tuple(by_column[key][i] for key in keys)) for i, o in enumerate(orgs))
    table = FigureTable(
        "coach_organisations",
        _("Per coach organisation"),
        (_("Organisation"), _("registered"), _("present"), _("with an outcome"), _("paid job")),
        rows,
        note=_("A candidate with coaches at two organisations counts at both."),
    )
    return Section("coach_organisations", _("Per coach organisation"), "", (table,))


def _target_cells(row: TargetRow, anonymised: bool) -> tuple[Cell, ...]:
    actual = suppress.count(row.actual, anonymised=anonymised)
    percent = Cell(row.percent, f"{row.percent}%") if actual.shown else suppress.blank(actual.text)
    return Cell(row.target, str(row.target)), actual, percent


def _targets_section(targets: Sequence[TargetRow], anonymised: bool) -> Section:
    rows = tuple((_(t.label), _target_cells(t, anonymised)) for t in targets)
    table = FigureTable("targets", _("Targets"), (_("Target"), _("aim"), _("achieved"), _("share")), rows)
    return Section("targets", _("Against the targets"), "" if rows else _("No targets are set."), (table,))


def _funder_tables(funder: FunderFigures, anonymised: bool) -> tuple[FigureTable, ...]:
    def table(
        key: str, caption: str, header: str, parts: Sequence[tuple[str, int]], total: tuple[str, int]
    ) -> FigureTable:
        cells = suppress.column([v for _l, v in parts], anonymised=anonymised)
        rows = [(label, (cell,)) for (label, _v), cell in zip(parts, cells, strict=True)]
        rows.append((total[0], (suppress.count(total[1], anonymised=anonymised),)))
        return FigureTable(key, caption, (header, _("Candidates")), tuple(rows))

    benefits = table(
        "benefits",
        _("Outflow from benefits"),
        _("Candidates who started a placement, training or job"),
        [
            (_("left benefits"), funder.left_benefits),
            (_("still on benefits"), funder.kept_benefits),
            (_("not known"), funder.benefits_unknown),
        ],
        (_("in all"), funder.started),
    )
    contract = table(
        "contract",
        _("Contract length of paid jobs"),
        _("Candidates who started a paid job"),
        [
            (_("6 months or more, or permanent"), funder.lasting),
            (_("shorter"), funder.short),
            (_("not known"), funder.length_unknown),
        ],
        (_("in all"), funder.job_starts),
    )
    hours = table(
        "hours",
        _("Hours per week in paid jobs"),
        _("Hours per week"),
        [*((_(label), value) for label, value in funder.hour_bands), (_("not known"), funder.hours_unknown)],
        (_("in all"), funder.job_starts),
    )
    mean = suppress.mean(funder.mean_hours, funder.hours_known, anonymised=anonymised)
    hours = FigureTable(hours.key, hours.caption, hours.headers, (*hours.rows, (_("mean hours per week"), (mean,))))
    kinds = [(pathway_label(kind.value), value) for kind, value in funder.per_kind]
    per_kind_cells = suppress.column([v for _l, v in kinds], anonymised=anonymised)
    per_kind = FigureTable(
        "per_kind",
        _("Candidates per kind of outcome"),
        (_("Outcome"), _("Candidates")),
        tuple((label, (cell,)) for (label, _v), cell in zip(kinds, per_kind_cells, strict=True)),
    )
    return benefits, contract, hours, per_kind


def _funder_section(funder: FunderFigures, anonymised: bool) -> Section:
    intro = _(
        "A contract of 6 months or more, or a permanent one, counts as lasting. Each candidate counts once: "
        "with their most favourable outcome."
    )
    return Section("funder", _("For funders"), intro, _funder_tables(funder, anonymised))


def _respondent_label(respondent: Respondent) -> str:
    return _("Candidates") if respondent is Respondent.CANDIDATE else _("Employers")


def _evaluation_cells(summary: RespondentSummary, anonymised: bool) -> tuple[Cell, ...]:
    again = suppress.column([v for _k, v in summary.again], anonymised=anonymised)
    return (
        suppress.count(summary.invited, anonymised=anonymised),
        suppress.count(summary.answered, anonymised=anonymised),
        suppress.mean(summary.overall_mean, summary.overall_count, anonymised=anonymised),
        suppress.mean(summary.talks_mean, summary.talks_count, anonymised=anonymised),
        *again,
    )


def _evaluation_section(summaries: Sequence[RespondentSummary], anonymised: bool) -> Section:
    rows = tuple((_respondent_label(s.respondent), _evaluation_cells(s, anonymised)) for s in summaries)
    table = FigureTable(
        "evaluation",
        _("Evaluation"),
        (
            _("Who"),
            _("asked"),
            _("answered"),
            _("the day (1-5)"),
            _("the talks (1-5)"),
            _("again: yes"),
            _("again: maybe"),
            _("again: no"),
        ),
        rows,
        note=_("Scores are means from 1 (bad) to 5 (very good)."),
    )
    return Section("evaluation", _("Evaluation"), "", (table,))


# --- whole reports --------------------------------------------------------------------------------------


def event_view(report: EventReport, *, anonymised: bool) -> ReportView:
    """The results of one event as the page and the PDF show them."""
    comments: tuple[tuple[str, tuple[str, ...]], ...] = ()
    if not anonymised:
        comments = tuple((_respondent_label(s.respondent), s.comments) for s in report.evaluation if s.comments)
    intro = _(
        "Candidates whose placement, training or paid job had started and was still running on the day of the check."
    )
    return ReportView(
        title=report.name,
        subtitle=format_date(report.date),
        anonymised=anonymised,
        sections=(
            _funnel_section(report, anonymised),
            _checkpoints_section(report.checkpoints, anonymised, intro),
            _employers_section(report, anonymised),
            _coach_section(report, anonymised),
            _targets_section(report.targets, anonymised),
            _funder_section(report.funder, anonymised),
            _evaluation_section(report.evaluation, anonymised),
        ),
        comments=comments,
    )


PROGRAMME_COLUMNS = (
    "registered",
    "present",
    "talked",
    "follow_up",
    "second_interviews",
    "placements",
    "training_starts",
    "job_starts",
)


# The columns an outcome counts towards (an outcome outside the events has a figure for these only).
OUTCOME_COLUMNS = ("second_interviews", "placements", "training_starts", "job_starts")


def programme_view(report: ProgrammeReport, *, anonymised: bool) -> ReportView:
    """A programme's events over time, their totals and the programme's targets."""
    events = report.events
    # The outcomes outside the events are one more group of each outcome column (so a small one is kept apart
    # like a small event's); the events' own columns (registered ... follow-up) have no figure for it.
    outside = report.outside.outcomes > 0
    funnels = [e.funnel for e in events] + ([report.outside.funnel] if outside else [])
    by_column = {
        key: suppress.column([f.value(key) for f in funnels], anonymised=anonymised) for key in PROGRAMME_COLUMNS
    }
    labels = dict(FUNNEL_STEPS)
    rows = [
        (f"{format_date(e.date)} · {e.name}", tuple(by_column[key][i] for key in PROGRAMME_COLUMNS))
        for i, e in enumerate(events)
    ]
    if outside:
        index = len(events)
        rows.append(
            (
                _("outside the events"),
                tuple(
                    by_column[key][index] if key in OUTCOME_COLUMNS else suppress.blank("–")
                    for key in PROGRAMME_COLUMNS
                ),
            )
        )
    rows.append(
        (_("in all"), tuple(suppress.count(report.totals.value(k), anonymised=anonymised) for k in PROGRAMME_COLUMNS))
    )
    table = FigureTable(
        "events",
        _("Per event"),
        (_("Event"), *(_(labels[key]) for key in PROGRAMME_COLUMNS)),
        tuple(rows),
        note=_(
            "Totals add up the events and the outcomes outside them (logged for a participant of the programme "
            "without one of its events): a candidate at two events counts at each; each outcome counts once."
        ),
    )
    labels_of_groups = [e.date.strftime("%d-%m-%Y") for e in events] + ([_("outside the events")] if outside else [])
    groups = [
        (
            label,
            (by_column["placements"][i], by_column["training_starts"][i], by_column["job_starts"][i]),
        )
        for i, label in enumerate(labels_of_groups)
    ]
    chart = charts.columns(
        "chart-programme",
        _("Outcomes per event over time"),
        _("Per event, by date, the candidates who started a placement, a training or a paid job: %(figures)s.")
        % {"figures": "; ".join(f"{label}: " + ", ".join(c.text for c in cells) for label, cells in groups)},
        groups,
        _start_series(),
    )
    over_time = Section("events", _("The events over time"), "", (table,), chart if groups else None)
    intro = _(
        "Summed over the events that reached each check, and over the starts outside the events (each from its own "
        "start): candidates whose placement, training or paid job was still running."
    )
    checks = _checkpoints_section(report.checkpoint_totals, anonymised, intro)
    checks_table = checks.tables[0]
    # The programme's checks fall on several days: the label names the months only.
    checks = Section(
        checks.key,
        checks.title,
        checks.intro,
        (
            FigureTable(
                checks_table.key,
                checks_table.caption,
                checks_table.headers,
                tuple((label.split(" (")[0], cells) for label, cells in checks_table.rows),
            ),
        ),
        checks.chart,
    )
    return ReportView(
        title=report.name,
        subtitle=report.description,
        anonymised=anonymised,
        sections=(
            over_time,
            checks,
            _targets_section(report.targets, anonymised),
            _funder_section(report.funder, anonymised),
        ),
    )


def flat_rows(view: ReportView) -> tuple[list[str], list[list[object]]]:
    """Every figure of a view as one long table (section, table, row, column, figure): the funder export."""
    headers = [_("Part"), _("Overview"), _("Group"), _("Figure"), _("Value")]
    rows: list[list[object]] = []
    for section in view.sections:
        for table in section.tables:
            for label, cells in table.rows:
                for header, cell in zip(table.headers[1:], cells, strict=True):
                    rows.append([section.title, table.caption, label, header, cell.export_value])
    return headers, rows

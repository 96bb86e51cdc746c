"""Stand-in makers with the makers' signature, for the tests of everything around them."""

from vawg.reports.spec import Progress, ReportSpec

SEEN: list[ReportSpec] = []


def ok(spec: ReportSpec, fmt: str, progress: Progress) -> bytes:
    SEEN.append(spec)
    progress(40, "Reading the delivery")
    return f"{spec.kind} {spec.period.label} {fmt} for {spec.audience}".encode()


def broken(spec: ReportSpec, fmt: str, progress: Progress) -> bytes:
    progress(60, "Drawing the charts")
    raise RuntimeError("the scorecard has no periods")

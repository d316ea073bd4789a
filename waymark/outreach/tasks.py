"""Background jobs for street outreach, run by Celery (eagerly in the embedded default and in tests)."""

from __future__ import annotations

from celery import shared_task

from waymark.outreach import compliance


@shared_task(name="waymark.outreach.tasks.compute_compliance_scores")
def compute_compliance_scores(month: str | None = None) -> int:
    """Score every active service's records for a month ("YYYY-MM"; default last month, London time).

    Celery beat runs it on the first day of each month (CELERY_BEAT_SCHEDULE in
    settings), so each service's score for the month just ended is ready that
    morning. Returns how many scores were saved.
    """
    chosen = compliance.parse_month(month) if month else compliance.previous_month()
    return compliance.compute_all(chosen)

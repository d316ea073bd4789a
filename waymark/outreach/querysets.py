"""Street contact and alert querysets, filtered through the access model."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

from waymark.access import rules
from waymark.access.constants import ServiceKind
from waymark.casework.querysets import seen_in_full_q

if TYPE_CHECKING:
    from waymark.access.models import User


class StreetContactQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> StreetContactQuerySet:
        """Contacts the user may see.

        A contact with an identified person follows the person, as a case note does:
        only users who see the person in full see where and when they were met, so a
        protected or hidden person's whereabouts never reach another service.
        A contact with someone not yet identified (a description only) is seen by
        the services the user's organisations share with, not by analysts: an
        outreach team needs to know who else has met "the man in the green
        sleeping bag".
        """
        ctx = rules.context_for(user)
        if not ctx.is_authenticated or ctx.area_id is None or ctx.is_analyst_only:
            return self.none()
        identified = rules.person_q(ctx, rules.Visibility.EXISTS, prefix="person__") & seen_in_full_q(ctx, user)
        unidentified = Q(person__isnull=True, area_id=ctx.area_id)
        if not (ctx.is_area_admin or ctx.is_coordinator):
            # As for people: an organisation without a current sharing agreement sees
            # only its own services' contacts.
            unidentified &= Q(service_id__in=sorted(ctx.reach_service_ids))
        return self.filter(identified | unidentified)

    def rough_sleeping(self) -> StreetContactQuerySet:
        return self.filter(rough_sleeping=True)


class AlertQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> AlertQuerySet:
        """Alerts the user may see.

        A report names a place and describes someone; it is for the teams who go
        out, not every service. Area admins and coordinators see every alert in the
        area. A member of an outreach service sees the alerts for its district, those
        with no district yet (someone has to pick them up) and those assigned to it;
        an outreach service covering no one district sees the whole area's. Nobody
        else does: not analysts, not other services, not another area.
        """
        ctx = rules.context_for(user)
        if not ctx.is_authenticated or ctx.area_id is None:
            return self.none()
        in_area = self.filter(area_id=ctx.area_id)
        if ctx.is_area_admin or ctx.is_coordinator:
            return in_area
        from waymark.access.models import Service

        teams = list(
            Service.objects.filter(pk__in=sorted(ctx.service_ids), kind=ServiceKind.OUTREACH).values_list(
                "pk", "district_id"
            )
        )
        if not teams:
            return self.none()
        districts = sorted({d for _, d in teams if d is not None})
        if len(districts) < len(teams):
            return in_area
        return in_area.filter(
            Q(district__isnull=True) | Q(district_id__in=districts) | Q(assigned_service_id__in=[pk for pk, _ in teams])
        )

    def open(self) -> AlertQuerySet:
        """Alerts without an outcome yet (new or assigned)."""
        return self.exclude(status="closed")

    def for_team(self, service: object) -> AlertQuerySet:
        """Narrow to an outreach service's alerts: its district's, those with no district yet and
        those assigned to it. A service covering no one district gets them all.

        Chain it after `visible_to(user)`: it narrows, it does not check access.
        """
        district_id = getattr(service, "district_id", None)
        if district_id is None:
            return self.all()
        where = Q(district__isnull=True) | Q(district_id=district_id)
        if getattr(service, "pk", None) is not None:
            where |= Q(assigned_service_id=service.pk)  # type: ignore[attr-defined]
        return self.filter(where)

    def queue_for(self, service: object) -> AlertQuerySet:
        """Open alerts for an outreach service (see `for_team`), oldest first."""
        return self.for_team(service).open().order_by("received_at", "id")

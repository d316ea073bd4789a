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
        """Alerts the user may see: the area's, for members of its outreach services and
        area admins and coordinators. A report names a place and describes someone;
        it is for the teams who go out, not every service."""
        ctx = rules.context_for(user)
        if not ctx.is_authenticated or ctx.area_id is None:
            return self.none()
        if ctx.is_area_admin or ctx.is_coordinator:
            return self.filter(area_id=ctx.area_id)
        from waymark.access.models import Service

        outreach = Service.objects.filter(pk__in=ctx.service_ids, kind=ServiceKind.OUTREACH)
        if not outreach.exists():
            return self.none()
        return self.filter(area_id=ctx.area_id)

    def queue_for(self, service: object) -> AlertQuerySet:
        """Open alerts for an outreach service's district (and those with no district yet), oldest first."""
        district_id = getattr(service, "district_id", None)
        where = Q(district__isnull=True)
        if district_id is not None:
            where |= Q(district_id=district_id)
        else:
            where = Q()
        return self.exclude(status="closed").filter(where).order_by("received_at", "id")

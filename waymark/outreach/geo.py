"""Which district a map pin falls in, from the districts' outlines (no GIS library needed)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

# Latitude and longitude that can be on a map at all.
LAT_RANGE = (-90.0, 90.0)
LNG_RANGE = (-180.0, 180.0)


def inside(polygon: list[list[float]], lng: float, lat: float) -> bool:
    """Whether a point is inside a polygon of [longitude, latitude] pairs (ray casting).

    A point exactly on an edge may fall either side; districts meet along edges,
    so a pin there is in one of them either way.
    """
    result = False
    n = len(polygon)
    for i in range(n):
        x1, y1 = polygon[i][0], polygon[i][1]
        x2, y2 = polygon[(i + 1) % n][0], polygon[(i + 1) % n][1]
        if (y1 > lat) != (y2 > lat):
            crossing = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if lng < crossing:
                result = not result
    return result


def valid_point(latitude: Any, longitude: Any) -> bool:
    """Both given and on the globe."""
    if latitude is None or longitude is None:
        return False
    lat, lng = float(latitude), float(longitude)
    return LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LNG_RANGE[0] <= lng <= LNG_RANGE[1]


def district_for(area_id: int, latitude: float | Decimal, longitude: float | Decimal) -> Any:
    """The district of `area_id` whose outline holds the point, or None (outside every outline, or none drawn)."""
    from waymark.outreach.models import DistrictBoundary

    lat, lng = float(latitude), float(longitude)
    boundaries = DistrictBoundary.objects.filter(
        district__area_id=area_id, min_lat__lte=lat, max_lat__gte=lat, min_lng__lte=lng, max_lng__gte=lng
    ).select_related("district")
    for boundary in boundaries:
        if inside(boundary.polygon, lng, lat):
            return boundary.district
    return None


def save_boundary(district: Any, polygon: list[list[float]]) -> Any:
    """Store a district's outline ([longitude, latitude] pairs) with its bounding box."""
    from waymark.outreach.models import DistrictBoundary

    lngs = [float(p[0]) for p in polygon]
    lats = [float(p[1]) for p in polygon]
    boundary, _ = DistrictBoundary.objects.update_or_create(
        district=district,
        defaults={
            "polygon": [[float(p[0]), float(p[1])] for p in polygon],
            "min_lat": min(lats),
            "max_lat": max(lats),
            "min_lng": min(lngs),
            "max_lng": max(lngs),
        },
    )
    return boundary

"""A catalogue of tiny CGCS2000 test shapes (EPSG:4547 metres, near 113.65°E 40.2°N).

Every rule test draws from here, so each rule meets the same awkward cases:
a shared edge, a sliver, a hole, a multipart block, a bow-tie, an empty one.
"""

import shapely
from shapely.geometry import MultiPolygon, Polygon

X0, Y0 = 470_000.0, 4_450_000.0


def box(x, y, w, h):
    """Axis-aligned rectangle with lower-left corner at (X0 + x, Y0 + y), metres."""
    return shapely.box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + h)


#: a 2 km square block
SQUARE = box(0, 0, 2000, 2000)
#: shares SQUARE's east edge exactly, no interior overlap
EAST_NEIGHBOUR = box(2000, 0, 1000, 2000)
#: overlaps SQUARE by a 0.3 m² sliver (0.15 m × 2 m)
SLIVER_NEIGHBOUR = box(1999.85, 500, 1000, 2)
#: overlaps SQUARE by 100 m × 100 m = 10 000 m² (planar)
CORNER_OVERLAP = box(1900, 1900, 500, 500)
#: a square with a 1 km hole in the middle
WITH_HOLE = Polygon(SQUARE.exterior.coords, [box(500, 500, 1000, 1000).exterior.coords[::-1]])
#: lies wholly inside the hole of WITH_HOLE
IN_HOLE = box(700, 700, 200, 200)
#: two 1 km squares 1 km apart
MULTIPART = MultiPolygon([box(0, 0, 1000, 1000), box(2000, 0, 1000, 1000)])
#: self-intersecting bow-tie over 2 km × 2 km
BOWTIE = Polygon([(X0, Y0), (X0 + 2000, Y0 + 2000), (X0 + 2000, Y0), (X0, Y0 + 2000)])
EMPTY = Polygon()
#: a 5 km square: bigger than one 1′×1′ basic unit block (≈2.63 km²)
BIG = box(0, 0, 5000, 5000)

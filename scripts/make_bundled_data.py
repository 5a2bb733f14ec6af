"""Build the bundled, illustrative Yanggao dataset (deterministic).

Run ``python scripts/make_bundled_data.py`` to rewrite
``src/yangao_geo/data/{boundaries,redlines}/*.gpkg``; ``--out-dir DIR``
writes elsewhere (the test suite uses that to check the shipped files are
exactly what this script makes).

What comes from the plan (阳高县矿产资源总体规划 2021–2025) and what is
invented is listed in ``src/yangao_geo/data/README.md``. In short: names,
minerals and areas of blocks, mines and the key exploration area are the
plan's; every geometry, permit number and the farmland/red-line/town layers
are invented, placed near the places the plan names.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from shapely.geometry import Polygon

from yangao_geo.area import ellipsoidal_area
from yangao_geo.crs import ANALYSIS_CRS, to_analysis_crs

SEED = 20221231
ROOT = Path(__file__).resolve().parents[1] / "src" / "yangao_geo" / "data"
TO_M = pyproj.Transformer.from_crs(4490, ANALYSIS_CRS, always_xy=True)
TO_DEG = pyproj.Transformer.from_crs(ANALYSIS_CRS, 4490, always_xy=True)

# --------------------------------------------------------------------------- helpers


def xy(lon, lat):
    return TO_M.transform(lon, lat)


def to_lonlat(geom):
    """4547 metres -> lon/lat (vertices only; edges are short or meant straight in lon/lat)."""
    return shapely.transform(geom, lambda c: np.column_stack(TO_DEG.transform(c[:, 0], c[:, 1])))


def area_km2_lonlat(geom) -> float:
    """Area exactly as yangao_geo computes it for a lon/lat (EPSG:4490) input."""
    return float(ellipsoidal_area(to_analysis_crs([geom], 4490), ANALYSIS_CRS)[0]) / 1e6


def scaled_to(shape_m, target_km2, clip=None):
    """Scale a metric shape about its centroid until its lon/lat version has ``target_km2``."""
    c = shape_m.centroid
    factor = 1.0
    for _ in range(60):
        g = shapely.affinity.scale(shape_m, factor, factor, origin=c)
        if clip is not None:
            g = g.intersection(clip)
        geom = to_lonlat(g)
        a = area_km2_lonlat(geom)
        if abs(a - target_km2) < 1e-7:
            break
        factor *= math.sqrt(target_km2 / a)
    return geom


def lonlat_rect(lon, lat, target_km2, aspect=1.3):
    """A lon/lat-aligned rectangle (exploration blocks follow the graticule) of the target area."""
    h = 0.01
    for _ in range(60):
        w = h * aspect
        geom = shapely.box(lon - w / 2, lat - h / 2, lon + w / 2, lat + h / 2)
        a = area_km2_lonlat(geom)
        if abs(a - target_km2) < 1e-7:
            break
        h *= math.sqrt(target_km2 / a)
    return geom


def blob(lon, lat, rx_m, ry_m, rng, n=48, wobble=0.12):
    """An irregular closed outline around (lon, lat), radii in metres."""
    cx, cy = xy(lon, lat)
    phase = rng.uniform(0, 2 * math.pi, 3)
    pts = []
    for k in range(n):
        t = 2 * math.pi * k / n
        r = (
            1
            + wobble
            * (math.sin(3 * t + phase[0]) + 0.6 * math.sin(5 * t + phase[1]) + 0.3 * math.sin(7 * t + phase[2]))
            / 1.9
        )
        pts.append((cx + rx_m * r * math.cos(t), cy + ry_m * r * math.sin(t)))
    return Polygon(pts)


def polygon_m(lon, lat, offsets_m):
    cx, cy = xy(lon, lat)
    return Polygon([(cx + dx, cy + dy) for dx, dy in offsets_m])


# --------------------------------------------------------------------------- the plan's objects

# (id, name, kind, mineral, area km² as the plan states, lon, lat, extra attributes)
EXPLORATION = [
    ("KC01", "山西省阳高县王官屯镇刘窑村山羊沟矿区铁矿普查", "铁", 4.506, 113.920, 40.060, {"勘查程度": "普查"}),
    ("KC02", "山西省天镇县水桶寺铅锌多金属矿普查（阳高段）", "铅锌", 3.84, 113.960, 40.160, {"勘查程度": "普查"}),
    ("KC03", "阳高县山口头片麻岩矿", "建筑用片麻岩", 0.271, 113.660, 40.120, {}),
    ("KC04", "阳高县颜家沟建筑用片麻岩", "建筑用片麻岩", 1.427, 113.700, 40.070, {}),
]
MINING = [
    # 堡子湾: 专栏1 gives 金 at 详查; 金属量 4004.05 kg (第一章第一节) = 4.0 t < 5 t → 小型 (133号)
    (
        "KQ01",
        "山西省阳高县山西大同黄金矿业有限责任公司堡子湾金矿",
        "金",
        56.599,
        113.680,
        40.295,
        {"勘查程度": "详查", "储量规模": "小型"},
    ),
    ("KQ02", "阳高县范家窑矿泉水", "矿泉水", 0.533, 113.800, 40.318, {}),
]
CONCENTRATED = [
    ("JZ01", "阳高县恶石村建筑用砂矿集中开采区", "建筑用砂", 0.044, 113.880, 40.280),
    ("JZ02", "阳高县大元沟村建筑用砂矿集中开采区", "建筑用砂", 0.178, 113.620, 40.220),
    ("JZ03", "阳高县普家梁粘土矿集中开采区", "砖瓦用粘土", 0.065, 113.930, 40.330),
    ("JZ04", "阳高县王官屯新元村粘土矿集中开采区", "砖瓦用粘土", 0.017, 113.860, 40.100),
    ("JZ05", "阳高县山口头片麻岩矿集中开采区", "建筑用片麻岩", 0.271, 113.660, 40.120),
    ("JZ06", "阳高县颜家沟建筑用片麻岩集中开采区", "建筑用片麻岩", 1.427, 113.700, 40.070),
]
# existing mines of 第一章第二节 (capacity as the plan states) and the one exploration right
MINES = [
    ("C1402282009127130000101", "阳高县猴儿路铁矿有限责任公司", "铁", 4, "万吨/年", 113.620, 40.180, 0.42),
    ("C1402282010117130000102", "大同市煤都贸易有限责任公司（铁矿）", "铁", 3, "万吨/年", 113.860, 40.370, 0.31),
    (
        "C1402282015057130000103",
        "阳高县大白登镇杏园村吾其河南砂矿",
        "建筑用砂",
        2,
        "万立方米/年",
        113.720,
        40.020,
        0.12,
    ),
    ("C1402282016067130000104", "阳高县许家园村南砂矿", "建筑用砂", 2, "万立方米/年", 113.900, 40.240, 0.09),
    (
        "C1402282012097130000105",
        "阳高县王官屯镇核桃沟花岗岩矿",
        "饰面用花岗岩",
        2,
        "万立方米/年",
        113.950,
        40.020,
        0.18,
    ),
    ("C1402282011037130000106", "阳高县狮子屯燕窝片麻岩矿", "建筑用片麻岩", 5, "万立方米/年", 113.930, 40.280, 0.21),
    (
        "C1402282011047130000107",
        "阳高县罗文皂平山小东沟片麻岩矿",
        "建筑用片麻岩",
        3,
        "万立方米/年",
        113.900,
        40.350,
        0.16,
    ),
]
EXPLORATION_RIGHT = ("T1400002019101010050001", "山西省阳高县正白柳沟银金多金属矿普查", "银", 113.780, 40.385, 6.2)
COUNTY_KM2 = 1598.3  # 第一章第一节: 总面积1598.3平方千米
KEY_AREA_KM2 = 608.72  # 山西省大同盆地深部地热资源重点勘查区(阳高段)


def build(out_dir: Path) -> dict[str, gpd.GeoDataFrame]:
    rng = np.random.default_rng(SEED)
    county_m = blob(113.790, 40.175, 25_000, 36_000, rng, n=72, wobble=0.22)
    county = scaled_to(county_m, COUNTY_KM2)
    county_metric = shapely.transform(county, lambda c: np.column_stack(TO_M.transform(c[:, 0], c[:, 1])))

    # ---- blocks
    rows = []
    for bid, name, mineral, km2, lon, lat, extra in EXPLORATION:
        rows.append(
            {
                "区块编号": bid,
                "区块名称": name,
                "区块类型": "勘查规划区块",
                "矿种": mineral,
                **extra,
                "面积": km2,
                "geometry": lonlat_rect(lon, lat, km2),
            }
        )
    bzw = polygon_m(
        113.680,
        40.295,
        [(-3900, -3300), (-1200, -4300), (3600, -3600), (4300, 200), (2600, 3900), (-1500, 4100), (-4200, 1200)],
    )
    rows.append(
        {
            "区块编号": MINING[0][0],
            "区块名称": MINING[0][1],
            "区块类型": "开采规划区块",
            "矿种": MINING[0][2],
            **MINING[0][6],
            "面积": MINING[0][3],
            "geometry": scaled_to(bzw, MINING[0][3]),
        }
    )
    fjy = polygon_m(113.800, 40.318, [(-420, -300), (380, -340), (450, 280), (-350, 330)])
    rows.append(
        {
            "区块编号": MINING[1][0],
            "区块名称": MINING[1][1],
            "区块类型": "开采规划区块",
            "矿种": MINING[1][2],
            "面积": MINING[1][3],
            "geometry": scaled_to(fjy, MINING[1][3]),
        }
    )
    concentrated_geoms = []
    for bid, name, mineral, km2, lon, lat in CONCENTRATED:
        same = next((r["geometry"] for r in rows if r["区块名称"] in name.replace("集中开采区", "")), None)
        geom = (
            same
            if same is not None
            else scaled_to(polygon_m(lon, lat, [(-150, -90), (140, -110), (160, 100), (-130, 120)]), km2)
        )
        concentrated_geoms.append(geom)
        rows.append(
            {
                "区块编号": bid,
                "区块名称": name,
                "区块类型": "砂石土类集中开采区",
                "矿种": mineral,
                "面积": km2,
                "geometry": geom,
            }
        )
    blocks = gpd.GeoDataFrame(rows, crs=4490)
    for col in ("勘查程度", "储量规模"):
        blocks[col] = blocks[col].where(blocks[col].notna(), None)
    blocks_metric = [
        shapely.transform(g, lambda c: np.column_stack(TO_M.transform(c[:, 0], c[:, 1]))) for g in blocks.geometry
    ]
    keep_out = shapely.union_all([g.buffer(60) for g in blocks_metric])

    # ---- town development boundary around 龙泉镇 (the county seat), touching 范家窑 on purpose
    town_m = blob(113.780, 40.340, 3_400, 2_700, rng, n=40, wobble=0.15)
    town_m = town_m.difference(shapely.union_all([g.buffer(60) for i, g in enumerate(blocks_metric) if i != 5]))

    # ---- ecological red lines: 六棱山 (south, with an enclave hole) and 云门山 (north)
    liuleng = blob(113.860, 39.955, 9_000, 3_200, rng, n=56, wobble=0.18)
    liuleng = Polygon(liuleng.exterior.coords, [blob(113.860, 39.955, 900, 600, rng, n=12).exterior.coords])
    yunmen = blob(113.820, 40.418, 6_000, 1_400, rng, n=40, wobble=0.2)
    red = [g.intersection(county_metric).difference(keep_out) for g in (liuleng, yunmen)]

    # ---- farmland / arable land: a jittered lattice tiling the basin
    basin = blob(113.860, 40.225, 14_000, 10_000, rng, n=48, wobble=0.08).union(
        blob(113.800, 40.050, 14_000, 2_600, rng, n=32, wobble=0.1)
    )
    basin = (
        basin.intersection(county_metric).difference(shapely.union_all(red).buffer(50)).difference(town_m.buffer(30))
    )
    minx, miny, maxx, maxy = basin.bounds
    dx, dy = 420.0, 330.0
    nx, ny = int((maxx - minx) // dx) + 2, int((maxy - miny) // dy) + 2
    gx = minx + dx * np.arange(nx)[:, None] + rng.uniform(-70, 70, (nx, ny))
    gy = miny + dy * np.arange(ny)[None, :] + rng.uniform(-55, 55, (nx, ny))

    def mid(i0, j0, i1, j1):
        # midpoint of a lattice edge, jittered by a value derived from the edge itself (shared by neighbours)
        k = (min(i0, i1) * 7919 + min(j0, j1) * 104729 + (i0 != i1) * 15485863) % 1000
        off = (k / 1000.0 - 0.5) * 60.0
        mx, my = (gx[i0, j0] + gx[i1, j1]) / 2, (gy[i0, j0] + gy[i1, j1]) / 2
        return (mx + off, my - off) if i0 == i1 else (mx - off, my + off)

    parcels = []
    for i in range(nx - 1):
        for j in range(ny - 1):
            ring = [
                (gx[i, j], gy[i, j]),
                mid(i, j, i + 1, j),
                (gx[i + 1, j], gy[i + 1, j]),
                mid(i + 1, j, i + 1, j + 1),
                (gx[i + 1, j + 1], gy[i + 1, j + 1]),
                mid(i, j + 1, i + 1, j + 1),
                (gx[i, j + 1], gy[i, j + 1]),
                mid(i, j, i, j + 1),
            ]
            parcels.append(Polygon(ring))
    parcels = np.array(parcels, dtype=object)
    inside = shapely.contains(basin, parcels) & ~shapely.intersects(keep_out, parcels)
    draw = rng.uniform(size=len(parcels))
    arable_mask = inside & (draw > 0.12)  # roads, villages, ditches
    farmland_mask = arable_mask & (draw > 0.40)  # permanent basic farmland: most of the arable land
    dlbm = np.where(rng.uniform(size=len(parcels)) < 0.8, "0103", "0101")  # 旱地 mostly, some 水浇地

    def lonlat_frame(geoms, **cols):
        return gpd.GeoDataFrame(cols, geometry=[to_lonlat(g) for g in geoms], crs=4490)

    farmland_idx = np.flatnonzero(farmland_mask)
    arable_idx = np.flatnonzero(arable_mask)
    layers = {
        "county_boundary": lonlat_frame([county_metric], feature_id=["140221"], name=["阳高县"]),
        "town_boundary": lonlat_frame([town_m], feature_id=["CZKFBJ-1"], name=["龙泉镇城镇开发边界"]),
        "eco_redline": lonlat_frame(
            red, feature_id=["STBHHX-1", "STBHHX-2"], name=["六棱山生态保护红线", "云门山生态保护红线"]
        ),
        "basic_farmland": lonlat_frame(parcels[farmland_idx], feature_id=[f"YJJBNT-{k:05d}" for k in farmland_idx]),
        "arable_land": lonlat_frame(
            parcels[arable_idx], feature_id=[f"DLTB-{k:05d}" for k in arable_idx], DLBM=list(dlbm[arable_idx])
        ),
    }
    key_area_m = blob(113.820, 40.250, 17_500, 12_000, rng, n=48, wobble=0.06)
    layers["key_exploration_area"] = gpd.GeoDataFrame(
        {
            "feature_id": ["ZDKC-1"],
            "name": ["山西省大同盆地深部地热资源重点勘查区（阳高段）"],
            "area_km2": [KEY_AREA_KM2],
        },
        geometry=[scaled_to(key_area_m, KEY_AREA_KM2, clip=county_metric)],
        crs=4490,
    )
    # mining rights: delivered in CGCS2000 3° zone 38 with the zone prefix, as 采矿权 usually are
    rights = []
    for permit, name, mineral, cap, unit, lon, lat, km2 in MINES:
        shape = polygon_m(lon, lat, [(-300, -250), (320, -200), (280, 260), (-260, 300)])
        rights.append(
            {
                "许可证号": permit,
                "矿业权类型": "采矿权",
                "矿山名称": name,
                "矿种": mineral,
                "生产规模": cap,
                "规模单位": unit,
                "geometry": scaled_to(shape, km2),
            }
        )
    permit, name, mineral, lon, lat, km2 = EXPLORATION_RIGHT
    shape = polygon_m(lon, lat, [(-1400, -900), (1300, -1000), (1200, 950), (-1300, 900)])
    rights.append(
        {
            "许可证号": permit,
            "矿业权类型": "探矿权",
            "矿山名称": name,
            "矿种": mineral,
            "生产规模": None,
            "规模单位": None,
            "geometry": scaled_to(shape, km2),
        }
    )
    layers["mining_rights"] = gpd.GeoDataFrame(rights, crs=4490).to_crs(4526)
    deposits = [
        ("KC-堡子湾金矿床", "金", blocks_metric[4].buffer(-1500)),
        ("KC-山羊沟铁矿床", "铁", blocks_metric[0].buffer(-250)),
        ("KC-山口头片麻岩矿床", "建筑用片麻岩", blocks_metric[2].buffer(-60)),
        ("KC-郭家坡煤矿床", "煤", blob(113.880, 40.395, 1_800, 900, rng, n=24).difference(keep_out)),
    ]
    layers["deposits"] = gpd.GeoDataFrame(
        {"feature_id": [d[0] for d in deposits], "mineral": [d[1] for d in deposits]},
        geometry=[to_lonlat(d[2]) for d in deposits],
        crs=4490,
    ).to_crs(4526)
    layers["concentrated_areas"] = gpd.GeoDataFrame(
        {
            "feature_id": [c[0] for c in CONCENTRATED],
            "name": [c[1] for c in CONCENTRATED],
            "mineral": [c[2] for c in CONCENTRATED],
        },
        geometry=concentrated_geoms,
        crs=4490,
    )

    out = {"plan_blocks": blocks, **layers}
    for name in ("plan_blocks", "mining_rights", "deposits", "eco_redline", "town_boundary"):
        outside = ~out[name].to_crs(4490).within(county.buffer(1e-5))
        assert not outside.any(), f"{name}: features outside the county outline: {list(np.flatnonzero(outside))}"
    (out_dir / "boundaries").mkdir(parents=True, exist_ok=True)
    (out_dir / "redlines").mkdir(parents=True, exist_ok=True)
    files = {
        out_dir / "boundaries" / "plan_blocks.gpkg": ["plan_blocks"],
        out_dir / "boundaries" / "boundaries.gpkg": [
            "county_boundary",
            "key_exploration_area",
            "mining_rights",
            "deposits",
            "concentrated_areas",
            "arable_land",
        ],
        out_dir / "redlines" / "redlines.gpkg": ["eco_redline", "basic_farmland", "town_boundary"],
    }
    for path, names in files.items():
        if path.exists():
            path.unlink()
        for name in names:
            out[name].to_file(
                path,
                layer="blocks" if name == "plan_blocks" else name,
                driver="GPKG",
                engine="pyogrio",
                append=path.exists(),
                VERSION="1.2",  # readable without warnings by the GDAL of QGIS 3.22 (Debian 12)
            )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=ROOT)
    args = parser.parse_args()
    out = build(args.out_dir)
    for name, gdf in out.items():
        print(f"{name:22s} {len(gdf):6d} features")


if __name__ == "__main__":
    main()

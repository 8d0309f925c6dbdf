"""Writes the dashboard's world map (Sources/Server/Dashboard/Assets/world.json) from Natural Earth's
1:110m countries (public domain, https://www.naturalearthdata.com), as packaged with geopandas 0.14
(geopandas/datasets/naturalearth_lowres), and Debian's iso-codes (ISO 3166-1 alpha-3 → alpha-2).

Usage: python3 Scripts/make-world-map.py NATURALEARTH_LOWRES_DIR > Sources/Server/Dashboard/Assets/world.json

The outline is projected with the Equal Earth projection (Šavrič, Patterson, Jenny 2018) onto a
1000-unit-wide canvas, simplified (Douglas-Peucker, 0.5 units) and written as one SVG path per
country code; Antarctica is left out. Reads the shapefile directly (no GIS library needed).
"""
import json
import math
import struct
import sys

folder = sys.argv[1]
base = folder.rstrip("/") + "/naturalearth_lowres"


def records():
    """(attributes, polygons) per country; polygons are lists of rings of (lon, lat)."""
    with open(base + ".dbf", "rb") as f:
        dbf = f.read()
    count, header_len, record_len = struct.unpack("<IHH", dbf[4:12])
    fields, offset = [], 32
    while dbf[offset] != 0x0D:
        name = dbf[offset:offset + 11].split(b"\0")[0].decode()
        fields.append((name, dbf[offset + 16]))
        offset += 32
    with open(base + ".shp", "rb") as f:
        shp = f.read()
    position = 100
    for index in range(count):
        start = header_len + index * record_len + 1
        attributes = {}
        for name, length in fields:
            attributes[name] = dbf[start:start + length].decode("utf-8", "replace").strip()
            start += length
        _, words = struct.unpack(">ii", shp[position:position + 8])
        content = shp[position + 8:position + 8 + words * 2]
        position += 8 + words * 2
        kind = struct.unpack("<i", content[:4])[0]
        assert kind == 5, "polygons only"
        parts, points = struct.unpack("<ii", content[36:44])
        starts = list(struct.unpack(f"<{parts}i", content[44:44 + 4 * parts])) + [points]
        coordinates = struct.unpack(f"<{2 * points}d", content[44 + 4 * parts:44 + 4 * parts + 16 * points])
        rings = [[(coordinates[2 * i], coordinates[2 * i + 1]) for i in range(starts[p], starts[p + 1])]
                 for p in range(parts)]
        yield attributes, rings


A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796


def equal_earth(lon, lat):
    lam, phi = math.radians(lon), math.radians(lat)
    theta = math.asin(math.sqrt(3) / 2 * math.sin(phi))
    t2, t6 = theta * theta, theta ** 6
    x = 2 * math.sqrt(3) * lam * math.cos(theta) / (3 * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)))
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return x, y


def simplify(points, tolerance):
    if len(points) < 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        length = math.hypot(dx, dy) or 1e-9
        far, index = 0.0, None
        for i in range(first + 1, last):
            px, py = points[i]
            distance = abs(dy * (px - ax) - dx * (py - ay)) / length
            if distance > far:
                far, index = distance, i
        if index is not None and far > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep) if k]


with open("/usr/share/iso-codes/json/iso_3166-1.json") as f:
    alpha2 = {c["alpha_3"]: c["alpha_2"] for c in json.load(f)["3166-1"]}
# Places Natural Earth draws apart that an IP country database names by their sovereign's code.
alpha2.update({"KOS": "XK", "-99": None})
by_name = {"N. Cyprus": "CY", "Somaliland": "SO", "Kosovo": "XK", "France": "FR", "Norway": "NO"}

max_x, _ = equal_earth(180, 0)
_, max_y = equal_earth(0, 84)
_, min_y = equal_earth(0, -56)
width = 1000.0
scale = width / (2 * max_x)
height = round((max_y - min_y) * scale)
countries = {}
for attributes, rings in records():
    code = by_name.get(attributes["name"]) or alpha2.get(attributes["iso_a3"])
    if not code or code == "AQ":
        continue
    path = countries.get(code, "")
    for ring in rings:
        projected = [equal_earth(lon, max(-56, min(84, lat))) for lon, lat in ring]
        points = [((x + max_x) * scale, (max_y - y) * scale) for x, y in projected]
        # A closed ring's ends coincide: simplify its two halves, split at the middle point.
        middle = len(points) // 2
        points = simplify(points[:middle + 1], 0.5)[:-1] + simplify(points[middle:], 0.5)
        if len(points) < 4:
            continue
        area = abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1]))) / 2
        if area < 1.5 and path:
            continue
        steps = ["M%.1f %.1f" % points[0]] + ["L%.1f %.1f" % p for p in points[1:-1]]
        path += "".join(steps).replace(".0 ", " ").replace(".0L", "L") + "Z"
    if path:
        countries[code] = path
json.dump({"source": "Natural Earth 1:110m countries (public domain), Equal Earth projection",
           "width": width, "height": height, "countries": dict(sorted(countries.items()))},
          sys.stdout, separators=(",", ":"))

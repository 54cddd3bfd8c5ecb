# Independent reference values for tests/unit/atlas_test.cpp: pyproj + shapely only.
# Run: /usr/bin/python3 tests/unit/atlas_reference.py
from pyproj import Geod, Transformer
from shapely.geometry import box, Point
from shapely.ops import transform
import math
g = Geod(ellps='WGS84')
def laea(lon0, lat0):
    t = Transformer.from_crs('EPSG:4326', f'+proj=laea +lat_0={lat0} +lon_0={lon0} +ellps=WGS84 +units=m', always_xy=True)
    return lambda geom: transform(t.transform, geom)
def aeqd_dist(pt, geom):
    t = Transformer.from_crs('EPSG:4326', f'+proj=aeqd +lat_0={pt[1]} +lon_0={pt[0]} +ellps=WGS84 +units=m', always_xy=True)
    return transform(t.transform, geom).distance(Point(0, 0))
X = box(60, 56, 60.1, 56.1); centre = (60.05, 56.05)
fx = laea(*centre)
A = fx(X).area
R = math.sqrt(A / math.pi)
print('A_X', repr(A))
cl = {'c1': (60.05, 56.06), 'c2': (60.03, 56.07), 'c3': (60.07, 56.03), 'c4': (60.06, 56.08)}
for k, p in cl.items():
    d = g.inv(p[0], p[1], *centre)[2]
    print(k, 'dist', repr(d), 'centrality', repr(d / R))
h1 = g.fwd(60.05, 56.06, 90, 40)[:2]; print('h1', repr(h1))
h2 = box(60.02, 56.02, 60.022, 56.021); h4 = box(60.08, 56.06, 60.083, 56.062)
for name, h in (('h2', h2), ('h4', h4)):
    c = h.centroid
    d = g.inv(c.x, c.y, *centre)[2]
    nc = min(aeqd_dist(p, h) for p in cl.values())
    print(name, 'dist', repr(d), 'centrality', repr(d / R), 'area', repr(fx(h).area), 'nearest_cluster', repr(nc))
# nearest heritage distance for every cluster
her = {'h1': Point(h1), 'h2': h2, 'h3': Point(60.09, 56.09), 'h4': h4}
for k, p in cl.items():
    print(k, 'nearest_heritage', min((aeqd_dist(p, h), n) for n, h in her.items()))
# Clark-Evans on the 4 clusters
pts = list(cl.values()); n = len(pts)
nn = [min(g.inv(*pts[i], *pts[j])[2] for j in range(n) if j != i) for i in range(n)]
obs = sum(nn) / n; dens = n / A; exp = 0.5 / math.sqrt(dens); se = 0.26136 / math.sqrt(n * dens)
z = (obs - exp) / se; p = math.erfc(abs(z) / math.sqrt(2))
print('nni', repr(obs / exp), 'z', repr(z), 'p', repr(p))
print('diversity', repr(math.log(3) / math.log(5)))

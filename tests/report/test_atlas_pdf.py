"""atlas.pdf of the demo project, read with poppler-utils only (pdfinfo,
pdftotext, pdftoppm): what a planner would see when printing it.

Expectations come from the demo's inputs and the spec, never from creatlas:
the cities with clusters are the distinct `city` values of
sample_data/clusters.csv (the hand-written city of each cluster), Yekaterinburg
has the most clusters (3 of the 12), the legend texts are those of
docs/styles.md, and the Russian ones those of docs/terms-ru.md.

usage: test_atlas_pdf.py RUN_DIR SAMPLE_DATA_DIR en|ru
"""
import csv
import os
import subprocess
import sys
import unicodedata
import unittest
from collections import Counter

RUN_DIR, SAMPLE, LANGUAGE = sys.argv[1], sys.argv[2], sys.argv[3]
del sys.argv[1:4]
PDF = os.path.join(RUN_DIR, "atlas.pdf")

# A4 landscape in PDF points (QGIS writes the layout's 297 × 210 mm).
A4_LANDSCAPE = (841.89, 595.28)
# Where the maps are on the pages (millimetres from the top left; see
# styles/partials/qgs_layout.xml): the cover's overview and a city page's map.
COVER_MAP = (12, 30, 186, 160)
CITY_MAP = (12, 31, 181, 117)

EXPECTED = {
    "en": {
        "legend": ["Creative clusters by formation type", "1 – initiative",
                   "2 – initiative, supported", "3 – partnership", "4 – public-led",
                   "5 – dependent", "Heritage sites by re-use status",
                   "re-used by a creative cluster", "Support programme zones by instrument",
                   "transformation of urban spaces", "grants to small businesses",
                   "Cities by creative index"],
        "cover": ["Headline figures", "Creative clusters: 12"],
        "city": ["Creative clusters of the city", "Top conversion candidates", "Population"],
        "credits": "Sources",
    },
    "ru": {
        "legend": ["Креативные кластеры по типу формирования", "1 – инициативный",
                   "2 – инициативный с господдержкой", "3 – партнёрский",
                   "4 – государственный с участием бизнеса", "5 – зависимый",
                   "Объекты наследия по статусу использования",
                   "приспособлен креативным кластером", "Зоны программ поддержки по инструменту",
                   "трансформация городских пространств", "гранты малому бизнесу",
                   "Города по креативному индексу"],
        "cover": ["Главные показатели", "Креативные кластеры: 12"],
        "city": ["Креативные кластеры города", "Лучшие кандидаты на приспособление",
                 "Население"],
        "credits": "Источники",
    },
}[LANGUAGE]


def clusters_per_city():
    with open(os.path.join(SAMPLE, "clusters.csv"), encoding="utf-8") as f:
        return Counter(row["city"] for row in csv.DictReader(f))


def page_text(page):
    return subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-layout", PDF, "-"],
                          check=True, capture_output=True, text=True).stdout


def flat(text):
    """Text with runs of spaces and line breaks as one space (layout columns),
    and typographic ligatures (the "ﬁ" Qt writes) as their letters."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def pages():
    info = subprocess.run(["pdfinfo", PDF], check=True, capture_output=True, text=True).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    return int(fields["Pages"]), fields["Page size"].strip()


def map_pixels(page, box_mm, dpi=40):
    """The RGB pixels of a rectangle of a page, rendered by pdftoppm."""
    x, y, w, h = (round(v / 25.4 * dpi) for v in box_mm)
    ppm = subprocess.run(["pdftoppm", "-f", str(page), "-l", str(page), "-r", str(dpi),
                          "-x", str(x), "-y", str(y), "-W", str(w), "-H", str(h), PDF],
                         check=True, capture_output=True).stdout
    # Binary PPM: "P6\n<w> <h>\n255\n" then RGB bytes.
    parts = ppm.split(b"\n", 3)
    width, height = (int(v) for v in parts[1].split())
    data = parts[3]
    return [tuple(data[i:i + 3]) for i in range(0, width * height * 3, 3)]


class AtlasPdf(unittest.TestCase):
    def test_one_page_per_city_with_clusters_and_a_cover(self):
        count, size = pages()
        self.assertEqual(count, 1 + len(clusters_per_city()))
        width, height = (float(v) for v in size.split(" pts")[0].split(" x "))
        self.assertAlmostEqual(width, A4_LANDSCAPE[0], delta=1)
        self.assertAlmostEqual(height, A4_LANDSCAPE[1], delta=1)

    def test_each_city_has_its_page_heaviest_first(self):
        expected = clusters_per_city()
        count, _ = pages()
        titles = []
        for page in range(2, count + 1):
            lines = [line.strip() for line in page_text(page).splitlines() if line.strip()]
            # The title is the first text of the page.
            titles.append(lines[0].split("  ")[0].strip())
        self.assertEqual(sorted(titles), sorted(expected))
        self.assertEqual(titles[0], expected.most_common(1)[0][0])

    def test_legend_entries_and_headings(self):
        count, _ = pages()
        cover = flat(page_text(1))
        for text in EXPECTED["cover"]:
            self.assertIn(text, cover)
        for text in EXPECTED["legend"][:6]:  # the cover's legend: formation types
            self.assertIn(text, cover)
        for page in range(2, count + 1):
            text = flat(page_text(page))
            for entry in EXPECTED["legend"] + EXPECTED["city"]:
                self.assertIn(entry, text, f"page {page}")

    def test_long_names_are_cut_with_an_ellipsis(self):
        """The heritage column of the clusters table holds 24 characters: the sample's
        "Водонапорная башня УЗТМ («Белая башня»)" (39) shows as its first 23 and "…",
        never cut mid-letter at the column's edge; a short name shows whole."""
        text = "\n".join(page_text(page) for page in range(2, pages()[0] + 1))
        self.assertIn("Водонапорная башня УЗТМ…", text)
        self.assertNotIn("УЗТМ («", text)
        self.assertIn("Хлебозавод № 6", text)

    def test_credits_name_each_input(self):
        count, _ = pages()
        inputs = ["cities.geojson", "clusters.csv", "cluster_attributes.csv", "grants.csv",
                  "heritage.geojson", "programmes.geojson"]
        for page in range(1, count + 1):
            text = flat(page_text(page))
            self.assertIn(EXPECTED["credits"], text)
            for name in inputs:
                self.assertIn(name, text, f"page {page}")
            self.assertIn("EPSG:3857", text)

    def test_map_area_is_not_blank(self):
        count, _ = pages()
        for page in range(1, count + 1):
            pixels = map_pixels(page, COVER_MAP if page == 1 else CITY_MAP)
            drawn = sum(1 for p in pixels if min(p) < 235)
            colours = len({(r // 32, g // 32, b // 32) for r, g, b in pixels})
            # Symbols of several colours, not just a frame: 0.5 % of the map's
            # pixels drawn and at least 4 distinct colour bins.
            self.assertGreater(drawn / len(pixels), 0.005, f"page {page}")
            self.assertGreaterEqual(colours, 4, f"page {page}")


if __name__ == "__main__":
    unittest.main()

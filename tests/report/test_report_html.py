"""report.html of the demo project in headless Chromium (Debian's `chromium`),
as a colleague's browser shows it: at 1280 px the page does not scroll
sideways, the console shows no error, every image and SVG is drawn, and the
interactive map has one marker per cluster, all without the network.

A copy of the page gets a probe script (this test's, not creatlas's) that
measures the page after it has loaded and writes the measurements into the
DOM, which Chromium's --dump-dom prints. Console messages come from
Chromium's own log (--enable-logging=stderr); a page that logs an error on
purpose checks first that the log shows them. Any request to a host fails
(--host-resolver-rules), so a page that needed the internet would log an error.

Expected counts come from the demo's inputs: 12 rows in sample_data/clusters.csv.

usage: test_report_html.py RUN_DIR SAMPLE_DATA_DIR
"""
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

RUN_DIR, SAMPLE = sys.argv[1], sys.argv[2]
del sys.argv[1:3]
REPORT = os.path.join(RUN_DIR, "report.html")
WIDTH = 1280

PROBE = """
<script>
window.addEventListener("load", function () {
  setTimeout(function () {
    var out = {
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
      images: Array.prototype.map.call(document.images, function (i) {
        return [i.complete, i.naturalWidth, i.getBoundingClientRect().width];
      }),
      svgs: Array.prototype.map.call(document.querySelectorAll("svg.chart"), function (s) {
        var box = s.getBoundingClientRect();
        return [s.id, box.width, box.height, s.querySelectorAll("rect, polyline").length];
      }),
      tooWide: Array.prototype.filter.call(
        document.querySelectorAll("body *"), function (e) {
          return e.getBoundingClientRect().right > window.innerWidth + 0.5 &&
                 !e.closest(".leaflet-container");
        }).map(function (e) { return e.tagName + "." + e.className; }),
      clusterMarkers: document.querySelectorAll("#atlas-map path.creatlas-cluster").length,
      leaflet: typeof L !== "undefined" && !!document.querySelector("#atlas-map.leaflet-container")
    };
    var pre = document.createElement("pre");
    pre.id = "probe-result";
    pre.textContent = JSON.stringify(out);
    document.body.appendChild(pre);
  }, 300);
});
</script>
"""


def chromium(url, folder):
    """Chromium's DOM after the page's scripts ran, and its log on stderr."""
    result = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={folder}/profile", f"--window-size={WIDTH},900",
         "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
         "--host-resolver-rules=MAP * ~NOTFOUND", "--virtual-time-budget=15000",
         "--dump-dom", url],
        capture_output=True, text=True, timeout=300)
    return result.stdout, result.stderr


def console_errors(log):
    """Console messages of the page that are errors (uncaught exceptions,
    console.error, failed loads)."""
    lines = [line for line in log.splitlines() if "CONSOLE" in line]
    return [line for line in lines
            if re.search(r"Uncaught|Error|ERR_|Failed to load|error", line)]


class ReportInChromium(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="creatlas_report_test_")
        with open(REPORT, encoding="utf-8") as f:
            page = f.read()
        probed = os.path.join(cls.folder, "report.html")
        with open(probed, "w", encoding="utf-8") as f:
            f.write(page.replace("</body>", PROBE + "</body>"))
        cls.dom, cls.log = chromium("file://" + probed, cls.folder)
        found = re.search(r'<pre id="probe-result">(.*?)</pre>', cls.dom, re.S)
        cls.probe = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&")
                               .replace("&lt;", "<").replace("&gt;", ">")) if found else None

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.folder, ignore_errors=True)

    def test_the_log_would_show_console_errors(self):
        page = os.path.join(self.folder, "error.html")
        with open(page, "w", encoding="utf-8") as f:
            f.write("<!DOCTYPE html><html><body><script>console.error('probe error');"
                    "undefined_function();</script></body></html>")
        _, log = chromium("file://" + page, self.folder + "/e")
        self.assertTrue(any("probe error" in line for line in console_errors(log)), log[-2000:])
        self.assertTrue(any("undefined_function" in line for line in console_errors(log)))

    def test_page_ran_its_scripts(self):
        self.assertIsNotNone(self.probe, self.dom[-2000:])
        self.assertTrue(self.probe["leaflet"])

    def test_no_console_errors(self):
        self.assertEqual(console_errors(self.log), [])

    def test_no_wider_than_the_window(self):
        self.assertEqual(self.probe["innerWidth"], WIDTH)
        self.assertLessEqual(self.probe["scrollWidth"], WIDTH)
        self.assertEqual(self.probe["tooWide"], [])

    def test_every_image_and_chart_is_drawn(self):
        images = self.probe["images"]
        self.assertGreater(len(images), 0)
        for complete, natural_width, shown_width in images:
            self.assertTrue(complete)
            self.assertGreater(natural_width, 0)
            self.assertGreater(shown_width, 0)
        charts = {svg[0]: svg for svg in self.probe["svgs"]}
        # Bars, then the transformation over time (city_years): the comparison and one
        # trajectory per city with clusters (the cities of clusters.csv).
        timeline = ["chart-timeline-" + c for c in
                    ("aramil", "barnaul", "chelyabinsk", "cities", "ekaterinburg", "irkutsk",
                     "krasnoyarsk", "nizhny_tagil", "omsk", "perm", "sysert")]
        self.assertEqual(sorted(charts), sorted(["chart-creative-index", "chart-formation",
                                                 "chart-grants", "chart-lq", "chart-transformation"]
                                                + timeline))
        for _, width, height, marks in charts.values():  # bars or lines
            self.assertGreater(width, 0)
            self.assertGreater(height, 0)
            self.assertGreater(marks, 0)

    def test_one_marker_per_cluster(self):
        with open(os.path.join(SAMPLE, "clusters.csv"), encoding="utf-8") as f:
            clusters = sum(1 for _ in csv.DictReader(f))
        self.assertEqual(clusters, 12)
        self.assertEqual(self.probe["clusterMarkers"], clusters)

    def test_findings_come_first_and_provenance_last(self):
        order = [self.dom.find(f'id="{section}"') for section in
                 ("findings", "charts", "timeline", "maps", "candidates", "cities",
                  "provenance")]
        self.assertTrue(all(position > 0 for position in order), order)
        self.assertEqual(order, sorted(order))


if __name__ == "__main__":
    unittest.main()

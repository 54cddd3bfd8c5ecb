// Unit tests of the style stage's building blocks, against hand-worked values.
#include "creatlas/error.hpp"
#include "creatlas/style.hpp"
#include "creatlas/table.hpp"
#include "style/catalogue.hpp"
#include "style/i18n.hpp"
#include "style/print_layout.hpp"
#include "style/read_columns.hpp"
#include "style/report_parts.hpp"

#include <cpl_vsi.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>
#include <optional>
#include <sstream>

using creatlas::style_detail::escape_xml;
using creatlas::style_detail::qgis_colour;
using creatlas::style_detail::quantile_breaks;
using creatlas::style_detail::render_template;
using creatlas::style_detail::to_hex;
using nlohmann::json;

namespace {
// Breaks are interpolated, so they are compared to within a few units in the last place.
void expect_breaks(const std::vector<double>& actual, const std::vector<double>& expected) {
    ASSERT_EQ(actual.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        EXPECT_DOUBLE_EQ(actual[i], expected[i]) << "bound " << i;
    }
}
} // namespace

TEST(RenderTemplate, SubstitutesAndEscapes) {
    EXPECT_EQ(render_template("<a v=\"{{x}}\"/>", json{{"x", "1 < 2 & \"q\""}}, "t"),
              "<a v=\"1 &lt; 2 &amp; &quot;q&quot;\"/>");
    EXPECT_EQ(render_template("{{&x}}", json{{"x", "<b/>"}}, "t"), "<b/>");
    EXPECT_EQ(render_template("{{n}}/{{f}}", json{{"n", 5}, {"f", 2.5}}, "t"), "5/2.5");
}

TEST(RenderTemplate, RepeatsSectionsAndResolvesOutwards) {
    const json context{{"layer", "L"}, {"items", json::array({{{"v", "a"}}, {{"v", "b"}}})}};
    EXPECT_EQ(render_template("{{#items}}{{layer}}{{v}};{{/items}}", context, "t"), "La;Lb;");
}

TEST(RenderTemplate, StandaloneSectionLinesLeaveNoBlankLines) {
    const json context{{"on", true}, {"off", false}};
    EXPECT_EQ(render_template("a\n{{#on}}\nb\n{{/on}}\n{{#off}}\nc\n{{/off}}\nd\n", context, "t"),
              "a\nb\nd\n");
}

TEST(RenderTemplate, InvertedAndMissingSections) {
    const json context{{"empty", json::array()}};
    EXPECT_EQ(render_template("{{^empty}}none{{/empty}}{{#missing}}x{{/missing}}", context, "t"),
              "none");
}

TEST(RenderTemplate, NestedSectionsOfTheSameName) {
    const json context{{"a", json::array({{{"a", true}}})}};
    EXPECT_EQ(render_template("{{#a}}[{{#a}}in{{/a}}]{{/a}}", context, "t"), "[in]");
}

TEST(RenderTemplate, UnknownValueIsAnErrorNamingTheTemplate) {
    try {
        render_template("{{nope}}", json::object(), "clusters.qml");
        FAIL() << "expected an error";
    } catch (const creatlas::Error& e) {
        EXPECT_NE(std::string(e.what()).find("clusters.qml"), std::string::npos);
        EXPECT_NE(e.message().find("'nope'"), std::string::npos);
    }
    EXPECT_THROW(render_template("{{#a}}x", json{{"a", true}}, "t"), creatlas::Error);
    EXPECT_THROW(render_template("x{{/a}}", json::object(), "t"), creatlas::Error);
}

TEST(RenderTemplate, PartialsComeFromTheStylesFolder) {
    const auto dir = std::filesystem::temp_directory_path() / "creatlas_style_unit_partials";
    std::filesystem::create_directories(dir / "partials");
    std::ofstream(dir / "partials" / "p.xml") << "<{{v}}/>\n";
    ::setenv("CREATLAS_STYLES_DIR", dir.c_str(), 1);
    EXPECT_EQ(creatlas::styles_dir(), dir.string());
    EXPECT_EQ(render_template("x\n{{>p.xml}}\ny", json{{"v", "q"}}, "t"), "x\n<q/>\ny");
    EXPECT_THROW(render_template("{{>../p.xml}}", json::object(), "t"), creatlas::Error);
    ::unsetenv("CREATLAS_STYLES_DIR");
    std::filesystem::remove_all(dir);
}

// numpy.percentile([12.5, 30, 47.5, 60, 75, 95], [0, 20, 40, 60, 80, 100]):
// positions 0, 1, 2, 3, 4, 5 of the sorted values fall exactly on data points.
TEST(QuantileBreaks, FiveClassesOfSixValues) {
    expect_breaks(quantile_breaks({95, 12.5, 60, 30, 75, 47.5}, 5), {12.5, 30, 47.5, 60, 75, 95});
}

// Four values 0, 10, 20, 100 in two classes: the median sits at position 1.5,
// halfway between 10 and 20.
TEST(QuantileBreaks, InterpolatesBetweenRanks) {
    expect_breaks(quantile_breaks({100, 0, 20, 10}, 2), {0, 15, 100});
}

TEST(QuantileBreaks, RepeatedValuesMergeClasses) {
    // {1, 1, 1, 1, 2}: positions 0.8, 1.6, 2.4 fall among the ones, 3.2 gives 1.2.
    expect_breaks(quantile_breaks({1, 1, 1, 1, 2}, 5), {1, 1.2, 2});
    expect_breaks(quantile_breaks({7, 7, 7}, 5), {7, 7});
    EXPECT_TRUE(quantile_breaks({}, 5).empty());
}

TEST(TextHelpers, EscapeColourHex) {
    EXPECT_EQ(escape_xml("a'b"), "a&#39;b");
    EXPECT_EQ(qgis_colour("#D55E00"), "213,94,0,255");
    EXPECT_EQ(qgis_colour("#882255", 38), "136,34,85,38");
    EXPECT_THROW(qgis_colour("D55E00"), creatlas::Error);
    EXPECT_EQ(to_hex(std::string("PK\x03\x04\xff", 5)), "504b0304ff");
}

TEST(StyleCatalogue, PaletteReferencesExpandInPlace) {
    const json catalogue = json::parse(R"({
        "palettes": {"p": [{"value": "a"}, {"value": "b"}]},
        "layers": [
            {"name": "x", "classes": [{"value": "0"}, {"palette": "p"}, {"value": ""}]},
            {"name": "g", "kind": "graduated", "classes": 5}
        ]})");
    const json out = creatlas::style_detail::expand_palettes(catalogue, "c.json");
    EXPECT_EQ(out["layers"][0]["classes"],
              json::parse(R"([{"value": "0"}, {"value": "a"}, {"value": "b"}, {"value": ""}])"));
    EXPECT_EQ(out["layers"][1]["classes"], 5);
}

TEST(StyleCatalogue, UnknownPaletteIsAnErrorNamingLayerAndFile) {
    const json catalogue =
        json::parse(R"({"layers": [{"name": "hex_grid", "classes": [{"palette": "nope"}]}]})");
    try {
        creatlas::style_detail::expand_palettes(catalogue, "c.json");
        FAIL() << "expected an error";
    } catch (const creatlas::Error& e) {
        EXPECT_EQ(e.context().file, "c.json");
        EXPECT_EQ(e.context().layer, "hex_grid");
        EXPECT_NE(e.message().find("'nope'"), std::string::npos);
    }
    EXPECT_THROW(creatlas::style_detail::expand_palettes(json::object(), "c.json"),
                 creatlas::Error);
}

namespace {

// A GeoPackage in GDAL's memory file system with one point layer "clusters".
GDALDatasetUniquePtr memory_geopackage(const std::string& path) {
    GDALAllRegister();
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GPKG");
    GDALDatasetUniquePtr ds(driver->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    OGRSpatialReference wgs84;
    wgs84.SetWellKnownGeogCS("WGS84");
    OGRLayer* layer = ds->CreateLayer("clusters", &wgs84, wkbPoint, nullptr);
    OGRFieldDefn type("formation_type", OFTInteger);
    EXPECT_EQ(layer->CreateField(&type), OGRERR_NONE);
    OGRFeature feature(layer->GetLayerDefn());
    feature.SetField("formation_type", 3);
    OGRPoint point(60.6, 56.84);
    feature.SetGeometry(&point);
    EXPECT_EQ(layer->CreateFeature(&feature), OGRERR_NONE);
    return ds;
}

std::string single_text(GDALDataset& ds, const std::string& sql) {
    OGRLayer* result = ds.ExecuteSQL(sql.c_str(), nullptr, nullptr);
    EXPECT_NE(result, nullptr) << sql;
    std::string text;
    if (result != nullptr) {
        OGRFeatureUniquePtr row(result->GetNextFeature());
        if (row) {
            text = row->GetFieldAsString(0);
        }
        ds.ReleaseResultSet(result);
    }
    return text;
}

} // namespace

// The write stage works on ".<name>.tmp-<pid>.gpkg" and renames it to <name>
// afterwards (write.cpp): the project stored inside must name the final file.
TEST(WriteLayerStyles, ProjectNamesTheFinalFileNotTheTemporaryOne) {
    const std::string path = "/vsimem/style_unit/.atlas.gpkg.tmp-42.gpkg";
    auto ds = memory_geopackage(path);
    creatlas::write_layer_styles(*ds, "Unit atlas");

    EXPECT_EQ(single_text(*ds, "SELECT count(*) FROM layer_styles WHERE f_table_name = 'clusters' "
                               "AND f_table_schema = '' AND f_geometry_column = 'geom' AND "
                               "useAsDefault = 1"),
              "1");
    EXPECT_EQ(single_text(*ds, "SELECT name FROM qgis_projects"), "Unit atlas");
    // content is the .qgz archive as hexadecimal text (QGIS 3.22's storage).
    EXPECT_EQ(single_text(*ds, "SELECT typeof(content) FROM qgis_projects"), "text");
    const std::string hex = single_text(*ds, "SELECT CAST(content AS TEXT) FROM qgis_projects");
    ASSERT_EQ(hex.substr(0, 8), "504b0304"); // "PK\3\4": a zip archive
    std::string bytes;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    }
    VSILFILE* zip = VSIFileFromMemBuffer(
        "/vsimem/style_unit/p.zip", reinterpret_cast<GByte*>(bytes.data()), bytes.size(), FALSE);
    ASSERT_NE(zip, nullptr);
    VSIFCloseL(zip);
    VSILFILE* qgs = VSIFOpenL("/vsizip//vsimem/style_unit/p.zip/project.qgs", "rb");
    ASSERT_NE(qgs, nullptr);
    std::string text;
    char buffer[4096];
    for (size_t n; (n = VSIFReadL(buffer, 1, sizeof buffer, qgs)) > 0;) {
        text.append(buffer, n);
    }
    VSIFCloseL(qgs);
    EXPECT_NE(text.find("<datasource>./atlas.gpkg|layername=clusters</datasource>"),
              std::string::npos);
    EXPECT_EQ(text.find("tmp-42"), std::string::npos);
    ds.reset();
    VSIRmdirRecursive("/vsimem/style_unit");
}

TEST(WriteLayerStyles, MissingTemplatesAreAnIoErrorNamingTheFile) {
    auto ds = memory_geopackage("/vsimem/style_unit2/atlas.gpkg");
    ::setenv("CREATLAS_STYLES_DIR", "/nonexistent/styles", 1);
    try {
        creatlas::write_layer_styles(*ds, "x", "atlas.gpkg");
        ADD_FAILURE() << "expected an error";
    } catch (const creatlas::Error& e) {
        EXPECT_EQ(e.kind(), creatlas::ErrorKind::Io);
        EXPECT_EQ(e.context().file, "/nonexistent/styles/classes.json");
    }
    ::unsetenv("CREATLAS_STYLES_DIR");
    ds.reset();
    VSIRmdirRecursive("/vsimem/style_unit2");
}

// hex_grid cells without points keep their class hue at 15 % opacity: "hot 99%"
// is #B2182B = 178,24,43, drawn at 0.8 × 255 = 204, empty at 0.15 × 255 = 38.25 → 38;
// "not significant" empty cells at 0. A table without geometry is not styled.
TEST(WriteLayerStyles, HexGridLightensEmptyCellsAndTablesAreSkipped) {
    auto ds = memory_geopackage("/vsimem/style_unit3/atlas.gpkg");
    OGRSpatialReference wgs84;
    wgs84.SetWellKnownGeogCS("WGS84");
    OGRLayer* grid = ds->CreateLayer("hex_grid", &wgs84, wkbMultiPolygon, nullptr);
    OGRFieldDefn count("count", OFTInteger);
    OGRFieldDefn label("gi_label", OFTString);
    ASSERT_EQ(grid->CreateField(&count), OGRERR_NONE);
    ASSERT_EQ(grid->CreateField(&label), OGRERR_NONE);
    OGRLayer* table = ds->CreateLayer("lisa", nullptr, wkbNone, nullptr);
    OGRFieldDefn lisa("lisa_label", OFTString);
    ASSERT_EQ(table->CreateField(&lisa), OGRERR_NONE);
    creatlas::write_layer_styles(*ds, "x", "atlas.gpkg");

    const std::string qml =
        single_text(*ds, "SELECT styleQML FROM layer_styles WHERE f_table_name = 'hex_grid'");
    EXPECT_NE(qml.find("if(&quot;count&quot; = 0, &#39;178,24,43,38&#39;, "
                       "&#39;178,24,43,204&#39;)"),
              std::string::npos)
        << qml.substr(0, 2000);
    EXPECT_NE(qml.find("if(&quot;count&quot; = 0, &#39;187,187,187,0&#39;, "
                       "&#39;187,187,187,89&#39;)"),
              std::string::npos);
    EXPECT_EQ(single_text(*ds, "SELECT count(*) FROM layer_styles WHERE f_table_name = 'lisa'"),
              "0");
    ds.reset();
    VSIRmdirRecursive("/vsimem/style_unit3");
}

namespace {

// A point layer `name` in `ds` with one string field per name in `fields`.
OGRLayer* point_layer(GDALDataset& ds, const char* name,
                      const std::vector<std::pair<const char*, OGRFieldType>>& fields) {
    OGRSpatialReference wgs84;
    wgs84.SetWellKnownGeogCS("WGS84");
    OGRLayer* layer = ds.CreateLayer(name, &wgs84, wkbPoint, nullptr);
    for (const auto& [field, type] : fields) {
        OGRFieldDefn defn(field, type);
        EXPECT_EQ(layer->CreateField(&defn), OGRERR_NONE) << field;
    }
    return layer;
}

// prefix + n. (Appending rather than "c" + std::to_string(n) keeps GCC 12's
// -O3 false -Wrestrict warning inside std::string quiet.)
std::string numbered(const char* prefix, int n) {
    std::string text(prefix);
    text += std::to_string(n);
    return text;
}

void add_point(OGRLayer& layer, const std::function<void(OGRFeature&)>& fill) {
    OGRFeature feature(layer.GetLayerDefn());
    fill(feature);
    OGRPoint point(60.6, 56.84);
    feature.SetGeometry(&point);
    EXPECT_EQ(layer.CreateFeature(&feature), OGRERR_NONE);
}

} // namespace

// While a ColumnsOnly is alive the layer yields the kept fields and nothing
// else (no geometry); afterwards every field and the geometry come back.
TEST(ColumnsOnly, ReadsTheKeptFieldsAloneThenEverythingAgain) {
    auto ds = memory_geopackage("/vsimem/style_unit4/atlas.gpkg");
    OGRLayer* layer = ds->GetLayerByName("clusters");
    OGRFieldDefn label("formation_label", OFTString);
    ASSERT_EQ(layer->CreateField(&label), OGRERR_NONE);
    {
        OGRFeatureUniquePtr first(layer->GetFeature(1));
        ASSERT_TRUE(first);
        first->SetField("formation_label", "partnership");
        ASSERT_EQ(layer->SetFeature(first.get()), OGRERR_NONE);
    }
    {
        creatlas::style_detail::ColumnsOnly columns(*layer, {"formation_label", "no_such_field"});
        OGRFeatureUniquePtr feature(layer->GetNextFeature());
        ASSERT_TRUE(feature);
        EXPECT_EQ(feature->GetGeometryRef(), nullptr);
        EXPECT_FALSE(feature->IsFieldSet(feature->GetFieldIndex("formation_type")));
        EXPECT_STREQ(feature->GetFieldAsString("formation_label"), "partnership");
    }
    OGRFeatureUniquePtr feature(layer->GetNextFeature()); // reading starts over
    ASSERT_TRUE(feature);
    ASSERT_NE(feature->GetGeometryRef(), nullptr);
    EXPECT_EQ(feature->GetFieldAsInteger("formation_type"), 3);
    EXPECT_STREQ(feature->GetFieldAsString("formation_label"), "partnership");
    ds.reset();
    VSIRmdirRecursive("/vsimem/style_unit4");
}

// The legend of the clusters takes each type's first non-empty formation_label
// from the data ("3 – partnership (data)"), the catalogue's text for a type the
// data does not label (2 – initiative, supported), and skips empty and NULL
// labels (type 1 here has only those). Breaks of the cities' creative_index:
// values 10, 20, 30, 40, 50, NULL in 5 classes → 10, 18, 26, 34, 42, 50
// (numpy.percentile([10, 20, 30, 40, 50], [0, 20, 40, 60, 80, 100])).
TEST(WriteLayerStyles, LegendLabelsAndBreaksComeFromTheData) {
    auto ds = memory_geopackage("/vsimem/style_unit5/atlas.gpkg");
    OGRLayer* clusters = ds->GetLayerByName("clusters");
    OGRFieldDefn label("formation_label", OFTString);
    ASSERT_EQ(clusters->CreateField(&label), OGRERR_NONE);
    const std::vector<std::pair<int, const char*>> rows = {
        {3, "partnership (data)"}, {3, "a later label"}, {1, ""}, {1, nullptr}, {5, "dependent!"}};
    for (const auto& [type, text] : rows) {
        add_point(*clusters, [&, type = type, text = text](OGRFeature& f) {
            f.SetField("formation_type", type);
            if (text != nullptr) {
                f.SetField("formation_label", text);
            } else {
                f.SetFieldNull(f.GetFieldIndex("formation_label"));
            }
        });
    }
    OGRLayer* cities =
        point_layer(*ds, "cities", {{"city_id", OFTString}, {"creative_index", OFTReal}});
    for (int i = 0; i < 6; ++i) {
        add_point(*cities, [i](OGRFeature& f) {
            f.SetField("city_id", numbered("c", i).c_str());
            if (i < 5) {
                f.SetField("creative_index", 50.0 - 10.0 * i);
            }
        });
    }
    creatlas::write_layer_styles(*ds, "x", "atlas.gpkg");

    const std::string qml =
        single_text(*ds, "SELECT styleQML FROM layer_styles WHERE f_table_name = 'clusters'");
    EXPECT_NE(qml.find("label=\"3 – partnership (data)\""), std::string::npos) << qml;
    EXPECT_NE(qml.find("label=\"2 – initiative, supported\""), std::string::npos);
    EXPECT_NE(qml.find("label=\"1 – initiative\""), std::string::npos);
    EXPECT_NE(qml.find("label=\"5 – dependent!\""), std::string::npos);
    EXPECT_EQ(qml.find("a later label"), std::string::npos);
    const std::string graduated =
        single_text(*ds, "SELECT styleQML FROM layer_styles WHERE f_table_name = 'cities'");
    for (const char* range :
         {"lower=\"10\" upper=\"18\"", "lower=\"18\" upper=\"26\"", "lower=\"26\" upper=\"34\"",
          "lower=\"34\" upper=\"42\"", "lower=\"42\" upper=\"50\""}) {
        EXPECT_NE(graduated.find(range), std::string::npos) << range << "\n" << graduated;
    }
    // The layers read whole again afterwards (the style stage narrowed their columns).
    clusters->ResetReading();
    OGRFeatureUniquePtr feature(clusters->GetNextFeature());
    ASSERT_TRUE(feature);
    EXPECT_NE(feature->GetGeometryRef(), nullptr);
    EXPECT_EQ(feature->GetFieldAsInteger("formation_type"), 3);
    ds.reset();
    VSIRmdirRecursive("/vsimem/style_unit5");
}

// report.html at a scale where tables are cut: 120 cities (creative_index 120 −
// i for city i, so city 0 ranks first), city 0 with 25 candidates, cities 1–55
// with one each, and a site that is no candidate. The page shows 100 cities,
// 20 candidates of city 0 (ranks 1–20), candidate tables for the first 50
// cities with candidates (0–49), and says how much it left out: 20 cities; 5
// candidates of city 0; 6 cities (50–55) with 6 candidates.
TEST(WriteReport, LongTablesAreCutWithANote) {
    const auto dir = std::filesystem::temp_directory_path() / "creatlas_style_unit_report";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const std::string gpkg = (dir / "atlas.gpkg").string();
    {
        GDALAllRegister();
        GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GPKG");
        GDALDatasetUniquePtr ds(driver->Create(gpkg.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        ASSERT_TRUE(ds);
        OGRLayer* cities =
            point_layer(*ds, "cities",
                        {{"city_id", OFTString}, {"name", OFTString}, {"creative_index", OFTReal}});
        for (int i = 0; i < 120; ++i) {
            add_point(*cities, [i](OGRFeature& f) {
                f.SetField("city_id", numbered("c", i).c_str());
                f.SetField("name", numbered("City ", i).c_str());
                f.SetField("creative_index", 120.0 - i);
            });
        }
        OGRLayer* sites = point_layer(*ds, "heritage_sites",
                                      {{"heritage_id", OFTString},
                                       {"city_id", OFTString},
                                       {"candidate_rank", OFTInteger},
                                       {"candidate_score", OFTReal}});
        auto site = [&](const std::string& id, int city, std::optional<int> rank) {
            add_point(*sites, [&](OGRFeature& f) {
                f.SetField("heritage_id", id.c_str());
                f.SetField("city_id", numbered("c", city).c_str());
                if (rank) {
                    f.SetField("candidate_rank", *rank);
                    f.SetField("candidate_score", 1.0 / *rank);
                } else {
                    f.SetFieldNull(f.GetFieldIndex("candidate_rank"));
                }
            });
        };
        for (int rank = 25; rank >= 1; --rank) { // stored out of rank order
            site(numbered("h-0-", rank), 0, rank);
        }
        for (int city = 1; city <= 55; ++city) {
            site(numbered("h-", city) + "-1", city, 1);
        }
        site("not-a-candidate", 0, std::nullopt);
    }
    ::setenv("CREATLAS_PYTHON", "/bin/false", 1); // no maps: this test is about the tables
    const std::string html_path = (dir / "report.html").string();
    creatlas::write_report(json{{"project", "unit"}}, gpkg, html_path);
    ::unsetenv("CREATLAS_PYTHON");
    std::ifstream in(html_path);
    std::stringstream text;
    text << in.rdbuf();
    const std::string html = text.str();

    // The page source escapes the apostrophe (escape_xml); a browser shows "GeoPackage's".
    auto has = [&html](const std::string& s) { return html.find(s) != std::string::npos; };
    EXPECT_TRUE(has("<td>City 99</td>"));
    EXPECT_FALSE(has("<td>City 100</td>"));
    EXPECT_TRUE(has("Showing the first 100 of 120 cities (by creative_index); 20 more are in the "
                    "GeoPackage&#39;s cities layer."));
    EXPECT_TRUE(has("<h3>City 0 (c0) — 25 candidates</h3>"));
    EXPECT_TRUE(has("<td>h-0-1</td>"));
    EXPECT_TRUE(has("<td>h-0-20</td>"));
    EXPECT_FALSE(has("<td>h-0-21</td>"));
    EXPECT_LT(html.find("<td>h-0-1</td>"), html.find("<td>h-0-2</td>"));
    EXPECT_TRUE(has("Showing the first 20 of 25 candidates (by rank); 5 more are in the "
                    "GeoPackage&#39;s heritage_sites layer"));
    EXPECT_TRUE(has("<h3>City 49 (c49) — 1 candidate</h3>"));
    EXPECT_FALSE(has("(c50)"));
    EXPECT_TRUE(has("6 more cities have 6 candidates, all in the GeoPackage&#39;s heritage_sites"));
    EXPECT_FALSE(has("not-a-candidate"));
    EXPECT_TRUE(has("This report has no maps"));
    std::filesystem::remove_all(dir);
}

// --- languages ------------------------------------------------------------------------

TEST(Messages, RussianTermsOfTheReviewedTable) {
    const creatlas::style_detail::Messages ru("ru");
    // docs/terms-ru.md
    EXPECT_EQ(ru.tr("initiative"), "инициативный");
    EXPECT_EQ(ru.tr("initiative, supported"), "инициативный с господдержкой");
    EXPECT_EQ(ru.tr("partnership"), "партнёрский");
    EXPECT_EQ(ru.tr("public-led"), "государственный с участием бизнеса");
    EXPECT_EQ(ru.tr("dependent"), "зависимый");
    EXPECT_EQ(ru.tr("unknown"), "не определён");
    // A text without a translation stays as written; English is the identity.
    EXPECT_EQ(ru.tr("no such text"), "no such text");
    EXPECT_EQ(creatlas::style_detail::Messages("en").tr("initiative"), "initiative");
    EXPECT_THROW(creatlas::style_detail::Messages("xx"), creatlas::Error);
}

TEST(Messages, EveryStyleLabelAndTitleHasARussianText) {
    const creatlas::style_detail::Messages ru("ru");
    const json catalogue = creatlas::style_detail::read_style_catalogue();
    for (const json& layer : catalogue.at("layers")) {
        EXPECT_TRUE(ru.has(layer.at("title").get<std::string>())) << layer.at("title");
        for (const json& cls : layer.value("classes", json::array())) {
            if (cls.is_object() && cls.contains("label")) {
                EXPECT_TRUE(ru.has(cls.at("label").get<std::string>())) << cls.at("label");
            }
        }
    }
}

TEST(Messages, FormationLabelsFollowTheLanguage) {
    const auto make = [] {
        creatlas::Table clusters;
        clusters.fields = {{"formation_type", creatlas::FieldType::Integer},
                           {"formation_label", creatlas::FieldType::String}};
        for (const creatlas::Value& type : {creatlas::Value(std::int64_t{1}),
                                            creatlas::Value(std::int64_t{5}), creatlas::Value()}) {
            creatlas::Row row;
            row.values = {type, std::string("from the measure stage")};
            clusters.rows.push_back(std::move(row));
        }
        return clusters;
    };
    creatlas::Table english = make();
    creatlas::Table clusters = make();
    creatlas::localise_formation_labels(english, "en");
    EXPECT_EQ(std::get<std::string>(english.rows[0].values[1]), "from the measure stage");
    creatlas::localise_formation_labels(clusters, "ru");
    EXPECT_EQ(std::get<std::string>(clusters.rows[0].values[1]), "инициативный");
    EXPECT_EQ(std::get<std::string>(clusters.rows[1].values[1]), "зависимый");
    EXPECT_EQ(std::get<std::string>(clusters.rows[2].values[1]), "не определён");
}

// --- charts ---------------------------------------------------------------------------

TEST(Charts, AxisRunsFromZeroToARoundMaximumInOneTwoFiveSteps) {
    using creatlas::style_detail::report::nice_axis;
    EXPECT_EQ(nice_axis(66.7), std::make_pair(20.0, 80.0));
    EXPECT_EQ(nice_axis(3.0), std::make_pair(1.0, 3.0));
    EXPECT_EQ(nice_axis(100.0), std::make_pair(20.0, 100.0));
    EXPECT_EQ(nice_axis(3000000.0), std::make_pair(1000000.0, 3000000.0));
    EXPECT_EQ(nice_axis(0.0), std::make_pair(1.0, 1.0));
}

TEST(Charts, BarLengthsAreProportionalFromTheBaseline) {
    // The plot runs from x = 206 to x = 660 (454 units) for an axis 0–100
    // (nice_axis(100) above): 50 → 227.0 units, 25 + 25 stacked → 113.5 each.
    creatlas::style_detail::report::BarChart chart;
    chart.id = "c";
    chart.title = "t";
    chart.axis_title = "a (%)";
    chart.part_labels = {"one", "two"};
    chart.part_colours = {"#D55E00", "#0072B2"};
    chart.bars = {{"first", {50.0, 50.0}, "100"}, {"second", {25.0, 25.0}, "50"}};
    const std::string svg = creatlas::style_detail::report::bar_chart_svg(chart);
    EXPECT_NE(svg.find("x=\"206.0\" y=\""), std::string::npos);
    EXPECT_NE(svg.find("width=\"227.0\""), std::string::npos);
    EXPECT_NE(svg.find("width=\"113.5\""), std::string::npos);
    EXPECT_NE(svg.find("x=\"319.5\""), std::string::npos); // the second part starts at 206 + 113.5
    EXPECT_NE(svg.find(">100</text>"), std::string::npos); // the value at the bar's end
    EXPECT_NE(svg.find("class=\"baseline\""), std::string::npos);
    EXPECT_NE(svg.find("<title>t</title>"), std::string::npos);
}

TEST(ReportCharts, LabelColumnFitsLongLabels) {
    namespace r = creatlas::style_detail::report;
    r::BarChart chart;
    chart.id = "lq";
    chart.title = "t";
    chart.axis_title = "a";
    chart.part_labels = {"LQ"};
    chart.part_colours = {"#0072B2"};
    // 30 characters (Cyrillic: 2 bytes each) → the label column ends at 8 + 7·30 = 218,
    // the plot starts at 224 and runs to 660: 436 units for an axis of 0–1 (steps of 0.2).
    const std::string city = "Екатеринбург — дизайн и архите"; // 30 characters
    chart.bars = {{city, {1.0}, "1"}, {"b", {0.5}, "0.5"}};
    std::string svg = r::bar_chart_svg(chart);
    EXPECT_NE(svg.find("<text x=\"218.0\""), std::string::npos) << svg;
    EXPECT_NE(svg.find(">" + city + "</text>"), std::string::npos);
    EXPECT_NE(svg.find("x=\"224.0\" y=\""), std::string::npos);
    EXPECT_NE(svg.find("width=\"436.0\""), std::string::npos); // 1 × 436
    EXPECT_NE(svg.find("width=\"218.0\""), std::string::npos); // 0.5 × 436
    // 60 characters: the column stops at 330 and the label keeps (330 − 8) / 7 = 46
    // characters, the last one an ellipsis; the tooltip keeps it whole.
    const std::string long_label(60, 'x');
    chart.bars = {{long_label, {1.0}, "1"}};
    svg = r::bar_chart_svg(chart);
    EXPECT_NE(svg.find("<text x=\"330.0\""), std::string::npos) << svg;
    EXPECT_NE(svg.find(">" + std::string(45, 'x') + "…</text>"), std::string::npos);
    EXPECT_NE(svg.find("<title>" + long_label + ": 1"), std::string::npos);
}

TEST(PrintLayout, FieldReferencesAreQuoted) {
    EXPECT_EQ(creatlas::style_detail::field_ref("name"), "\"name\"");
    EXPECT_EQ(creatlas::style_detail::field_ref("a\"b"), "\"a\"\"b\"");
}

TEST(ReportTimeline, CityTrajectoryLinesByHand) {
    namespace r = creatlas::style_detail::report;
    const creatlas::style_detail::Messages en;
    const std::string svg = r::city_trajectory_svg("t", "City: trajectory", {2010, 2011, 2012},
                                                   {0.0, 1.0, 2.0}, {0.0, 0.25, 0.5}, en);
    // Years at x = 64, (64 + 600) / 2 = 332 and 600. Clusters panel: top 22, height 90
    // (bottom 112), whole ticks up to 2: y = 112 − 90·n/2 → 112, 67, 22; a step line,
    // level to the next year, then up.
    EXPECT_NE(svg.find(R"(points="64.0,112.0 332.0,112.0 332.0,67.0 600.0,67.0 600.0,22.0")"),
              std::string::npos)
        << svg;
    // Share panel: top 150, height 90 (bottom 240), 0–100 %: y = 240 − 90·p → 240, 217.5, 195.
    EXPECT_NE(svg.find(R"(points="64.0,240.0 332.0,240.0 332.0,217.5 600.0,217.5 600.0,195.0")"),
              std::string::npos);
    // Whole ticks 0, 1, 2 for the counts; 0, 25, 50, 75, 100 for the share.
    EXPECT_NE(svg.find(R"(class="vtick">1</text>)"), std::string::npos);
    EXPECT_EQ(svg.find(R"(class="vtick">0.5</text>)"), std::string::npos);
    EXPECT_NE(svg.find(R"(class="vtick">75</text>)"), std::string::npos);
    EXPECT_NE(svg.find("<title>City: trajectory</title>"), std::string::npos);
}

// The attribute indexes of the project's lookups, as write_layer_styles made them before
// the write stage ran them early (WriteOptions::layer_sql): same names, same statements.
TEST(LookupIndexes, StatementsForTheFieldsTheLayersHave) {
    const auto all = creatlas::lookup_index_statements(
        [](const std::string&, const std::string&) { return true; });
    const std::vector<std::pair<std::string, std::string>> expected = {
        {"clusters",
         R"(CREATE INDEX IF NOT EXISTS "creatlas_clusters_city_id" ON "clusters"("city_id"))"},
        {"heritage_sites",
         R"(CREATE INDEX IF NOT EXISTS "creatlas_heritage_sites_city_id" ON "heritage_sites"("city_id"))"},
        {"heritage_sites",
         R"(CREATE INDEX IF NOT EXISTS "creatlas_heritage_sites_heritage_id" ON "heritage_sites"("heritage_id"))"}};
    EXPECT_EQ(all, expected);
    const auto some =
        creatlas::lookup_index_statements([](const std::string& layer, const std::string& field) {
            return layer == "heritage_sites" && field == "heritage_id";
        });
    ASSERT_EQ(some.size(), 1U);
    EXPECT_EQ(some[0], expected[2]);
    EXPECT_TRUE(creatlas::lookup_index_statements([](const std::string&, const std::string&) {
                    return false;
                }).empty());
}

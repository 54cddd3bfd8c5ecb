#include "creatlas/error.hpp"
#include "creatlas/project.hpp"

#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sstream>

using namespace creatlas;
using ::testing::HasSubstr;

namespace {
std::string error_of(const std::string& text) {
    try {
        parse_project(text, "/data", "p.toml");
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::BadInput);
        return e.what();
    }
    ADD_FAILURE() << "no error for:\n" << text;
    return {};
}
} // namespace

TEST(ProjectFile, DefaultsAndResolvedPaths) {
    const Project p = parse_project("[clusters]\npath = \"c.csv\"\nx_field = \"lon\"\n"
                                    "y_field = \"lat\"\ncrs = \"EPSG:4326\"\n",
                                    "/data/proj", "/data/proj/demo.toml");
    EXPECT_EQ(p.clusters.path, "/data/proj/c.csv");
    EXPECT_EQ(p.output, "/data/proj/demo.gpkg");
    EXPECT_EQ(p.output_crs, "EPSG:4326");
    EXPECT_EQ(p.geometry_policy, GeometryPolicy::Repair);
    EXPECT_DOUBLE_EQ(p.heritage_snap_m, 50.0);
    EXPECT_DOUBLE_EQ(p.city_max_distance_m, 5000.0);
    EXPECT_DOUBLE_EQ(p.formation.support_share, 0.5);
    EXPECT_DOUBLE_EQ(p.formation.dependent_share, 1.0);
    EXPECT_FALSE(p.cities.present());
    EXPECT_EQ(p.creative_components.size(), 4U);
    EXPECT_EQ(p.creative_weights, std::vector<double>(4, 1.0));
    EXPECT_EQ(p.industrial_vocabulary.industrial_heads,
              default_industrial_vocabulary().industrial_heads);
    EXPECT_EQ(p.industrial_vocabulary.non_industrial_modifiers,
              default_industrial_vocabulary().non_industrial_modifiers);
    // Connection strings and absolute paths are not touched.
    const Project q = parse_project(
        "[clusters]\npath = \"PG:dbname=x\"\n[heritage]\npath = \"/abs/h.gpkg\"\n", "/data", "x");
    EXPECT_EQ(q.clusters.path, "PG:dbname=x");
    EXPECT_EQ(q.heritage.path, "/abs/h.gpkg");
}

TEST(ProjectFile, UnknownKeyNamesFileSectionAndKnownKeys) {
    const std::string e = error_of("[clusters]\npath = \"c.csv\"\nid_feld = \"id\"\n");
    EXPECT_THAT(e, HasSubstr("file 'p.toml'"));
    EXPECT_THAT(e, HasSubstr("unknown key 'id_feld' in [clusters]"));
    EXPECT_THAT(e, HasSubstr("id_field"));
}

TEST(ProjectFile, UnknownSectionIsAnError) {
    EXPECT_THAT(error_of("[clusters]\npath = \"c\"\n[cluster]\npath = \"c\"\n"),
                HasSubstr("unknown section [cluster]"));
}

TEST(ProjectFile, ClustersAreOptional) {
    // Heritage and programmes alone make an atlas (overlaps, candidates, cities).
    const Project p =
        parse_project("[heritage]\npath = \"h.geojson\"\n[programmes]\npath = \"p.geojson\"\n",
                      "/data", "p.toml");
    EXPECT_FALSE(p.clusters.present());
    EXPECT_EQ(p.heritage.path, "/data/h.geojson");
}

TEST(ProjectFile, EncodingAndEarliestYear) {
    const Project p = parse_project("[project]\nreference_year = 2020\nearliest_year = 1800\n"
                                    "[clusters]\npath = \"c.csv\"\nencoding = \"CP1251\"\n",
                                    "/data", "p.toml");
    EXPECT_EQ(p.clusters.encoding, "CP1251");
    EXPECT_EQ(p.earliest_year, 1800);
    EXPECT_THAT(error_of("[project]\nreference_year = 2020\nearliest_year = 2021\n"),
                HasSubstr("earliest_year: must not be after reference_year (2020)"));
}

TEST(ProjectFile, TypedValuesAreChecked) {
    EXPECT_THAT(error_of("[clusters]\npath = 3\n"),
                HasSubstr("[clusters] path: expected a string"));
    EXPECT_THAT(error_of("[clusters]\npath = \"c\"\n[link]\nheritage_snap_m = \"50\"\n"),
                HasSubstr("[link] heritage_snap_m: expected a number"));
    EXPECT_THAT(error_of("[clusters]\npath = \"c\"\n[project]\ngeometry_policy = \"fix\"\n"),
                HasSubstr("'fix' is not a geometry policy"));
    EXPECT_THAT(error_of("[clusters]\npath = \"c\"\nx_field = \"lon\"\n"),
                HasSubstr("x_field and y_field go together"));
    EXPECT_THAT(error_of("[clusters]\npath = \"c\"\n[cluster_attributes]\npath = \"a.csv\"\n"),
                HasSubstr("[cluster_attributes] key_field is required"));
    EXPECT_THAT(error_of("[clusters]\npath = \"c\"\n[creative_index]\nweights = [1, 2]\n"),
                HasSubstr("needs one weight per component (4)"));
    EXPECT_THAT(error_of("[clusters]\npath = \"c\"\n[formation]\nsupport_share = 1.5\n"),
                HasSubstr("must lie in [0, 1]"));
}

TEST(ProjectFile, LanguageAndBasemap) {
    const Project en = parse_project("[clusters]\npath = \"c\"\n", "/data", "p.toml");
    EXPECT_EQ(en.language, "en");
    EXPECT_EQ(en.basemap_url, ""); // off: nothing needs the internet
    const Project ru =
        parse_project("[project]\nlanguage = \"ru\"\nbasemap_url = "
                      "\"https://tile.example.org/{z}/{x}/{y}.png\"\n[clusters]\npath = \"c\"\n",
                      "/data", "p.toml");
    EXPECT_EQ(ru.language, "ru");
    EXPECT_EQ(ru.basemap_url, "https://tile.example.org/{z}/{x}/{y}.png");
    EXPECT_THAT(error_of("[project]\nlanguage = \"de\"\n[clusters]\npath = \"c\"\n"),
                HasSubstr("[project] language: 'de' is not a language of creatlas (en or ru)"));
    EXPECT_THAT(
        error_of("[project]\nbasemap_url = \"https://t.example.org/tiles.png\"\n"
                 "[clusters]\npath = \"c\"\n"),
        HasSubstr("[project] basemap_url: expected an http(s) XYZ tile URL with {z}, {x} and {y}"));
}

TEST(ProjectFile, SyntaxErrorsGiveLineAndColumn) {
    EXPECT_THAT(error_of("[clusters]\npath = \"c\n"), HasSubstr("not a valid TOML file"));
    EXPECT_THAT(error_of("[clusters]\npath = \"c\n"), HasSubstr("line 2"));
}

TEST(ProjectFile, MissingFileIsAnError) {
    try {
        load_project("/nonexistent/creatlas.toml");
        FAIL();
    } catch (const Error& e) {
        EXPECT_THAT(e.what(), HasSubstr("file '/nonexistent/creatlas.toml'"));
        EXPECT_THAT(e.what(), HasSubstr("cannot open the project file"));
    }
}

TEST(ProjectFile, EveryKeyOfTheSampleProjectIsDeclared) {
    // sample_data/project.toml must parse: it uses only declared keys.
    const Project p = load_project(CREATLAS_SOURCE_DIR "/sample_data/project.toml");
    EXPECT_TRUE(p.cities.present());
    EXPECT_TRUE(p.cluster_attributes.present());
    EXPECT_EQ(p.reference_year, 2026);
}

TEST(ProjectFile, DocsAreGeneratedFromTheDeclarations) {
    std::ifstream in(CREATLAS_SOURCE_DIR "/docs/project-file.md");
    ASSERT_TRUE(in) << "docs/project-file.md is missing";
    std::ostringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str(), project_schema_markdown())
        << "docs/project-file.md is stale: regenerate with `creatlas schema --markdown`";
}

TEST(ProjectFile, IndustrialWordListsReplaceTheKeywords) {
    const std::string base = "[clusters]\npath = \"c.csv\"\n";
    const Project p =
        parse_project(base + "[heritage]\npath = \"h.gpkg\"\nensemble_field = \"address\"\n"
                             "[industrial]\nindustrial_heads = [\"лаборатория\"]\n"
                             "generic_heads = []\n",
                      "/data", "p.toml");
    EXPECT_EQ(p.industrial_vocabulary.industrial_heads, std::vector<std::string>{"лаборатория"});
    EXPECT_TRUE(p.industrial_vocabulary.generic_heads.empty());
    EXPECT_EQ(p.industrial_vocabulary.non_industrial_heads,
              default_industrial_vocabulary().non_industrial_heads);
    EXPECT_EQ(p.heritage.field("ensemble_field"), "address");
    EXPECT_THAT(error_of(base + "[industrial]\nkeywords = [\"завод\"]\n"),
                HasSubstr("unknown key 'keywords' in [industrial]"));
    EXPECT_THAT(error_of(base + "[industrial]\nindustrial_heads = \"завод\"\n"),
                HasSubstr("[industrial] industrial_heads: expected a list of strings"));
}

#include "creatlas/error.hpp"
#include "creatlas/measure.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <set>
#include <sstream>

using namespace creatlas;

TEST(Formation, FiveTypesByHand) {
    const FormationParams p; // support_share 0.5, dependent_share 1.0
    const auto priv = Initiator::Private;
    const auto pub = Initiator::Public;
    EXPECT_EQ(classify_formation(priv, 0.0, p).type, 1);
    EXPECT_STREQ(classify_formation(priv, 0.0, p).label, "initiative");
    EXPECT_EQ(classify_formation(priv, 0.2, p).type, 2);
    EXPECT_STREQ(classify_formation(priv, 0.2, p).label, "initiative, supported");
    EXPECT_EQ(classify_formation(priv, 0.5, p).type, 3); // at the threshold: partnership
    EXPECT_EQ(classify_formation(priv, 0.49999, p).type, 2);
    EXPECT_EQ(classify_formation(Initiator::Joint, std::nullopt, p).type, 3);
    EXPECT_EQ(classify_formation(Initiator::Joint, 0.9, p).type, 3);
    EXPECT_EQ(classify_formation(pub, 0.7, p).type, 4);
    EXPECT_STREQ(classify_formation(pub, 0.7, p).label, "public-led");
    EXPECT_EQ(classify_formation(pub, 1.0, p).type, 5);
    EXPECT_STREQ(classify_formation(pub, 1.0, p).label, "dependent");
}

TEST(Formation, UnknownWhenInputsAreMissingOrOutOfRange) {
    const FormationParams p;
    EXPECT_EQ(classify_formation(Initiator::Private, std::nullopt, p).type, 0);
    EXPECT_STREQ(classify_formation(Initiator::Private, std::nullopt, p).label, "unknown");
    EXPECT_EQ(classify_formation(std::nullopt, 0.3, p).type, 0);
    EXPECT_EQ(classify_formation(Initiator::Private, 1.5, p).type, 0);
    EXPECT_EQ(classify_formation(Initiator::Public, -0.1, p).type, 0);
}

TEST(Formation, ThresholdsAreParameters) {
    FormationParams p;
    p.support_share = 0.3;
    p.dependent_share = 0.9;
    EXPECT_EQ(classify_formation(Initiator::Private, 0.3, p).type, 3);
    EXPECT_EQ(classify_formation(Initiator::Public, 0.9, p).type, 5);
    EXPECT_EQ(classify_formation(Initiator::Public, 0.85, p).type, 4);
}

TEST(Catalogue, EveryContractFieldIsDeclaredOnce) {
    // The field names of DESIGN.md's output contract.
    const std::map<std::string, std::vector<std::string>> contract{
        {"clusters",
         {"cluster_id", "city_id", "formation_type", "formation_label", "dist_center_m",
          "centrality", "on_heritage", "heritage_id", "nearest_heritage_m", "programme_count",
          "grant_total", "age_years"}},
        {"heritage_sites",
         {"heritage_id", "city_id", "is_industrial", "reused", "cluster_id", "nearest_cluster_m",
          "programme_count", "candidate_score", "candidate_rank"}},
        {"cities",
         {"city_id", "population", "tier", "n_clusters", "clusters_per_100k", "ih_count",
          "ih_reused", "ih_transformation_rate", "programme_coverage", "grant_total",
          "dominant_type", "type_diversity", "nni", "nni_z", "nni_p", "creative_index",
          "creative_rank"}},
        {"programmes", {"programme_id", "instrument", "clusters_covered", "heritage_covered"}},
        {"heritage_programmes", {"heritage_id", "programme_id", "overlap_m2"}},
    };
    std::set<std::pair<std::string, std::string>> seen;
    for (const auto& i : indicator_catalogue()) {
        EXPECT_TRUE(seen.emplace(layer_name(i.level), i.id).second)
            << i.id << " declared twice in " << layer_name(i.level);
        EXPECT_FALSE(i.formula.empty()) << i.id;
        EXPECT_FALSE(i.meaning.empty()) << i.id;
    }
    for (const auto& [layer, fields] : contract) {
        for (const auto& f : fields) {
            EXPECT_EQ(seen.count({layer, f}), 1U) << layer << "." << f << " missing";
        }
    }
}

TEST(Catalogue, DocsAreGeneratedFromTheCatalogue) {
    std::ifstream in(CREATLAS_SOURCE_DIR "/docs/indicators.md");
    ASSERT_TRUE(in) << "docs/indicators.md is missing";
    std::ostringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str(), indicator_catalogue_markdown())
        << "docs/indicators.md is stale: regenerate with `creatlas indicators --markdown`";
}

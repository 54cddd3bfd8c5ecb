// The industrial-heritage rule on a real register: Yekaterinburg's 753 heritage objects
// (../shared/data/ekb-heritage/ekb-okn.json, read through GDAL) against hand labels made
// by a person reading every name (tests/fixtures/ekb_industrial_labels.csv; the labelling
// rule is in docs/indicators.md). Prints precision, recall and the ids of every error.
#include "creatlas/industrial.hpp"
#include "creatlas/measure.hpp"

#include <fstream>
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <iomanip>
#include <iostream>
#include <map>
#include <ogrsf_frmts.h>
#include <sstream>
#include <string>
#include <vector>

using namespace creatlas;

namespace {

struct Site {
    long long id = 0;
    std::string name;
    std::string address;
};

/// Every feature's properties; the geometry is not read (9 features have malformed ones,
/// and their names count like any other).
std::vector<Site> read_register() {
    GDALAllRegister();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    const GDALDatasetUniquePtr ds(
        GDALDataset::Open(CREATLAS_SHARED_DATA "/ekb-heritage/ekb-okn.json", GDAL_OF_VECTOR));
    std::vector<Site> sites;
    if (ds) {
        OGRLayer* layer = ds->GetLayer(0);
        const char* ignored[] = {"OGR_GEOMETRY", nullptr};
        layer->SetIgnoredFields(ignored);
        for (const auto& f : *layer) {
            Site s;
            s.id = f->GetFieldAsInteger64("id");
            s.name = f->GetFieldAsString("name");
            s.address = f->GetFieldAsString("address");
            sites.push_back(std::move(s));
        }
    }
    CPLPopErrorHandler();
    return sites;
}

std::map<long long, bool> read_labels() {
    std::ifstream in(CREATLAS_SOURCE_DIR "/tests/fixtures/ekb_industrial_labels.csv");
    std::map<long long, bool> labels;
    std::string line;
    std::getline(in, line); // id,industrial,basis
    while (std::getline(in, line)) {
        std::istringstream row(line);
        std::string id;
        std::string label;
        std::getline(row, id, ',');
        std::getline(row, label, ',');
        labels[std::stoll(id)] = label == "1";
    }
    return labels;
}

struct Score {
    int tp = 0, fp = 0, fn = 0, tn = 0;
    std::vector<long long> false_positives, false_negatives;
    double precision() const { return tp + fp == 0 ? 0.0 : double(tp) / (tp + fp); }
    double recall() const { return tp + fn == 0 ? 0.0 : double(tp) / (tp + fn); }
    /// As the table in docs/indicators.md writes it: "1.000 (50/50) | 0.862 (50/58)".
    std::string table_cells() const {
        std::ostringstream s;
        s << std::fixed << std::setprecision(3) << precision() << " (" << tp << "/" << tp + fp
          << ") | " << recall() << " (" << tp << "/" << tp + fn << ")";
        return s.str();
    }
};

/// The measured figures must be the ones docs/indicators.md states.
void expect_documented(const Score& s) {
    std::ifstream in(CREATLAS_SOURCE_DIR "/docs/indicators.md");
    std::ostringstream text;
    text << in.rdbuf();
    EXPECT_NE(text.str().find("| " + s.table_cells() + " |"), std::string::npos)
        << "docs/indicators.md does not state the measured " << s.table_cells()
        << " (geo/src/measure/industrial.cpp, industrial_rule_markdown)";
}

Score score(const std::vector<Site>& sites, const std::vector<IndustrialVerdict>& verdicts,
            const std::map<long long, bool>& labels, const std::string& title) {
    Score s;
    std::ostringstream errors;
    for (std::size_t i = 0; i < sites.size(); ++i) {
        const bool truth = labels.at(sites[i].id);
        const bool said = verdicts[i].industrial;
        if (truth && said) {
            ++s.tp;
        } else if (!truth && !said) {
            ++s.tn;
        } else {
            (said ? s.false_positives : s.false_negatives).push_back(sites[i].id);
            (said ? s.fp : s.fn) += 1;
            errors << "  " << (said ? "false positive" : "false negative") << " id " << sites[i].id
                   << ": " << verdicts[i].reason << "\n";
        }
    }
    std::cout << std::fixed << std::setprecision(3) << title << ": precision " << s.precision()
              << " (" << s.tp << "/" << s.tp + s.fp << "), recall " << s.recall() << " (" << s.tp
              << "/" << s.tp + s.fn << "); " << s.tn << " true negatives\n"
              << errors.str();
    return s;
}

class EkbRegister : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        sites_ = new std::vector<Site>(read_register());
        labels_ = new std::map<long long, bool>(read_labels());
    }
    static void TearDownTestSuite() {
        delete sites_;
        delete labels_;
    }
    static std::vector<Site>* sites_;
    static std::map<long long, bool>* labels_;
};
std::vector<Site>* EkbRegister::sites_ = nullptr;
std::map<long long, bool>* EkbRegister::labels_ = nullptr;

} // namespace

TEST_F(EkbRegister, EveryObjectIsReadAndLabelledOnce) {
    ASSERT_EQ(sites_->size(), 753U) << "is ../shared/data/ekb-heritage/ekb-okn.json there? "
                                       "(configure with -DCREATLAS_SHARED_DATA=DIR otherwise)";
    ASSERT_EQ(labels_->size(), 753U);
    int industrial = 0;
    for (const Site& s : *sites_) {
        ASSERT_TRUE(labels_->contains(s.id)) << "no label for id " << s.id;
        EXPECT_FALSE(s.name.empty()) << "id " << s.id;
        industrial += labels_->at(s.id) ? 1 : 0;
    }
    EXPECT_EQ(industrial, 58);
}

TEST_F(EkbRegister, NamesAloneMissOnlyWhatNeedsContext) {
    ASSERT_EQ(sites_->size(), 753U);
    const IndustrialRules rules;
    std::vector<IndustrialVerdict> verdicts;
    for (const Site& s : *sites_) {
        verdicts.push_back(classify_industrial_name(s.name, rules));
    }
    const Score s = score(*sites_, verdicts, *labels_, "names alone");
    EXPECT_GE(s.precision(), 0.95);
    EXPECT_GE(s.recall(), 0.85);
    expect_documented(s);
}

TEST_F(EkbRegister, NamesWithEnsemblesMeetTheTargets) {
    ASSERT_EQ(sites_->size(), 753U);
    const IndustrialRules rules;
    std::vector<IndustrialVerdict> verdicts;
    std::vector<std::string> addresses;
    for (const Site& s : *sites_) {
        verdicts.push_back(classify_industrial_name(s.name, rules));
        addresses.push_back(s.address);
    }
    apply_industrial_ensembles(verdicts, addresses);
    const Score s = score(*sites_, verdicts, *labels_, "names, ensembles by address");
    EXPECT_GE(s.precision(), 0.95);
    EXPECT_GE(s.recall(), 0.90);
    expect_documented(s);
}

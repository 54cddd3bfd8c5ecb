// The load stage on the real files of ../shared/data (docs/data.md).
#include "creatlas/load.hpp"
#include "test_util.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace creatlas;
using creatlas::test::fids;
using creatlas::test::load_error;
using creatlas::test::spec_for;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

TEST(LoadRealData, YekaterinburgRegisterReportsItsNineMalformedFeatures) {
    // ../shared/data/ekb-heritage/ekb-okn.json: 753 objects, 9 of them with a list of
    // coordinate pairs where a Point needs one pair. The ids below were found with
    // Python's json module (features whose coordinates contain lists).
    GeosContext geos;
    SourceReport r;
    const Table t =
        load_source(geos, spec_for(CREATLAS_SHARED_DATA "/ekb-heritage/ekb-okn.json", "heritage"),
                    GeometryPolicy::Repair, GeometryNeed::Required, r);
    EXPECT_EQ(r.read, 753);
    EXPECT_EQ(r.loaded, 744);
    EXPECT_EQ(t.rows.size(), 744U);
    EXPECT_THAT(fids(r.unreadable),
                UnorderedElementsAre(681, 723, 724, 725, 726, 727, 728, 733, 743));
    EXPECT_FALSE(r.gdal_messages.empty());
    // Under the fail policy the first of them stops the run.
    EXPECT_THAT(load_error(spec_for(CREATLAS_SHARED_DATA "/ekb-heritage/ekb-okn.json", "heritage"),
                           GeometryPolicy::Fail),
                HasSubstr("no geometry GDAL could read"));
}

TEST(Inspect, DescribesLayers) {
    GeosContext geos;
    const auto layers = inspect_source(geos, CREATLAS_SHARED_DATA "/ekb-heritage/ekb-okn.json");
    ASSERT_EQ(layers.size(), 1U);
    EXPECT_EQ(layers[0].name, "ekb-okn");
    EXPECT_EQ(layers[0].features, 753);
    EXPECT_EQ(layers[0].geometry_type, "Point");
    EXPECT_EQ(layers[0].crs, "EPSG:4326");
    EXPECT_EQ(layers[0].null_geometries, 9);
    EXPECT_EQ(layers[0].invalid_geometries, 0);
}

TEST(LoadRealData, ProtectionZonesWithUnclosedRingsAreRepairedNotDropped) {
    // ../shared/data/ekb-heritage/ekb-okn-protect.json: 211 polygons, 183 with a ring whose
    // last position is not its first (counted with Python's json module), one (feature 202)
    // with no coordinates at all.
    GeosContext geos;
    SourceReport r;
    const Table t = load_source(
        geos, spec_for(CREATLAS_SHARED_DATA "/ekb-heritage/ekb-okn-protect.json", "programmes"),
        GeometryPolicy::Repair, GeometryNeed::Required, r);
    EXPECT_EQ(r.read, 211);
    EXPECT_EQ(r.loaded, 210);
    EXPECT_THAT(fids(r.unreadable), ElementsAre(202));
    EXPECT_EQ(r.unreadable[0].reason, "empty geometry");
    std::size_t closed = 0;
    for (const auto& n : r.repaired) {
        closed += n.reason.find("closed 1 unclosed ring") != std::string::npos ? 1 : 0;
    }
    EXPECT_EQ(closed, 183U);
    for (const Row& row : t.rows) {
        EXPECT_EQ(GEOSisValid_r(geos.handle(), row.geom.get()), 1) << row.fid;
    }
    // Under skip the defective zones are left out, each named with its defect.
    SourceReport s;
    load_source(geos, spec_for(CREATLAS_SHARED_DATA "/ekb-heritage/ekb-okn-protect.json", "p"),
                GeometryPolicy::Skip, GeometryNeed::Required, s);
    EXPECT_GE(s.skipped.size(), 183U);
    EXPECT_EQ(s.skipped[0].reason, "ring not closed (1 ring)");
    // Under fail the first stops the run, naming it.
    EXPECT_THAT(load_error(spec_for(CREATLAS_SHARED_DATA "/ekb-heritage/ekb-okn-protect.json"),
                           GeometryPolicy::Fail),
                HasSubstr("feature 0: ring not closed (1 ring)"));
}

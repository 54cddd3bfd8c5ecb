// The load stage on the real files of ../shared/data (docs/data.md).
#include "creatlas/load.hpp"
#include "test_util.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace creatlas;
using creatlas::test::fids;
using creatlas::test::load_error;
using creatlas::test::spec_for;
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

// Connection strings of the PostGIS input and output: recognised, parsed, and
// never printed with their password (postgis.hpp). Expected texts are written out
// by hand from libpq's documented syntax (key = value, values in single quotes
// with \' and \\ escapes; URIs scheme://user:password@host).
#include "creatlas/error.hpp"
#include "creatlas/postgis.hpp"

#include <gtest/gtest.h>

namespace creatlas {
namespace {

TEST(Postgis, RecognisesGdalConnectionStrings) {
    EXPECT_TRUE(is_postgis("PG:dbname=gis"));
    EXPECT_TRUE(is_postgis("pg:service=atlas"));
    EXPECT_FALSE(is_postgis("atlas.gpkg"));
    EXPECT_FALSE(is_postgis("PG"));
    EXPECT_FALSE(is_postgis("/data/PG:x.gpkg"));
}

TEST(Postgis, RedactsKeyValuePasswords) {
    EXPECT_EQ(redact_password("PG:dbname=gis password=s3cret host=db"),
              "PG:dbname=gis password=*** host=db");
    EXPECT_EQ(redact_password("PG:password = 'two words' dbname=gis"),
              "PG:password = *** dbname=gis");
    EXPECT_EQ(redact_password("PG:password='a \\' b' dbname=gis"), "PG:password=*** dbname=gis");
    EXPECT_EQ(redact_password("host=db PASSWORD=x"), "host=db PASSWORD=***");
    EXPECT_EQ(redact_password("PGPASSWORD=x make"), "PGPASSWORD=*** make");
    EXPECT_EQ(redact_password("password authentication failed for user \"u\""),
              "password authentication failed for user \"u\"");
    EXPECT_EQ(redact_password("no secret here"), "no secret here");
    EXPECT_EQ(redact_password("password="), "password=***");
    // A quote inside an unquoted value is part of it; one that closes a quotation
    // around the connection string is not.
    EXPECT_EQ(redact_password("password=pa'ss host=h"), "password=*** host=h");
    EXPECT_EQ(redact_password("open 'host=h password=pw' failed"),
              "open 'host=h password=***' failed");
}

TEST(Postgis, RedactsUriPasswords) {
    EXPECT_EQ(redact_password("postgresql://ann:pw@db:5432/gis"),
              "postgresql://ann:***@db:5432/gis");
    EXPECT_EQ(redact_password("PG:postgres://ann:p%40w@db/gis?sslmode=require"),
              "PG:postgres://ann:***@db/gis?sslmode=require");
    EXPECT_EQ(redact_password("postgresql://ann@db/gis"), "postgresql://ann@db/gis");
    EXPECT_EQ(redact_password("postgresql://db/gis?password=pw&sslmode=disable"),
              "postgresql://db/gis?password=***&sslmode=disable");
}

TEST(Postgis, HasPassword) {
    EXPECT_TRUE(has_password("PG:dbname=gis password=x"));
    EXPECT_TRUE(has_password("PG:postgresql://a:b@h/d"));
    EXPECT_FALSE(has_password("PG:service=atlas"));
    EXPECT_FALSE(has_password("clusters.csv"));
}

TEST(Postgis, ParsesConnectionStrings) {
    const auto keys = parse_connection("PG:dbname=gis host='/tmp/a b' port=5433");
    EXPECT_EQ(keys.at("dbname"), "gis");
    EXPECT_EQ(keys.at("host"), "/tmp/a b");
    EXPECT_EQ(keys.at("port"), "5433");
    EXPECT_EQ(keys.count("password"), 0U);
    EXPECT_EQ(parse_connection("service=atlas").at("service"), "atlas");
}

TEST(Postgis, BadConnectionStringIsBadInputWithoutPassword) {
    try {
        parse_connection("PG:dbname=gis password=s3cret nonsense_key=1");
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::BadInput);
        EXPECT_NE(std::string(e.what()).find("nonsense_key"), std::string::npos) << e.what();
        EXPECT_EQ(std::string(e.what()).find("s3cret"), std::string::npos) << e.what();
    }
}

TEST(Postgis, ErrorsNeverCarryAPassword) {
    const Error e(ErrorKind::Io, "cannot open 'PG:dbname=x password=hunter2'",
                  {"PG:dbname=x password=hunter2", "t", std::nullopt, ""});
    EXPECT_EQ(std::string(e.what()),
              "file 'PG:dbname=x password=***', layer 't': cannot open 'PG:dbname=x password=***'");
    EXPECT_EQ(e.context().file, "PG:dbname=x password=***");
}

TEST(Postgis, QgisSourceOfATable) {
    const std::map<std::string, std::string> conn{
        {"dbname", "gis"}, {"host", "db.example"}, {"port", "5432"}, {"user", "writer"}};
    EXPECT_EQ(qgis_postgres_source(conn, "atlas", "clusters", "Point", 4326),
              "dbname='gis' host='db.example' port='5432' key='fid' srid=4326 type=Point "
              "checkPrimaryKeyUnicity='1' table=\"atlas\".\"clusters\" (geom)");
    const std::map<std::string, std::string> service{{"service", "atlas"}, {"dbname", "o'k"}};
    EXPECT_EQ(qgis_postgres_source(service, "my \"s\"", "t", "NoGeometry", 4326),
              "service='atlas' dbname='o\\'k' key='fid' checkPrimaryKeyUnicity='1' "
              "table=\"my \"\"s\"\"\".\"t\"");
}

TEST(Postgis, SridOfTheOutputCrs) {
    EXPECT_EQ(postgis_srid("EPSG:4326"), 4326);
    EXPECT_EQ(postgis_srid("EPSG:3857"), 3857);
    EXPECT_THROW(postgis_srid("+proj=aeqd +lat_0=56.8 +lon_0=60.6 +ellps=WGS84"), Error);
}

} // namespace
} // namespace creatlas

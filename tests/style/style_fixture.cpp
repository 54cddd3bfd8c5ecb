// Calls the style stage on a GeoPackage made by make_fixture.py (or by a
// pipeline run), so that the Python tests can check what QGIS makes of it.
//
//   style_fixture styles GPKG TITLE [FINAL_PATH]   layer_styles + qgis_projects
//   style_fixture report GPKG REPORT_JSON HTML     report.html (+ maps)
#include "creatlas/error.hpp"
#include "creatlas/style.hpp"

#include <fstream>
#include <gdal_priv.h>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
    const std::string usage = "usage: style_fixture styles GPKG TITLE [FINAL_PATH]\n"
                              "       style_fixture report GPKG REPORT_JSON HTML\n";
    if (argc < 4) {
        std::cerr << usage;
        return 2;
    }
    const std::string command = argv[1];
    try {
        GDALAllRegister();
        if (command == "styles") {
            GDALDatasetUniquePtr ds(GDALDataset::Open(argv[2], GDAL_OF_VECTOR | GDAL_OF_UPDATE));
            if (!ds) {
                std::cerr << "cannot open " << argv[2] << "\n";
                return 1;
            }
            if (argc > 4) {
                creatlas::write_layer_styles(*ds, argv[3], argv[4]);
            } else {
                creatlas::write_layer_styles(*ds, argv[3]);
            }
            return 0;
        }
        if (command == "report" && argc == 5) {
            std::ifstream in(argv[3]);
            const nlohmann::json report = nlohmann::json::parse(in);
            creatlas::write_report(report, argv[2], argv[4]);
            return 0;
        }
        std::cerr << usage;
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "style_fixture: " << e.what() << "\n";
        return 1;
    }
}

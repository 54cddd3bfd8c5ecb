// The load stage: `creatlas info`, a description of a source's layers.
#include "creatlas/error.hpp"
#include "creatlas/load.hpp"
#include "gdal_util.hpp"
#include "load_internal.hpp"

#include <filesystem>
#include <ogrsf_frmts.h>

namespace creatlas {

std::vector<LayerInfo> inspect_source(const GeosContext& geos, const std::string& path,
                                      const std::vector<std::string>& open_options,
                                      const std::string& layer_name) {
    detail::ensure_gdal_registered();
    detail::GdalErrorCapture errors;
    if (is_local_path(path) && !std::filesystem::exists(path)) {
        throw_bad_input("no such file", {path, "", std::nullopt, ""});
    }
    GDALDatasetUniquePtr ds = detail::open_vector(path, open_options);
    if (!ds) {
        throw_bad_input("GDAL cannot open this source as vector data" +
                            (errors.last_error().empty() ? "" : ": " + errors.last_error()),
                        {path, "", std::nullopt, ""});
    }
    std::vector<LayerInfo> out;
    GEOSContextHandle_t h = geos.handle();
    // One layer by its name: GDAL finds tables it does not list (a PostGIS table
    // without geometry, "schema.table" outside the search path).
    std::vector<OGRLayer*> layers;
    if (!layer_name.empty()) {
        if (OGRLayer* layer = ds->GetLayerByName(layer_name.c_str()); layer != nullptr) {
            layers.push_back(layer);
        }
    } else {
        for (int li = 0; li < ds->GetLayerCount(); ++li) {
            layers.push_back(ds->GetLayer(li));
        }
    }
    for (OGRLayer* layer : layers) {
        LayerInfo info;
        info.name = layer->GetName();
        info.geometry_type = OGRGeometryTypeToName(layer->GetGeomType());
        if (const OGRSpatialReference* srs = layer->GetSpatialRef()) {
            info.crs = detail::describe_srs(*srs);
        }
        OGRFeatureDefn* defn = layer->GetLayerDefn();
        for (int i = 0; i < defn->GetFieldCount(); ++i) {
            const OGRFieldDefn* fd = defn->GetFieldDefn(i);
            info.fields.emplace_back(fd->GetNameRef(),
                                     OGRFieldDefn::GetFieldTypeName(fd->GetType()));
        }
        layer->ResetReading();
        for (OGRFeatureUniquePtr f(layer->GetNextFeature()); f; f.reset(layer->GetNextFeature())) {
            ++info.features;
            const OGRGeometry* g = f->GetGeometryRef();
            if (defn->GetGeomFieldCount() == 0) {
                continue;
            }
            if (g == nullptr || g->IsEmpty() != FALSE) {
                ++info.null_geometries;
                continue;
            }
            GeomPtr gg(g->exportToGEOS(h), GeomDeleter{h});
            if (!gg || GEOSisValid_r(h, gg.get()) != 1) {
                ++info.invalid_geometries;
            }
        }
        out.push_back(std::move(info));
    }
    if (!layer_name.empty() && out.empty()) {
        throw_bad_input("no such layer", {path, layer_name, std::nullopt, ""});
    }
    return out;
}

} // namespace creatlas

// Reading a few attribute columns of a layer, and nothing else.
//
// The style stage and the report read back layers the run has just written
// (150,000 heritage sites, 185,000 hexagons at national scale) for a column or
// two each. OGR would otherwise decode every field and the geometry of every
// feature; OGRLayer::SetIgnoredFields keeps the GeoPackage driver's SELECT to
// the columns asked for.
//
// Why not SQL (SELECT DISTINCT … through GDALDataset::ExecuteSQL)? In GDAL 3.6
// the GeoPackage driver's ExecuteSQL first builds every spatial index the
// writer deferred (SPATIAL_INDEX=YES builds the R-tree at the first SQL
// statement or at close), so the first query of the style stage would pay for
// the R-trees of all layers. Reading through the layer API leaves that work
// where it belongs, to the writer.
#pragma once

#include <ogrsf_frmts.h>
#include <string>
#include <vector>

namespace creatlas::style_detail {

/// While alive, `layer` (not owned; must outlive this object) reads only the
/// attribute fields named in `keep` (fields it does not have are ignored): the
/// geometry, the OGR style string and every other field are skipped. The
/// layer's reading is reset on entry and on exit, and on exit every field is
/// read again.
class ColumnsOnly {
public:
    ColumnsOnly(OGRLayer& layer, const std::vector<std::string>& keep) : layer_(layer) {
        OGRFeatureDefn* defn = layer.GetLayerDefn();
        std::vector<std::string> ignored{"OGR_GEOMETRY", "OGR_STYLE"};
        for (int i = 0; i < defn->GetFieldCount(); ++i) {
            const std::string name = defn->GetFieldDefn(i)->GetNameRef();
            bool wanted = false;
            for (const auto& k : keep) {
                wanted = wanted || k == name;
            }
            if (!wanted) {
                ignored.push_back(name);
            }
        }
        std::vector<const char*> list;
        for (const auto& name : ignored) {
            list.push_back(name.c_str());
        }
        list.push_back(nullptr);
        // A driver that cannot skip columns still reads correctly, only slower.
        layer.SetIgnoredFields(list.data());
        layer.ResetReading();
    }
    ~ColumnsOnly() {
        layer_.SetIgnoredFields(nullptr);
        layer_.ResetReading();
    }
    ColumnsOnly(const ColumnsOnly&) = delete;
    ColumnsOnly& operator=(const ColumnsOnly&) = delete;
    ColumnsOnly(ColumnsOnly&&) = delete;
    ColumnsOnly& operator=(ColumnsOnly&&) = delete;

private:
    OGRLayer& layer_;
};

} // namespace creatlas::style_detail

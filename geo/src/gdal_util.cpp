#include "gdal_util.hpp"

#include "creatlas/error.hpp"

#include <mutex>

namespace creatlas::detail {

GdalErrorCapture::GdalErrorCapture() {
    CPLPushErrorHandlerEx(&GdalErrorCapture::handler, this);
}

GdalErrorCapture::~GdalErrorCapture() {
    CPLPopErrorHandler();
}

void CPL_STDCALL GdalErrorCapture::handler(CPLErr level, CPLErrorNum /*num*/, const char* message) {
    auto* self = static_cast<GdalErrorCapture*>(CPLGetErrorHandlerUserData());
    if (self == nullptr || level == CE_Debug || level == CE_None) {
        return;
    }
    std::string text = message != nullptr ? message : "";
    if (level >= CE_Failure) {
        self->last_error_ = text;
    }
    text.insert(0, level >= CE_Failure ? "GDAL error: " : "GDAL warning: ");
    if (auto it = self->seen_.find(text); it != self->seen_.end()) {
        ++self->messages_[it->second].count;
        return;
    }
    // Distinct messages are few unless each names its feature; keep the first 200.
    if (self->messages_.size() < 200) {
        self->seen_.emplace(text, self->messages_.size());
        self->messages_.push_back({std::move(text), 1});
    }
}

std::vector<MessageCount> GdalErrorCapture::take() {
    std::vector<MessageCount> out;
    out.swap(messages_);
    seen_.clear();
    return out;
}

void ensure_gdal_registered() {
    static std::once_flag once;
    std::call_once(once, [] { GDALAllRegister(); });
}

std::unique_ptr<OGRSpatialReference> make_srs(const std::string& definition,
                                              const std::string& what) {
    auto srs = std::make_unique<OGRSpatialReference>();
    if (srs->SetFromUserInput(definition.c_str()) != OGRERR_NONE) {
        throw_bad_input("'" + definition + "' is not a CRS GDAL/PROJ understands (" + what + ")");
    }
    srs->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    return srs;
}

std::string describe_srs(const OGRSpatialReference& srs) {
    const char* auth = srs.GetAuthorityName(nullptr);
    const char* code = srs.GetAuthorityCode(nullptr);
    if (auth != nullptr && code != nullptr) {
        return std::string(auth) + ":" + code;
    }
    const char* name = srs.GetName();
    return name != nullptr ? name : "unnamed CRS";
}

std::string wkb_type_name(OGRwkbGeometryType type, const char* fallback) {
    switch (wkbFlatten(type)) {
    case wkbPoint:
        return "Point";
    case wkbMultiPoint:
        return "MultiPoint";
    case wkbLineString:
        return "LineString";
    case wkbMultiLineString:
        return "MultiLineString";
    case wkbPolygon:
        return "Polygon";
    case wkbMultiPolygon:
        return "MultiPolygon";
    default:
        return fallback;
    }
}

} // namespace creatlas::detail

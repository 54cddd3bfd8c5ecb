// The style catalogue (styles/classes.json), read once for the style writer and
// the report's legend.
//
// A layer's "classes" may name a shared palette instead of repeating it: an
// element {"palette": "gi_star"} stands for every class of the catalogue's
// "palettes"."gi_star", in order. The hot/cold classes of Getis-Ord Gi* are
// declared once that way and used by both the atlas's hex_grid layer and the
// gistar layer of `creatlas stats -o`.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace creatlas::style_detail {

/// `catalogue` with every {"palette": NAME} element of a layer's classes
/// replaced by the classes of palettes.NAME. Throws Error(Internal) naming
/// `origin` for an unknown palette or a palette that is not an array.
nlohmann::json expand_palettes(const nlohmann::json& catalogue, const std::string& origin);

/// styles_dir()/classes.json, parsed, palettes expanded. Throws Error(Io) when
/// the file cannot be read and Error(Internal) when it is not valid JSON.
nlohmann::json read_style_catalogue();

} // namespace creatlas::style_detail

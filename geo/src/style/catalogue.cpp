// Reading styles/classes.json and expanding its shared palettes.
#include "catalogue.hpp"

#include "creatlas/error.hpp"
#include "creatlas/style.hpp"

#include <fstream>
#include <sstream>

namespace creatlas::style_detail {

using nlohmann::json;

json expand_palettes(const json& catalogue, const std::string& origin) {
    if (!catalogue.is_object() || !catalogue.contains("layers") ||
        !catalogue["layers"].is_array()) {
        throw Error(ErrorKind::Internal, "the style catalogue has no \"layers\" list",
                    {origin, "", {}, ""});
    }
    json out = catalogue;
    const json palettes = catalogue.value("palettes", json::object());
    for (json& layer : out.at("layers")) {
        if (!layer.contains("classes") || !layer["classes"].is_array()) {
            continue; // graduated layers give a class count, not a list
        }
        json classes = json::array();
        for (const json& cls : layer["classes"]) {
            if (!cls.is_object() || !cls.contains("palette")) {
                classes.push_back(cls);
                continue;
            }
            const std::string name = cls["palette"].is_string() ? cls["palette"].get<std::string>()
                                                                : cls["palette"].dump();
            const auto found = palettes.find(name);
            if (found == palettes.end() || !found->is_array()) {
                throw Error(ErrorKind::Internal,
                            "layer '" + layer.value("name", std::string()) +
                                "' names the palette '" + name + "', which is not declared",
                            {origin, layer.value("name", std::string()), {}, ""});
            }
            for (const json& member : *found) {
                classes.push_back(member);
            }
        }
        layer["classes"] = std::move(classes);
    }
    return out;
}

json read_style_catalogue() {
    const std::string path = styles_dir() + "/classes.json";
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw Error(ErrorKind::Io, "cannot read the style catalogue '" + path + "'",
                    {path, "", {}, ""});
    }
    std::ostringstream text;
    text << in.rdbuf();
    json catalogue;
    try {
        catalogue = json::parse(text.str());
    } catch (const json::exception& e) {
        throw Error(ErrorKind::Internal, std::string("bad style catalogue: ") + e.what(),
                    {path, "", {}, ""});
    }
    return expand_palettes(catalogue, path);
}

} // namespace creatlas::style_detail

// Reading styles/i18n/<language>.json and looking texts up in it.
#include "i18n.hpp"

#include "creatlas/error.hpp"
#include "creatlas/style.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace creatlas::style_detail {

bool is_known_language(const std::string& language) {
    return language == "en" || language == "ru";
}

Messages::Messages(const std::string& language) : language_(language) {
    if (language == "en") {
        return;
    }
    const std::string path = styles_dir() + "/i18n/" + language + ".json";
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw Error(ErrorKind::Io, "cannot read the translations '" + path + "'",
                    {path, "", {}, ""});
    }
    std::ostringstream text;
    text << in.rdbuf();
    nlohmann::json catalogue;
    try {
        catalogue = nlohmann::json::parse(text.str());
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorKind::Internal, std::string("bad translations: ") + e.what(),
                    {path, "", {}, ""});
    }
    if (!catalogue.is_object() || !catalogue.contains("messages") ||
        !catalogue["messages"].is_object()) {
        throw Error(ErrorKind::Internal, "the translations have no \"messages\" object",
                    {path, "", {}, ""});
    }
    for (const auto& [english, translated] : catalogue["messages"].items()) {
        if (translated.is_string()) {
            messages_.emplace(english, translated.get<std::string>());
        }
    }
}

std::string Messages::tr(const std::string& english) const {
    auto found = messages_.find(english);
    return found == messages_.end() ? english : found->second;
}

bool Messages::has(const std::string& english) const {
    return messages_.contains(english);
}

const char* formation_label_en(int type) {
    // The same words as classify_formation (geo/src/measure.cpp) and DESIGN.md.
    switch (type) {
    case 1:
        return "initiative";
    case 2:
        return "initiative, supported";
    case 3:
        return "partnership";
    case 4:
        return "public-led";
    case 5:
        return "dependent";
    default:
        return "unknown";
    }
}

} // namespace creatlas::style_detail

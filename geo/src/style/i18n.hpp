// The planner's language: English texts of the styles, the report and the atlas
// layout, and their translations (styles/i18n/<language>.json).
//
// Texts are looked up by their English wording, as gettext does, so that the
// English text stays readable where it is used and a missing translation falls
// back to English rather than to a key. Field names are never translated: they
// are the contract of the output layers.
#pragma once

#include <map>
#include <string>

namespace creatlas::style_detail {

/// The languages creatlas speaks ([project] language).
bool is_known_language(const std::string& language);

class Messages {
public:
    /// English (every text as written).
    Messages() = default;
    /// The catalogue of `language`, read from styles_dir()/i18n/<language>.json
    /// ("en" reads nothing). Throws Error(Io) when the file cannot be read and
    /// Error(Internal) when it is not a JSON object with a "messages" object.
    explicit Messages(const std::string& language);

    const std::string& language() const { return language_; }
    /// `english` in this language; `english` itself when there is no translation.
    std::string tr(const std::string& english) const;
    /// Whether the catalogue has `english` (tests check coverage with it).
    bool has(const std::string& english) const;

private:
    std::string language_ = "en";
    std::map<std::string, std::string> messages_;
};

/// The English label of a formation type (1–5; anything else is "unknown"), as
/// DESIGN.md names them.
const char* formation_label_en(int type);

} // namespace creatlas::style_detail

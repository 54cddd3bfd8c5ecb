// Field names guessed from common names: the one list that the QGIS plugin's
// dialog (pre-selected fields) and `creatlas init` (a drafted project file) both
// read. Declared beside the project schema because every entry names a declared
// key; a guess is only ever a starting value the user can change.
#include "creatlas/draft.hpp"
#include "creatlas/error.hpp"
#include "creatlas/project.hpp"
#include "creatlas/text.hpp"

#include <algorithm>
#include <sstream>

namespace creatlas {

namespace {

/// Names for a source's id_field: its own "<thing>_id" first, then the generic ones.
std::vector<std::string> id_names(const std::string& own, std::vector<std::string> extra = {}) {
    std::vector<std::string> names{own, "id", "код", "идентификатор", "ид", "uid", "objectid"};
    names.insert(names.end(), extra.begin(), extra.end());
    return names;
}

const std::vector<std::string>& name_names() {
    static const std::vector<std::string> names{"name",  "название", "наименование", "имя",
                                                "title", "name_ru",  "nazvanie"};
    return names;
}

void source_guesses(std::vector<FieldGuess>& g) {
    const std::vector<std::string> lon{"lon", "lng",     "long",      "longitude", "geo_lon",
                                       "x",   "долгота", "lon_wgs84", "coord_x",   "координата_x"};
    const std::vector<std::string> lat{"lat",    "latitude",  "geo_lat", "y",
                                       "широта", "lat_wgs84", "coord_y", "координата_y"};
    for (const char* s :
         {"cities", "city_areas", "clusters", "heritage", "programmes", "enterprises"}) {
        g.push_back({s, "x_field", lon, true});
        g.push_back({s, "y_field", lat, true});
    }
    g.push_back({"cities", "id_field", id_names("city_id", {"kladr_id", "oktmo", "fias_id"})});
    std::vector<std::string> city_names = name_names();
    city_names.insert(city_names.end(), {"city_name", "city", "город", "settlement"});
    g.push_back({"cities", "name_field", city_names});
    g.push_back({"cities",
                 "population_field",
                 {"population", "население", "численность", "численность_населения", "pop",
                  "pop_total", "pop_max", "inhabitants"}});
    g.push_back({"cities",
                 "capital_field",
                 {"capital", "regional_capital", "is_capital", "regional_centre", "столица",
                  "административный_центр"}});
    g.push_back({"cities", "centre_x_field", {"centre_lon", "center_lon", "centre_x", "center_x"}});
    g.push_back({"cities", "centre_y_field", {"centre_lat", "center_lat", "centre_y", "center_y"}});

    g.push_back({"clusters", "id_field", id_names("cluster_id")});
    g.push_back({"clusters", "name_field", name_names()});
    g.push_back({"clusters", "key_field", {"cluster_key", "key", "ключ"}});

    g.push_back({"heritage", "id_field", id_names("heritage_id", {"okn_id", "reg_number"})});
    g.push_back({"heritage", "name_field", name_names()});

    g.push_back({"heritage_overrides", "key_field", {"heritage_id", "key", "ключ", "id", "код"}});

    g.push_back({"programmes", "id_field", id_names("programme_id", {"program_id"})});
    g.push_back({"programmes", "name_field", name_names()});
    g.push_back({"programmes",
                 "instrument_field",
                 {"instrument", "инструмент", "instrument_type", "вид_поддержки", "мера"}});
    g.push_back({"programmes",
                 "grant_field",
                 {"grant_per_cluster", "grant", "грант", "grant_amount", "сумма_гранта"}});

    g.push_back({"cluster_attributes",
                 "key_field",
                 {"cluster_key", "key", "ключ", "cluster_id", "cluster", "кластер", "id", "код"}});

    g.push_back({"grants",
                 "key_field",
                 {"cluster_key", "key", "ключ", "cluster_id", "cluster", "кластер"}});
    g.push_back(
        {"grants", "amount_field", {"amount", "сумма", "grant", "грант", "amount_rub", "sum"}});
    g.push_back({"grants",
                 "programme_field",
                 {"programme_id", "program_id", "programme", "program", "программа"}});

    g.push_back({"enterprises", "id_field", id_names("enterprise_id", {"inn", "инн", "ogrn"})});
}

void setting_guesses(std::vector<FieldGuess>& g) {
    g.push_back({"formation",
                 "initiator_field",
                 {"initiator", "инициатор", "initiator_type", "тип_инициатора"}});
    g.push_back({"formation",
                 "public_share_field",
                 {"public_share", "share", "доля", "доля_государства", "public_money_share",
                  "gov_share", "state_share"}});
    g.push_back({"formation",
                 "opened_field",
                 {"opened", "year", "год", "opened_year", "year_opened", "год_открытия", "founded",
                  "год_основания"}});
}

std::vector<FieldGuess> make_guesses() {
    std::vector<FieldGuess> g;
    source_guesses(g);
    setting_guesses(g);
    return g;
}

/// Names compare trimmed, NFC, case-folded, with spaces and hyphens read as '_'.
std::string comparable(const std::string& name) {
    std::string out;
    try {
        out = normalise_key(name);
    } catch (const Error&) {
        return ""; // not UTF-8: no guess can match it
    }
    std::replace(out.begin(), out.end(), ' ', '_');
    std::replace(out.begin(), out.end(), '-', '_');
    return out;
}

} // namespace

const std::vector<FieldGuess>& field_guesses() {
    static const std::vector<FieldGuess> guesses = make_guesses();
    return guesses;
}

std::string guess_field(const std::string& section, const std::string& key,
                        const std::vector<std::string>& fields) {
    for (const FieldGuess& guess : field_guesses()) {
        if (guess.section != section || guess.key != key) {
            continue;
        }
        for (const std::string& name : guess.names) {
            const std::string wanted = comparable(name);
            for (const std::string& field : fields) {
                if (comparable(field) == wanted) {
                    return field;
                }
            }
        }
    }
    return "";
}

std::string field_guesses_markdown() {
    std::ostringstream md;
    md << "## Fields guessed from their names\n\n"
          "`creatlas init --clusters FILE [--heritage FILE] [--programmes FILE] [--cities FILE] "
          "… -o project.toml` drafts a commented project file from the input files: it "
          "inspects each with GDAL, writes the fields guessed below and every other key at "
          "its default, and never overwrites a file without `--overwrite`. The QGIS plugin's "
          "dialog pre-selects the same guesses when a layer is chosen. A field matches when "
          "its name equals one of these, compared trimmed, case-folded, in Unicode NFC, with "
          "spaces and hyphens read as `_`; the first name in the list that the layer has "
          "wins. x_field and y_field are guessed only for a table without geometry. "
          "[formation]'s fields are looked for in [cluster_attributes], then in "
          "[clusters].\n\n"
          "| key | names tried, in order |\n|---|---|\n";
    for (const FieldGuess& g : field_guesses()) {
        md << "| [" << g.section << "] `" << g.key << "` | ";
        for (std::size_t i = 0; i < g.names.size(); ++i) {
            md << (i == 0 ? "" : ", ") << "`" << g.names[i] << "`";
        }
        md << " |\n";
    }
    md << "\n";
    return md.str();
}

} // namespace creatlas

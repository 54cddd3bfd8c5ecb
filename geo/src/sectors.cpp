// Creative sectors and the code → sector mapping (sectors.hpp).
#include "creatlas/sectors.hpp"

#include <algorithm>
#include <map>
#include <sstream>
#include <stdexcept>

namespace creatlas {

const std::vector<Sector>& creative_sectors() {
    static const std::vector<Sector> sectors{
        {"publishing", "Publishing", "Издательское дело"},
        {"film_video", "Film and video", "Кино и видео"},
        {"music_sound", "Music and sound recording", "Музыка и звукозапись"},
        {"broadcasting", "Broadcasting", "Теле- и радиовещание"},
        {"software_it", "Software and IT", "Программное обеспечение и ИТ"},
        {"architecture", "Architecture", "Архитектура"},
        {"advertising_pr", "Advertising and PR", "Реклама и связи с общественностью"},
        {"design", "Design", "Дизайн"},
        {"photography", "Photography", "Фотография"},
        {"arts_performing", "Arts and performing arts", "Искусство и исполнительские искусства"},
        {"museums_heritage", "Museums, libraries and heritage", "Музеи, библиотеки и наследие"},
        {"crafts", "Crafts", "Ремёсла и художественные промыслы"},
    };
    return sectors;
}

std::optional<std::size_t> sector_index(const std::string& id) {
    const auto& s = creative_sectors();
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i].id == id) {
            return i;
        }
    }
    return std::nullopt;
}

std::string normalise_code(const std::string& code) {
    std::string out;
    for (const char c : code) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            continue;
        }
        out += c == ',' ? '.' : c;
    }
    while (!out.empty() && out.back() == '.') {
        out.pop_back();
    }
    return out;
}

SectorMap::SectorMap(std::vector<SectorRule> rules) : rules_(std::move(rules)) {
    std::sort(rules_.begin(), rules_.end(),
              [](const SectorRule& a, const SectorRule& b) { return a.prefix < b.prefix; });
}

SectorMap SectorMap::parse(const std::vector<std::string>& entries) {
    std::vector<SectorRule> rules;
    std::map<std::string, std::string> seen;
    for (const std::string& e : entries) {
        const auto eq = e.find('=');
        if (eq == std::string::npos) {
            throw std::invalid_argument("'" + e + "' is not of the form \"prefix=sector\"");
        }
        const std::string prefix = normalise_code(e.substr(0, eq));
        const std::string sector = normalise_code(e.substr(eq + 1));
        if (prefix.empty()) {
            throw std::invalid_argument("'" + e + "' has an empty code prefix");
        }
        std::optional<std::size_t> idx;
        if (sector != "other") {
            idx = sector_index(sector);
            if (!idx) {
                std::string known;
                for (const Sector& s : creative_sectors()) {
                    known += s.id + ", ";
                }
                throw std::invalid_argument("'" + e + "': '" + sector +
                                            "' is not a creative sector (" + known + "other)");
            }
        }
        if (!seen.emplace(prefix, e).second) {
            throw std::invalid_argument("'" + e + "' repeats the prefix of '" + seen[prefix] + "'");
        }
        rules.push_back({prefix, idx});
    }
    return SectorMap(std::move(rules));
}

std::optional<std::size_t> SectorMap::classify(const std::string& code) const {
    const std::string c = normalise_code(code);
    if (c.empty()) {
        return std::nullopt;
    }
    // The longest prefix wins: a specific rule ("62.09=other") overrides a broad one.
    const SectorRule* best = nullptr;
    for (const SectorRule& r : rules_) {
        if (c.compare(0, r.prefix.size(), r.prefix) == 0 &&
            (best == nullptr || r.prefix.size() > best->prefix.size())) {
            best = &r;
        }
    }
    return best == nullptr ? std::nullopt : best->sector;
}

namespace {

/// The default mapping with the OKVED 2 title of each prefix (OK 029-2014).
struct DefaultRule {
    const char* prefix;
    const char* sector;
    const char* title_ru;
    const char* title_en; ///< the NACE Rev. 2 title of the same class or group
};

const std::vector<DefaultRule>& default_rules() {
    static const std::vector<DefaultRule> rules{
        {"58.1", "publishing",
         "Издание книг, периодических публикаций и другие виды издательской деятельности",
         "Publishing of books, periodicals and other publishing activities"},
        {"74.3", "publishing", "Деятельность по письменному и устному переводу",
         "Translation and interpretation activities"},
        {"59.1", "film_video",
         "Производство кинофильмов, видеофильмов и телевизионных программ, их монтаж, "
         "распространение и демонстрация",
         "Motion picture, video and television programme activities"},
        {"59.2", "music_sound",
         "Деятельность в области звукозаписи и издания музыкальных "
         "произведений",
         "Sound recording and music publishing activities"},
        {"60", "broadcasting", "Деятельность в области телевизионного и радиовещания",
         "Programming and broadcasting activities"},
        {"58.2", "software_it", "Издание программного обеспечения (в том числе компьютерных игр)",
         "Software publishing (including computer games)"},
        {"62.01", "software_it", "Разработка компьютерного программного обеспечения",
         "Computer programming activities"},
        {"62.02", "software_it",
         "Деятельность консультативная и работы в области компьютерных технологий",
         "Computer consultancy activities"},
        {"71.11", "architecture", "Деятельность в области архитектуры", "Architectural activities"},
        {"73.1", "advertising_pr", "Деятельность рекламная (агентства, представление в СМИ)",
         "Advertising (agencies, media representation)"},
        {"70.21", "advertising_pr", "Деятельность по связям с общественностью",
         "Public relations and communication activities"},
        {"74.1", "design", "Деятельность специализированная в области дизайна",
         "Specialised design activities"},
        {"74.2", "photography", "Деятельность в области фотографии", "Photographic activities"},
        {"90", "arts_performing",
         "Деятельность творческая, деятельность в области искусства и "
         "организации развлечений",
         "Creative, arts and entertainment activities"},
        {"91.01", "museums_heritage", "Деятельность библиотек и архивов",
         "Library and archives activities"},
        {"91.02", "museums_heritage", "Деятельность музеев", "Museums activities"},
        {"91.03", "museums_heritage",
         "Деятельность по охране исторических мест и зданий, памятников культуры",
         "Operation of historical sites and buildings and similar visitor attractions"},
        {"32.12", "crafts", "Производство ювелирных изделий и аналогичных изделий",
         "Manufacture of jewellery and related articles"},
        {"32.13", "crafts", "Производство бижутерии и подобных товаров",
         "Manufacture of imitation jewellery and related articles"},
        {"32.2", "crafts", "Производство музыкальных инструментов",
         "Manufacture of musical instruments"},
        {"32.99.8", "crafts", "Производство изделий народных художественных промыслов",
         "Folk art crafts (an OKVED 2 subclass without a NACE class of its own)"},
    };
    return rules;
}

} // namespace

const std::vector<std::string>& default_sector_entries() {
    static const std::vector<std::string> entries = [] {
        std::vector<std::string> out;
        for (const DefaultRule& r : default_rules()) {
            out.push_back(std::string(r.prefix) + "=" + r.sector);
        }
        return out;
    }();
    return entries;
}

std::string sector_mapping_markdown() {
    std::ostringstream md;
    md << "# Creative sectors and the default OKVED 2 mapping\n\n"
          "<!-- Generated by `creatlas indicators --sectors-markdown` from "
          "geo/src/sectors.cpp; a test keeps it in step. -->\n\n"
          "creatlas counts creative enterprises in twelve sectors. An enterprise's activity "
          "code ([enterprises] `sector_field`) goes to the sector of the **longest** code "
          "prefix of the mapping that it starts with; codes are compared with spaces removed, "
          "commas read as dots and trailing dots dropped (\" 62,01 \" is 62.01). A code that "
          "no prefix matches, and a missing code, is **other**: such enterprises are counted "
          "(`ent_other`) and the run report says how many there were, but they take no part "
          "in the creative-economy indicators.\n\n"
          "A project replaces the whole mapping with `[enterprises] sectors = "
          "[\"prefix=sector\", …]`; the sector may be `other` to carve a code out of a "
          "broader prefix (`\"62.09=other\"`). Codes of any classification work the same way "
          "(the benchmark data's mapping is one example).\n\n"
          "## The sectors\n\n| sector | English | Russian |\n|---|---|---|\n";
    for (const Sector& s : creative_sectors()) {
        md << "| `" << s.id << "` | " << s.label_en << " | " << s.label_ru << " |\n";
    }
    md << "\n## The default mapping (OKVED 2)\n\n"
          "| prefix | sector | OKVED 2 title | NACE Rev. 2 / English title |\n|---|---|---|---|\n";
    for (const DefaultRule& r : default_rules()) {
        md << "| `" << r.prefix << "` | `" << r.sector << "` | " << r.title_ru << " | "
           << r.title_en << " |\n";
    }
    md << "\n## Sources and reasoning\n\n"
          "- **Codes:** OK 029-2014 (NACE Rev. 2), *Общероссийский классификатор видов "
          "экономической деятельности* (OKVED 2), adopted by Rosstandart's order "
          "No. 14-st of 31 January 2014. OKVED 2 is harmonised with the EU's NACE Rev. 2 down "
          "to the class (four digits), so a class keeps its NACE meaning; 32.99.8 (folk art "
          "crafts) is an OKVED 2 subclass with no NACE class of its own.\n"
          "- **Grouping:** the UK Department for Culture, Media and Sport's *Creative "
          "Industries Economic Estimates: Methodology* (DCMS, 2014 onward), which lists the "
          "SIC 2007 classes (identical to NACE Rev. 2 at four digits) of the creative "
          "industries; it rests on Nesta's *A Dynamic Mapping of the UK's Creative Industries* "
          "(Bakhshi, Freeman and Higgs, 2013). The default mapping takes the DCMS classes "
          "(58.11–58.19, 74.30; 59.11–59.14; 59.20; 60.10, 60.20; 58.21, 58.29, 62.01, 62.02; "
          "71.11; 73.11, 73.12, 70.21; 74.10; 74.20; 90.01–90.04; 91.01, 91.02; 32.12) and "
          "splits DCMS's broader groups into the twelve sectors the atlas reports "
          "(film and video, music and sound, broadcasting and photography apart; arts and "
          "performing arts as division 90).\n"
          "- **Additions for Russian data,** written for this project: museums and heritage "
          "also take 91.03 (protection of historical sites and buildings: the operators of "
          "the heritage the atlas is about); crafts also take 32.13 (imitation jewellery), "
          "32.2 (musical instruments) and 32.99.8 (folk art crafts), since Russian studies of "
          "creative industries count the folk crafts (*народные художественные промыслы*) "
          "among them. DCMS's 85.52 (cultural education) is left out: OKVED 2 has no class "
          "for it (it falls in 85.41, additional education of every kind).\n"
          "- **Not creative by default:** the rest of 62 and 63 (IT services, data "
          "processing), 32.1 other than 32.12–32.13, 91.04 (zoos, botanical gardens), "
          "14 (clothing: designer fashion has no class of its own).\n";
    return md.str();
}

} // namespace creatlas

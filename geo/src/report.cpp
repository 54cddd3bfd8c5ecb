#include "creatlas/report.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>
#include <sstream>

namespace creatlas {

namespace {

/// How many feature ids a summary line names before it says "and N more".
constexpr std::size_t kIdsShown = 5;

nlohmann::json notes_json(const std::vector<FeatureNote>& notes) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& n : notes) {
        out.push_back({{"fid", n.fid}, {"reason", n.reason}});
    }
    return out;
}

nlohmann::json messages_json(const std::vector<MessageCount>& messages) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& m : messages) {
        out.push_back({{"message", m.message}, {"count", m.count}});
    }
    return out;
}

std::string key_list(const std::vector<std::string>& keys) {
    std::string out;
    for (std::size_t k = 0; k < keys.size() && k < 2 * kIdsShown; ++k) {
        out += (out.empty() ? "" : ", ") + ("'" + keys[k] + "'");
    }
    if (keys.size() > 2 * kIdsShown) {
        out += " and " + std::to_string(keys.size() - 2 * kIdsShown) + " more";
    }
    return out;
}

/// The kind of a reason, for grouping: the text without bracketed details and
/// with numbers folded, so that "Self-intersection[60.1 56.2]" and
/// "Self-intersection[60.3 56.9]" are one kind.
std::string reason_kind(const std::string& reason) {
    std::string out;
    int depth = 0;
    bool in_number = false;
    for (const char c : reason) {
        if (c == '[') {
            ++depth;
            continue;
        }
        if (c == ']') {
            depth = std::max(0, depth - 1);
            continue;
        }
        if (depth > 0) {
            continue;
        }
        if (std::isdigit(static_cast<unsigned char>(c)) != 0 ||
            (in_number && (c == '.' || c == '-' || c == 'e'))) {
            if (!in_number) {
                out += '#';
            }
            in_number = true;
            continue;
        }
        in_number = false;
        out += c;
    }
    return out;
}

/// "fid 1, 2, 3, 4, 5 and 12 more"
template <class T, class Fn> std::string first_ids(const std::vector<T>& items, Fn&& describe) {
    std::string out = "fid ";
    for (std::size_t k = 0; k < items.size() && k < kIdsShown; ++k) {
        out += (k == 0 ? "" : ", ") + describe(items[k]);
    }
    if (items.size() > kIdsShown) {
        out += " and " + std::to_string(items.size() - kIdsShown) + " more";
    }
    return out;
}

/// One line per kind of reason: "    repaired 183 (closed unclosed ring): fid 1, 2, … ".
void summarise_notes(std::ostringstream& out, const char* what,
                     const std::vector<FeatureNote>& notes) {
    std::vector<std::pair<std::string, std::vector<const FeatureNote*>>> kinds;
    std::map<std::string, std::size_t> index;
    for (const auto& n : notes) {
        const std::string k = reason_kind(n.reason);
        auto [it, fresh] = index.emplace(k, kinds.size());
        if (fresh) {
            kinds.push_back({n.reason, {}});
        }
        kinds[it->second].second.push_back(&n);
    }
    std::stable_sort(kinds.begin(), kinds.end(), [](const auto& a, const auto& b) {
        return a.second.size() > b.second.size();
    });
    for (auto& [example, list] : kinds) {
        std::sort(list.begin(), list.end(),
                  [](const FeatureNote* a, const FeatureNote* b) { return a->fid < b->fid; });
        out << "    " << what << " " << list.size() << " (" << (list.size() == 1 ? "" : "e.g. ")
            << example
            << "): " << first_ids(list, [](const FeatureNote* n) { return std::to_string(n->fid); })
            << "\n";
    }
}

/// GDAL's messages by kind (those that differ only in the numbers they quote are one
/// kind): the three most frequent, each with its count and an example.
void summarise_messages(std::ostringstream& out, const std::vector<MessageCount>& messages) {
    std::vector<std::pair<const MessageCount*, std::int64_t>> kinds;
    std::map<std::string, std::size_t> index;
    for (const auto& m : messages) {
        auto [it, fresh] = index.emplace(reason_kind(m.message), kinds.size());
        if (fresh) {
            kinds.emplace_back(&m, 0);
        }
        kinds[it->second].second += m.count;
    }
    std::stable_sort(kinds.begin(), kinds.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    constexpr std::size_t kShown = 3;
    for (std::size_t k = 0; k < kinds.size() && k < kShown; ++k) {
        out << "    " << kinds[k].first->message
            << (kinds[k].second > 1 ? " (" + std::to_string(kinds[k].second) + "× this kind)" : "")
            << "\n";
    }
    if (kinds.size() > kShown) {
        out << "    … and " << kinds.size() - kShown
            << " other kinds of GDAL message (the --json report lists them)\n";
    }
}

void summarise_values(std::ostringstream& out, const std::vector<ValueNote>& values) {
    std::map<std::tuple<std::string, std::string, std::string>, std::vector<const ValueNote*>>
        groups;
    std::vector<std::tuple<std::string, std::string, std::string>> order;
    for (const auto& v : values) {
        auto key = std::make_tuple(v.role, v.field, reason_kind(v.problem));
        auto& list = groups[key];
        if (list.empty()) {
            order.push_back(key);
        }
        list.push_back(&v);
    }
    for (const auto& key : order) {
        const auto& list = groups[key];
        out << "  " << std::get<0>(key) << "." << std::get<1>(key) << ": " << list.size()
            << " value" << (list.size() == 1 ? "" : "s") << " " << list.front()->problem
            << ", set to null: "
            << first_ids(list,
                         [](const ValueNote* v) {
                             return std::to_string(v->fid) + " ('" + v->value + "')";
                         })
            << "\n";
    }
}

} // namespace

void RunReport::mark(const std::string& stage) {
    const auto now = std::chrono::steady_clock::now();
    const double cpu = process_cpu_seconds();
    timings.emplace_back(stage, std::chrono::duration<double>(now - last_mark).count());
    cpu_timings.push_back(cpu - last_cpu);
    last_mark = now;
    last_cpu = cpu;
}

double RunReport::process_cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

SourceReport* RunReport::source(const std::string& role) {
    for (auto& s : sources) {
        if (s.role == role) {
            return &s;
        }
    }
    return nullptr;
}

nlohmann::json RunReport::to_json() const {
    nlohmann::json j;
    j["project"] = project;
    j["output"] = output;
    j["version"] = version;
    j["started"] = started;
    j["seconds"] = seconds;
    j["sources"] = nlohmann::json::array();
    for (const auto& s : sources) {
        j["sources"].push_back({{"role", s.role},
                                {"path", s.path},
                                {"layer", s.layer},
                                {"crs", s.crs},
                                {"crs_declared", s.crs_declared},
                                {"encoding", s.encoding},
                                {"read", s.read},
                                {"loaded", s.loaded},
                                {"repaired", notes_json(s.repaired)},
                                {"skipped", notes_json(s.skipped)},
                                {"unreadable", notes_json(s.unreadable)},
                                {"converted", notes_json(s.converted)},
                                {"gdal_messages", messages_json(s.gdal_messages)}});
    }
    j["key_links"] = nlohmann::json::array();
    for (const auto& k : key_links) {
        j["key_links"].push_back({{"left", k.left},
                                  {"right", k.right},
                                  {"matched", k.matched},
                                  {"unmatched_left", k.unmatched_left},
                                  {"unmatched_right", k.unmatched_right}});
    }
    j["layers"] = layers;
    j["links"] = links;
    j["values"] = nlohmann::json::array();
    for (const auto& v : values) {
        j["values"].push_back({{"role", v.role},
                               {"fid", v.fid},
                               {"field", v.field},
                               {"value", v.value},
                               {"problem", v.problem}});
    }
    j["notes"] = notes;
    j["timings"] = nlohmann::json::object();
    j["cpu_timings"] = nlohmann::json::object();
    for (std::size_t k = 0; k < timings.size(); ++k) {
        j["timings"][timings[k].first] = timings[k].second;
        j["cpu_timings"][timings[k].first] = k < cpu_timings.size() ? cpu_timings[k] : 0.0;
    }
    return j;
}

std::string RunReport::summary() const {
    std::ostringstream out;
    out << "Wrote " << output << "\n";
    out << "Layers:\n";
    for (const auto& [name, count] : layers) {
        out << "  " << name << ": " << count << " features\n";
    }
    out << "Inputs:\n";
    for (const auto& s : sources) {
        out << "  " << s.role << ": " << s.loaded << " of " << s.read << " features from " << s.path
            << (s.layer.empty() ? "" : " (layer " + s.layer + ")")
            << (s.encoding.empty() ? "" : ", recoded from " + s.encoding) << "\n";
        summarise_notes(out, "repaired", s.repaired);
        summarise_notes(out, "skipped", s.skipped);
        summarise_notes(out, "unreadable", s.unreadable);
        summarise_notes(out, "converted", s.converted);
        summarise_messages(out, s.gdal_messages);
    }
    if (!values.empty()) {
        out << "Values outside their domain (" << values.size() << "):\n";
        summarise_values(out, values);
    }
    if (!links.empty()) {
        out << "Links:\n";
        for (const auto& [name, count] : links) {
            out << "  " << name << ": " << count << "\n";
        }
    }
    for (const auto& k : key_links) {
        out << "Key join " << k.left << " ← " << k.right << ": " << k.matched << " matched";
        if (!k.unmatched_left.empty()) {
            out << "; " << k.unmatched_left.size() << " unmatched in " << k.left << ": "
                << key_list(k.unmatched_left);
        }
        if (!k.unmatched_right.empty()) {
            out << "; " << k.unmatched_right.size() << " unmatched in " << k.right << ": "
                << key_list(k.unmatched_right);
        }
        out << "\n";
    }
    // Identical notes are said once, with a count.
    std::vector<std::pair<std::string, int>> distinct;
    for (const auto& n : notes) {
        auto it = std::find_if(distinct.begin(), distinct.end(),
                               [&n](const auto& d) { return d.first == n; });
        if (it == distinct.end()) {
            distinct.emplace_back(n, 1);
        } else {
            ++it->second;
        }
    }
    for (const auto& [n, count] : distinct) {
        out << "Note: " << n << (count > 1 ? " (" + std::to_string(count) + "×)" : "") << "\n";
    }
    if (!timings.empty()) {
        out << "Timings (wall, CPU):";
        out.precision(2);
        for (std::size_t k = 0; k < timings.size(); ++k) {
            out << " " << timings[k].first << " " << std::fixed << timings[k].second << " s, "
                << (k < cpu_timings.size() ? cpu_timings[k] : 0.0) << " s;";
        }
        out << "\n";
    }
    return out.str();
}

} // namespace creatlas

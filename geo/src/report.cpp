#include "creatlas/report.hpp"

#include <sstream>

namespace creatlas {

namespace {

nlohmann::json notes_json(const std::vector<FeatureNote>& notes) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& n : notes) {
        out.push_back({{"fid", n.fid}, {"reason", n.reason}});
    }
    return out;
}

std::string fid_list(const std::vector<FeatureNote>& notes) {
    std::string out;
    for (const auto& n : notes) {
        out += (out.empty() ? "" : ", ") + std::to_string(n.fid);
    }
    return out;
}

std::string key_list(const std::vector<std::string>& keys) {
    std::string out;
    for (const auto& k : keys) {
        out += (out.empty() ? "" : ", ") + ("'" + k + "'");
    }
    return out;
}

} // namespace

void RunReport::mark(const std::string& stage) {
    const auto now = std::chrono::steady_clock::now();
    timings.emplace_back(stage, std::chrono::duration<double>(now - last_mark).count());
    last_mark = now;
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
                                {"read", s.read},
                                {"loaded", s.loaded},
                                {"repaired", notes_json(s.repaired)},
                                {"skipped", notes_json(s.skipped)},
                                {"unreadable", notes_json(s.unreadable)},
                                {"gdal_messages", s.gdal_messages}});
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
    j["notes"] = notes;
    j["timings"] = nlohmann::json::object();
    for (const auto& [stage, seconds] : timings) {
        j["timings"][stage] = seconds;
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
            << (s.layer.empty() ? "" : " (layer " + s.layer + ")") << "\n";
        if (!s.repaired.empty()) {
            out << "    repaired " << s.repaired.size() << ": fid " << fid_list(s.repaired) << "\n";
        }
        if (!s.skipped.empty()) {
            out << "    skipped " << s.skipped.size() << ": fid " << fid_list(s.skipped) << "\n";
        }
        if (!s.unreadable.empty()) {
            out << "    unreadable geometry " << s.unreadable.size() << ": fid "
                << fid_list(s.unreadable) << "\n";
        }
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
            out << "; unmatched in " << k.left << ": " << key_list(k.unmatched_left);
        }
        if (!k.unmatched_right.empty()) {
            out << "; unmatched in " << k.right << ": " << key_list(k.unmatched_right);
        }
        out << "\n";
    }
    for (const auto& n : notes) {
        out << "Note: " << n << "\n";
    }
    if (!timings.empty()) {
        out << "Timings:";
        out.precision(2);
        for (const auto& [stage, seconds] : timings) {
            out << " " << stage << " " << std::fixed << seconds << " s;";
        }
        out << "\n";
    }
    return out.str();
}

} // namespace creatlas

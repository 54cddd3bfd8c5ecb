// The link stage: joins by key (link.hpp).
#include "creatlas/error.hpp"
#include "creatlas/link.hpp"

#include <map>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace creatlas {

namespace {

std::string key_of(const Row& r, int field) {
    return field < 0 ? std::to_string(r.fid) : as_text(r.values[static_cast<std::size_t>(field)]);
}

} // namespace

void require_unique_keys(const Table& table, const std::string& field) {
    const int idx = table.require_field(field, "key");
    std::vector<std::string> keys;
    keys.reserve(table.rows.size());
    for (const auto& r : table.rows) {
        const std::string raw = key_of(r, idx);
        try {
            keys.push_back(normalise_key(raw));
        } catch (const Error& e) {
            throw_bad_input(e.message(), {table.source, table.layer, r.fid, field});
        }
    }
    // Keys are nearly always unique: a hash set says so without ordering them; only
    // when one repeats are the keys grouped in order, for the message.
    std::unordered_set<std::string_view> distinct;
    distinct.reserve(keys.size());
    bool repeated = false;
    for (const std::string& k : keys) {
        if (!distinct.insert(k).second) {
            repeated = true;
            break;
        }
    }
    if (!repeated) {
        return;
    }
    std::map<std::string_view, std::vector<std::int64_t>> seen;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        seen[keys[i]].push_back(table.rows[i].fid);
    }
    std::string dups;
    std::size_t count = 0;
    for (const auto& [k, fids] : seen) {
        if (fids.size() < 2) {
            continue;
        }
        ++count;
        std::string list;
        for (auto fid : fids) {
            list += (list.empty() ? "" : ", ") + std::to_string(fid);
        }
        dups += (dups.empty() ? "" : "; ") + ("'" + std::string(k) + "' (features " + list + ")");
    }
    if (count > 0) {
        throw_bad_input(std::to_string(count) +
                            " duplicate key(s) where keys must be unique: " + dups,
                        {table.source, table.layer, std::nullopt, field});
    }
}

KeyMatch match_keys(const Table& left, const std::string& left_key, const Table& right,
                    const std::string& right_key, KeyReporting how) {
    const int li = left_key.empty() ? -1 : left.require_field(left_key, "key");
    const int ri = right_key.empty() ? -1 : right.require_field(right_key, "key");
    std::unordered_map<std::string, std::vector<int>> index;
    for (std::size_t i = 0; i < right.rows.size(); ++i) {
        index[normalise_key(key_of(right.rows[i], ri))].push_back(static_cast<int>(i));
    }
    KeyMatch m;
    m.rows.resize(left.rows.size());
    m.report.left = left.name;
    m.report.right = right.name;
    std::vector<bool> used(right.rows.size(), false);
    for (std::size_t i = 0; i < left.rows.size(); ++i) {
        auto it = index.find(normalise_key(key_of(left.rows[i], li)));
        if (it == index.end()) {
            if (how.list_unmatched_left) {
                m.report.unmatched_left.push_back(key_of(left.rows[i], li));
            }
            continue;
        }
        m.rows[i] = it->second;
        m.report.matched += how.count_right ? 0 : 1;
        for (int r : it->second) {
            used[static_cast<std::size_t>(r)] = true;
        }
    }
    for (std::size_t i = 0; i < right.rows.size(); ++i) {
        if (!used[i]) {
            m.report.unmatched_right.push_back(key_of(right.rows[i], ri));
        } else if (how.count_right) {
            ++m.report.matched;
        }
    }
    return m;
}

} // namespace creatlas

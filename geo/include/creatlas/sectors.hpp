// creatlas — creative sectors and the mapping of activity codes to them.
//
// The creative economy is counted by sector: an enterprise's activity code
// ([enterprises] sector_field: an OKVED 2 code, or a code of any classification)
// is mapped to one of twelve creative sectors by the longest matching code
// prefix of a declared mapping ([enterprises] sectors, "prefix=sector"). A code
// no prefix matches, and a missing code, is "other": counted and reported, never
// part of the creative economy's indicators.
//
// The twelve sectors are fixed (they name output fields: ent_<sector>,
// lq_<sector>); the mapping onto them is the project's. The default mapping is
// written for OKVED 2 (OK 029-2014, the Russian classification of economic
// activities harmonised with NACE Rev. 2) after the grouping of the UK DCMS
// Creative Industries Economic Estimates; docs/creative-sectors.md states it with
// its sources (`creatlas indicators --sectors-markdown`).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace creatlas {

/// One creative sector: its id (a field-name suffix) and labels.
struct Sector {
    std::string id;
    std::string label_en;
    std::string label_ru;
};

/// The twelve creative sectors, in their fixed order (the order of the output fields).
const std::vector<Sector>& creative_sectors();
/// Index of a sector id in creative_sectors(); nullopt when unknown.
std::optional<std::size_t> sector_index(const std::string& id);

/// One rule of a mapping: codes starting with `prefix` belong to `sector`
/// (an index in creative_sectors(), or nullopt for an explicit "other").
struct SectorRule {
    std::string prefix;
    std::optional<std::size_t> sector;
};

/// A mapping from activity codes to creative sectors by longest prefix.
class SectorMap {
public:
    SectorMap() = default;
    explicit SectorMap(std::vector<SectorRule> rules);

    /// Parse "prefix=sector" entries (the project file's form); throws
    /// std::invalid_argument naming the entry when one is malformed, names an unknown
    /// sector or repeats a prefix. A sector of "other" excludes the prefix.
    static SectorMap parse(const std::vector<std::string>& entries);

    /// The sector of a code (normalised with normalise_code first); nullopt = other.
    std::optional<std::size_t> classify(const std::string& code) const;

    const std::vector<SectorRule>& rules() const { return rules_; }

private:
    std::vector<SectorRule> rules_; ///< sorted by prefix
};

/// A code as compared: spaces removed, commas read as dots, trailing dots dropped
/// (" 62,01 " → "62.01", "58.11." → "58.11").
std::string normalise_code(const std::string& code);

/// The shipped mapping for OKVED 2, as "prefix=sector" entries.
const std::vector<std::string>& default_sector_entries();

/// docs/creative-sectors.md: the sectors, the default mapping and its sources.
std::string sector_mapping_markdown();

} // namespace creatlas

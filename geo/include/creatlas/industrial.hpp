// creatlas — is a heritage object industrial? Read from its name.
//
// A heritage register names each object by its own type first and then by what it
// belonged to: «Склад», «Трехэтажное каменное здание мельницы», «Могила первого
// директора завода», "Old brewery building", "Warehouse of the Sysert works". The
// object's type — the head noun of the name — decides, not every word in it:
//  - an industrial head (завод, склад, водонапорная башня, mill, warehouse) is industrial;
//  - a non-industrial head (дом, могила, дворец культуры, house, grave) is not, whatever
//    enterprise follows it;
//  - a generic head (здание, корпус, комплекс, building, remains) and a head in none of the
//    lists take the class of their adjectives (производственный корпус, industrial
//    building) and then of what follows them in the genitive («здание завода», "building
//    of the works"; in English also the words before the head: "brewery building").
// Russian puts the head first (after its adjectives), English last. Russian word forms
// are matched through Snowball's Russian stemmer, English ones through a small plural
// rule; docs/indicators.md ("How heritage is recognised as industrial") has the rule in
// full and its measured precision and recall.
//
// A category field, where a source has one, and a planner's override decide before the
// name; the caller applies them (industrial_category_reason, industrial_override_reason
// give their reason text).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace creatlas {

/// The word lists, as a planner writes them in the project file ([industrial]). Every
/// entry is a dictionary form (nominative singular; masculine singular for adjectives),
/// one word or a phrase («водонапорная башня», "power station"), Russian or English.
struct IndustrialVocabulary {
    std::vector<std::string> industrial_heads;     ///< объект is industrial
    std::vector<std::string> generic_heads;        ///< class comes from what follows
    std::vector<std::string> non_industrial_heads; ///< never industrial
    std::vector<std::string> industrial_modifiers; ///< adjectives: производственный
    std::vector<std::string> non_industrial_modifiers; ///< adjectives: жилой
};

/// The defaults of the project schema: general vocabulary of Russian and English heritage
/// registers (no proper names).
const IndustrialVocabulary& default_industrial_vocabulary();

/// What a list entry is.
enum class IndustrialClass : std::uint8_t {
    Industrial,
    Generic,
    NonIndustrial,
    IndustrialModifier,
    NonIndustrialModifier
};

/// One prepared entry: its words as match keys.
struct IndustrialTerm {
    std::string text; ///< as written in the list, case-folded
    IndustrialClass cls = IndustrialClass::Generic;
    std::vector<std::string> keys;   ///< one match key per word (Russian stem, English singular)
    std::vector<std::string> lemmas; ///< the words themselves, case-folded, ё as е
    std::vector<std::string>
        alt_key;        ///< a second key per word for a fleeting vowel (дворец/дворца)
    bool latin = false; ///< written in Latin letters
};

/// The lists with their words prepared for matching (stems computed once). Build one per
/// run and share it; classify_industrial_name only reads it.
class IndustrialRules {
public:
    explicit IndustrialRules(IndustrialVocabulary vocabulary = default_industrial_vocabulary());
    const IndustrialVocabulary& vocabulary() const { return vocabulary_; }
    const std::vector<IndustrialTerm>& terms() const { return terms_; }
    /// Indices of the terms whose first word has this match key (nullptr: none).
    const std::vector<std::size_t>* find(const std::string& key) const;

private:
    IndustrialVocabulary vocabulary_;
    std::vector<IndustrialTerm> terms_;
    std::unordered_map<std::string, std::vector<std::size_t>> index_;
};

/// Which part of the name decided.
enum class IndustrialBasis : std::uint8_t {
    Head,      ///< the head word is in the industrial or non-industrial list
    Modifier,  ///< a generic or unknown head took the class of an adjective or compound part
    Genitive,  ///< a generic or unknown head took the class of what follows it
    Undecided, ///< a generic or unknown head with nothing classed after it: not industrial
    NoHead,    ///< no word to read (empty, numbers, punctuation): not industrial
    Ensemble   ///< undecided by its name, but part of an industrial ensemble
};

struct IndustrialVerdict {
    bool industrial = false;
    /// Which rule and which word decided, e.g. "head «склад»", "generic head «здание» +
    /// «завода»", "non-industrial head «могила»".
    std::string reason;
    IndustrialBasis basis = IndustrialBasis::NoHead;
};

/// Classify one register name (UTF-8; invalid bytes are read as separators). Never throws
/// on any input.
IndustrialVerdict classify_industrial_name(std::string_view name, const IndustrialRules& rules);

/// Ensembles: registers list the parts of one ensemble as separate objects under one
/// address («Лаборатория» beside the mill it served). A verdict that the name left
/// Undecided becomes industrial when another object with the same non-empty key
/// (normalised: trimmed, case-folded) is industrial by its own name. `keys` runs parallel
/// to `verdicts`; keys may be empty (no ensemble).
void apply_industrial_ensembles(std::vector<IndustrialVerdict>& verdicts,
                                const std::vector<std::string>& keys);

/// Reason text when a category field decided: "category 'industrial'".
std::string industrial_category_reason(std::string_view category_value);
/// Reason text when a planner's override decided: "override: <note>" ("override" alone
/// without a note).
std::string industrial_override_reason(std::string_view note);

/// The section "How heritage is recognised as industrial" of docs/indicators.md.
std::string industrial_rule_markdown();

} // namespace creatlas

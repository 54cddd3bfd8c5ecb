// Is a heritage object industrial? The head-noun reading of register names
// (creatlas/industrial.hpp; the rule in full: docs/indicators.md, "How heritage is
// recognised as industrial").
#include "creatlas/industrial.hpp"

#include "creatlas/text.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <libstemmer.h>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utf8proc.h>

namespace creatlas {

namespace {

// --- characters ----------------------------------------------------------------------------

void append_utf8(std::string& out, utf8proc_int32_t cp) {
    std::array<utf8proc_uint8_t, 4> buf{};
    const utf8proc_ssize_t n = utf8proc_encode_char(cp, buf.data());
    out.append(reinterpret_cast<const char*>(buf.data()), static_cast<std::size_t>(n));
}

bool is_cyrillic(utf8proc_int32_t cp) {
    return cp >= 0x0400 && cp <= 0x04FF;
}
bool is_latin(utf8proc_int32_t cp) {
    return (cp >= 'a' && cp <= 'z') || (cp >= 0x00DF && cp <= 0x024F);
}

/// Latin letters that look like Cyrillic ones: data entry in Russian registers mixes them
/// («Завoд» with a Latin o), which no reader sees and no stemmer forgives.
utf8proc_int32_t cyrillic_lookalike(utf8proc_int32_t cp) {
    switch (cp) {
    case 'a':
        return 0x0430;
    case 'c':
        return 0x0441;
    case 'e':
        return 0x0435;
    case 'o':
        return 0x043E;
    case 'p':
        return 0x0440;
    case 'x':
        return 0x0445;
    case 'y':
        return 0x0443;
    case 'k':
        return 0x043A;
    case 'm':
        return 0x043C;
    case 't':
        return 0x0442;
    case 'h':
        return 0x043D;
    case 'b':
        return 0x0432;
    default:
        return -1;
    }
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool ends_with_any(std::string_view s, std::initializer_list<std::string_view> suffixes) {
    return std::any_of(suffixes.begin(), suffixes.end(),
                       [s](std::string_view x) { return ends_with(s, x); });
}

/// The last code point of a UTF-8 string before byte offset `end` (-1 when none).
utf8proc_int32_t code_point_before(std::string_view s, std::size_t end) {
    std::size_t b = end;
    while (b > 0) {
        --b;
        if ((static_cast<unsigned char>(s[b]) & 0xC0U) != 0x80U) {
            break;
        }
    }
    if (b == end) {
        return -1;
    }
    utf8proc_int32_t cp = -1;
    utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + b),
                     static_cast<utf8proc_ssize_t>(end - b), &cp);
    return cp;
}

bool is_russian_vowel(utf8proc_int32_t cp) {
    static constexpr std::array<utf8proc_int32_t, 10> vowels{
        0x0430, 0x0435, 0x0451, 0x0438, 0x043E, 0x0443, 0x044B, 0x044D, 0x044E, 0x044F};
    return std::find(vowels.begin(), vowels.end(), cp) != vowels.end();
}

// --- tokens --------------------------------------------------------------------------------

enum class Tok : std::uint8_t {
    Word,
    Number,
    Comma,
    Colon,
    Semicolon,
    Open,
    Close,
    Quote,
    Dash,
    Period,
    Slash,
    Sign
};

struct Token {
    Tok kind = Tok::Word;
    std::string text;               ///< lower case, as written (for reasons)
    std::vector<std::string> parts; ///< hyphen-separated parts, lower case, ё read as е
    bool latin = false;             ///< the word is written in Latin letters
    bool possessive = false;        ///< English "owner's"
    std::vector<std::string> keys;  ///< match key per part
    std::string whole;              ///< the keys joined by '-'
};

bool is_letter(utf8proc_int32_t cp) {
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
        return true;
    default:
        return false;
    }
}

bool is_digit(utf8proc_int32_t cp) {
    return utf8proc_category(cp) == UTF8PROC_CATEGORY_ND;
}
bool is_mark(utf8proc_int32_t cp) {
    const utf8proc_category_t c = utf8proc_category(cp);
    return c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_ME;
}
bool is_hyphen(utf8proc_int32_t cp) {
    return cp == '-' || cp == 0x2010 || cp == 0x2011;
}
bool is_apostrophe(utf8proc_int32_t cp) {
    return cp == '\'' || cp == 0x2019 || cp == 0x02BC;
}

std::optional<Tok> punctuation(utf8proc_int32_t cp) {
    switch (cp) {
    case ',':
        return Tok::Comma;
    case ':':
        return Tok::Colon;
    case ';':
        return Tok::Semicolon;
    case '(':
    case '[':
    case '{':
        return Tok::Open;
    case ')':
    case ']':
    case '}':
        return Tok::Close;
    case '.':
    case '!':
    case '?':
    case 0x2026: // …
        return Tok::Period;
    case '/':
    case '\\':
    case '|':
        return Tok::Slash;
    case 0x2116: // №
    case '#':
        return Tok::Sign;
    case '"':
    case '\'':
    case 0x00AB: // «
    case 0x00BB: // »
    case 0x2018:
    case 0x2019:
    case 0x201A:
    case 0x201C:
    case 0x201D:
    case 0x201E:
    case 0x2039:
    case 0x203A:
        return Tok::Quote;
    case '-':
    case 0x2010:
    case 0x2011:
    case 0x2012:
    case 0x2013: // –
    case 0x2014: // —
    case 0x2015:
    case 0x2212:
        return Tok::Dash;
    default:
        return std::nullopt;
    }
}

/// Decode UTF-8 into lower-case code points; bytes that are not UTF-8 become spaces, so a
/// bad name reads as separate words and never fails.
std::vector<utf8proc_int32_t> decode_lower(std::string_view text) {
    std::vector<utf8proc_int32_t> cps;
    cps.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        utf8proc_int32_t cp = -1;
        const utf8proc_ssize_t n =
            utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + i),
                             static_cast<utf8proc_ssize_t>(text.size() - i), &cp);
        if (n <= 0) {
            cps.push_back(' ');
            ++i;
            continue;
        }
        cps.push_back(utf8proc_tolower(cp));
        i += static_cast<std::size_t>(n);
    }
    return cps;
}

/// The English match key: lower case without the plural -s, so that "mills" finds "mill"
/// and "factories" "factory". Not Snowball's English stemmer: it reads "works" as "work"
/// and "ironworks" as "ironwork" (railings), and those differ in a heritage register.
std::string english_key(std::string w) {
    if (w.size() <= 3 || ends_with(w, "works") || ends_with_any(w, {"ss", "us", "is", "ics"})) {
        return w;
    }
    if (ends_with(w, "ies")) {
        return w.substr(0, w.size() - 3) + "y";
    }
    if (ends_with_any(w, {"ches", "shes", "sses", "xes", "zes"})) {
        return w.substr(0, w.size() - 2);
    }
    if (ends_with(w, "s")) {
        return w.substr(0, w.size() - 1);
    }
    return w;
}

/// Snowball's Russian stemmer, one per thread (a stemmer keeps its own buffer).
class RussianStemmer {
public:
    RussianStemmer() : stemmer_(sb_stemmer_new("russian", "UTF_8")) {}
    std::string stem(const std::string& word) {
        if (!stemmer_) {
            return word;
        }
        const sb_symbol* s =
            sb_stemmer_stem(stemmer_.get(), reinterpret_cast<const sb_symbol*>(word.data()),
                            static_cast<int>(word.size()));
        if (s == nullptr) {
            return word;
        }
        return {reinterpret_cast<const char*>(s),
                static_cast<std::size_t>(sb_stemmer_length(stemmer_.get()))};
    }

private:
    struct Deleter {
        void operator()(sb_stemmer* s) const { sb_stemmer_delete(s); }
    };
    std::unique_ptr<sb_stemmer, Deleter> stemmer_;
};

std::string russian_key(const std::string& part) {
    thread_local RussianStemmer stemmer;
    return stemmer.stem(part);
}

std::string key_of(const std::string& part, bool latin) {
    return latin ? english_key(part) : russian_key(part);
}

/// Split a name into words, numbers and the punctuation that bounds phrases.
std::vector<Token> tokenize(std::string_view text) {
    const std::vector<utf8proc_int32_t> cps = decode_lower(text);
    std::vector<Token> out;
    const std::size_t n = cps.size();
    std::size_t i = 0;
    while (i < n) {
        const utf8proc_int32_t cp = cps[i];
        if (is_letter(cp)) {
            // A word: letters and digits, joined by hyphens between letters; an apostrophe
            // inside a Latin word ("owner's") ends it as a possessive.
            std::vector<std::vector<utf8proc_int32_t>> parts(1);
            std::size_t cyr = 0;
            std::size_t lat = 0;
            bool possessive = false;
            while (i < n) {
                const utf8proc_int32_t c = cps[i];
                if (is_letter(c) || is_digit(c)) {
                    parts.back().push_back(c);
                    cyr += is_cyrillic(c) ? 1 : 0;
                    lat += is_latin(c) ? 1 : 0;
                    ++i;
                } else if (is_mark(c)) {
                    ++i; // stress marks and other combining marks: not part of the word
                } else if (is_hyphen(c) && i + 1 < n && is_letter(cps[i + 1]) &&
                           !parts.back().empty()) {
                    parts.emplace_back();
                    ++i;
                } else if (is_apostrophe(c) && lat > 0 && cyr == 0) {
                    if (i + 1 < n && cps[i + 1] == 's' && (i + 2 >= n || !is_letter(cps[i + 2]))) {
                        possessive = true;
                        i += 2;
                        break;
                    }
                    if (i + 1 >= n || !is_letter(cps[i + 1])) {
                        possessive = !parts.back().empty() && parts.back().back() == 's';
                        ++i;
                        break;
                    }
                    ++i; // O'Brien: the apostrophe is dropped
                } else {
                    break;
                }
            }
            Token t;
            t.kind = Tok::Word;
            t.latin = lat > cyr;
            t.possessive = possessive;
            for (const auto& p : parts) {
                std::string shown;
                std::string part;
                for (const utf8proc_int32_t c : p) {
                    append_utf8(shown, c);
                    utf8proc_int32_t k = c;
                    if (!t.latin && cyr > 0 && is_latin(c)) {
                        const utf8proc_int32_t look = cyrillic_lookalike(c);
                        k = look >= 0 ? look : c;
                    }
                    append_utf8(part, k == 0x0451 ? 0x0435 : k); // ё is written е as often
                }
                t.text += (t.text.empty() ? "" : "-") + shown;
                t.parts.push_back(part);
            }
            for (const auto& p : t.parts) {
                t.keys.push_back(key_of(p, t.latin));
                t.whole += (t.whole.empty() ? "" : "-") + t.keys.back();
            }
            out.push_back(std::move(t));
            continue;
        }
        if (is_digit(cp)) {
            Token t;
            t.kind = Tok::Number;
            while (i < n && (is_digit(cps[i]) || is_letter(cps[i]))) {
                append_utf8(t.text, cps[i]);
                ++i;
            }
            out.push_back(std::move(t));
            continue;
        }
        if (auto p = punctuation(cp)) {
            Token t;
            t.kind = *p;
            append_utf8(t.text, cp);
            out.push_back(std::move(t));
        }
        ++i;
    }
    return out;
}

// --- Russian word forms --------------------------------------------------------------------

/// How a list word declines, read from its dictionary form. Only the genitive matters: the
/// chain after a head is a chain of genitives («здание завода»), and the same stem in
/// another case («выпущенная заводом») says something else.
enum class Declension : std::uint8_t { Masculine, FeminineA, Neuter, SoftSign, Adjective, Plural };

bool adjective_form(std::string_view w) {
    if (ends_with_any(w, {"ый", "ая", "яя", "ое", "ее", "ые", "ой"})) {
        return true;
    }
    if (ends_with(w, "ий")) {
        // Adjectives: -ский, -кий, -жий, -ний; nouns: санаторий, планетарий.
        const utf8proc_int32_t before = code_point_before(w, w.size() - std::string("ий").size());
        static constexpr std::array<utf8proc_int32_t, 8> adj_stems{
            0x043A, 0x0433, 0x0445, 0x0436, 0x0448, 0x0447, 0x0449, 0x043D}; // к г х ж ш ч щ н
        return std::find(adj_stems.begin(), adj_stems.end(), before) != adj_stems.end();
    }
    if (ends_with(w, "ие")) {
        // здание, сооружение, общежитие (a vowel before -ние/-тие) are nouns; каменные,
        // городские, древние are adjectives.
        const std::size_t cut = w.size() - std::string("ие").size();
        const utf8proc_int32_t before = code_point_before(w, cut);
        if ((before == 0x043D || before == 0x0442) && cut >= 2) { // н т
            const std::size_t cut2 = cut - std::string("н").size();
            return !is_russian_vowel(code_point_before(w, cut2));
        }
        return before != 0x044C; // -ье: noun
    }
    return false;
}

/// Is `adjective` a nominative form agreeing with the noun `noun` in gender and number?
bool agrees_with(std::string_view adjective, std::string_view noun) {
    if (!adjective_form(adjective)) {
        return false;
    }
    if (ends_with_any(noun, {"а", "я"})) {
        return ends_with_any(adjective, {"ая", "яя"});
    }
    if (ends_with_any(noun, {"о", "е", "ё"})) {
        return ends_with_any(adjective, {"ое", "ее"});
    }
    if (ends_with_any(noun, {"ы", "и"})) {
        return ends_with_any(adjective, {"ые", "ие"});
    }
    return ends_with_any(adjective, {"ый", "ий", "ой"});
}

Declension declension_of(std::string_view lemma) {
    if (adjective_form(lemma)) {
        return Declension::Adjective;
    }
    if (ends_with_any(lemma, {"ы", "и"})) {
        return Declension::Plural;
    }
    if (ends_with_any(lemma, {"а", "я"})) {
        return Declension::FeminineA;
    }
    if (ends_with_any(lemma, {"о", "е", "ё"})) {
        return Declension::Neuter;
    }
    if (ends_with(lemma, "ь")) {
        return Declension::SoftSign;
    }
    return Declension::Masculine;
}

/// Endings that are never the genitive: instrumental, dative, prepositional.
bool other_case_ending(std::string_view w) {
    return ends_with_any(w, {"ом", "ем", "ами", "ями", "ыми", "ими", "ым", "им", "ою", "ею", "ью",
                             "ах", "ях", "ам", "ям"});
}

/// Can `form` be the genitive of the list word `lemma`? The dictionary form itself is the
/// nominative (except for indeclinable words: депо, бюро).
bool genitive_of(std::string_view form, std::string_view lemma) {
    const Declension d = declension_of(lemma);
    if (form == lemma) {
        return d == Declension::Neuter && ends_with(lemma, "о"); // депо, бюро
    }
    if (d == Declension::Adjective) {
        return ends_with_any(form, {"ого", "его", "ой", "ей", "ых", "их"});
    }
    if (other_case_ending(form)) {
        return false;
    }
    switch (d) {
    case Declension::Masculine:
        return ends_with_any(form, {"а", "я", "ов", "ев", "ей"});
    case Declension::FeminineA: {
        // Genitive singular -ы/-и; plural without ending (фабрик, мельниц) or -ий (типографий).
        const std::string_view bare = lemma.substr(0, lemma.size() - std::string("а").size());
        return ends_with_any(form, {"ы", "и", "ий"}) || form == bare;
    }
    case Declension::Neuter:
        return ends_with_any(form, {"а", "я", "ий"});
    case Declension::SoftSign:
        return ends_with_any(form, {"и", "я", "ей"});
    case Declension::Plural:
        return !ends_with_any(form, {"ы", "и"});
    case Declension::Adjective:
        break;
    }
    return false;
}

// --- lists ---------------------------------------------------------------------------------

/// Short function words that end a phrase: prepositions, conjunctions, relative words,
/// "named after". A genitive chain never runs through them.
bool stop_word(const Token& t) {
    static const std::array<std::string_view, 56> words{
        // Russian
        "в", "во", "на", "с", "со", "к", "ко", "у", "о", "об", "обо", "от", "до", "по", "за", "из",
        "под", "над", "при", "про", "для", "без", "через", "между", "перед", "около", "возле",
        "близ", "вдоль", "напротив", "после", "среди", "и", "или", "а", "но", "как", "где", "когда",
        "что", "им", "имени", "ныне", "затем",
        // English
        "in", "at", "on", "near", "by", "for", "with", "from", "and", "or", "which", "where"};
    if (t.kind != Tok::Word || t.parts.size() != 1) {
        return false;
    }
    const std::string& w = t.parts.front();
    if (std::find(words.begin(), words.end(), w) != words.end()) {
        return true;
    }
    // который, которая, в котором, …; "that", "to", "into", "under", "behind", "opposite".
    static const std::array<std::string_view, 8> more{"that",   "to",     "into",     "under",
                                                      "behind", "beside", "opposite", "whose"};
    return w.rfind("котор", 0) == 0 || std::find(more.begin(), more.end(), w) != more.end();
}

/// Numerals and determiners before a head: read past them.
bool skip_word(const Token& t) {
    static const std::array<std::string_view, 22> words{
        "один",  "одна", "два",  "две",       "три", "четыре", "пять", "шесть",
        "семь",  "оба",  "обе",  "несколько", "the", "a",      "an",   "two",
        "three", "four", "five", "several",   "no",  "nr"};
    return t.kind == Tok::Word && t.parts.size() == 1 &&
           std::find(words.begin(), words.end(), t.parts.front()) != words.end();
}

bool is_initial(const std::vector<Token>& toks, std::size_t i) {
    return toks[i].kind == Tok::Word && code_points(toks[i].text) == 1 && i + 1 < toks.size() &&
           toks[i + 1].kind == Tok::Period;
}

} // namespace

const IndustrialVocabulary& default_industrial_vocabulary() {
    // General vocabulary of heritage registers (the Russian unified register's naming and
    // English listing practice); no proper names. Sources of the word senses: the Russian
    // national corpus usage of each term, and Historic England's thesaurus of monument
    // types for the English ones.
    static const IndustrialVocabulary v{
        // industrial_heads: production, its technical infrastructure, storage, depots
        {"завод", "фабрика", "мануфактура", "комбинат", "цех", "мельница", "мукомольня",
         "лесопилка", "лесопильня", "пивоварня", "солодовня", "винокурня", "маслобойня",
         "сыроварня", "мыловарня", "солеварня", "варница", "салотопня", "кожевня", "красильня",
         "прядильня", "ткацкая", "рукодельня", "пекарня", "хлебопекарня", "бойня", "типография",
         "литейная", "кузница", "мастерская", "кладовая", "склад", "пакгауз", "амбар", "лабаз",
         "зернохранилище", "хлебный магазин", "хлебозапасный магазин", "элеватор", "депо",
         "автобаза", "автобусный парк", "трамвайный парк", "троллейбусный парк", "электростанция",
         "гэс", "тэц", "грэс", "подстанция", "котельная", "водонапорная башня", "водокачка",
         "насосная станция", "насосная", "газгольдер", "градирня", "дымовая труба", "плотина",
         "водосброс", "шлюз", "рудник", "шахта", "копер", "штольня", "прииск", "карьер", "домна",
         "доменная печь", "верфь", "монетный двор", "проходная", "заводоуправление",
         "фабрика-кухня",
         // English
         "factory", "works", "mill", "plant", "brewery", "distillery", "maltings", "malthouse",
         "brewhouse", "warehouse", "storehouse", "granary", "barn", "depot", "bus garage",
         "power station", "power plant", "powerhouse", "substation", "boiler house", "engine house",
         "engine shed", "roundhouse", "pump house", "pumphouse", "pumping station", "water tower",
         "waterworks", "gasworks", "gasholder", "workshop", "dam", "weir", "printing works",
         "printing house", "elevator", "grain elevator", "silo", "foundry", "forge", "smithy",
         "kiln", "furnace", "mine", "colliery", "headframe", "quarry", "tannery", "mint",
         "shipyard", "dockyard", "refinery", "smelter", "bakery", "slaughterhouse", "abattoir",
         "chimney", "cooling tower"},
        // generic_heads: a kind of building or a part; the class comes from what follows
        {"здание", "здания и сооружения", "корпус", "комплекс", "ансамбль", "сооружение",
         "строение", "постройка", "флигель", "пристрой", "пристройка", "крыло", "объект", "остатки",
         "руины", "развалины", "фрагмент", "часть", "территория", "группа", "помещение", "башня",
         "управление",
         // English
         "building", "block", "complex", "ensemble", "structure", "remains", "ruin", "wing",
         "annex", "annexe", "range", "site", "group", "premises", "tower", "hall"},
        // non_industrial_heads: dwelling, social, religious, memorial, trade, transport
        // stations, urban fabric, and persons (a building "of a person" is not production)
        {"дом", "особняк", "усадьба", "дача", "изба", "общежитие", "барак", "казарма", "казармы",
         "гостиница", "отель", "номера", "трактир", "ресторан", "кафе", "столовая", "клуб",
         "дворец", "дворец культуры", "дом культуры", "театр", "кинотеатр", "цирк", "музей",
         "библиотека", "архив", "школа", "гимназия", "училище", "институт", "университет",
         "академия", "техникум", "семинария", "лицей", "детский сад", "ясли", "приют", "богадельня",
         "больница", "госпиталь", "лазарет", "поликлиника", "клиника", "амбулатория", "санаторий",
         "диспансер", "аптека", "баня", "церковь", "храм", "собор", "часовня", "монастырь",
         "мечеть", "синагога", "костел", "кирха", "колокольня", "звонница", "могила", "захоронение",
         "надгробие", "кладбище", "некрополь", "мемориал", "памятник", "монумент", "бюст",
         "обелиск", "скульптура", "стела", "мемориальная доска", "памятный знак", "магазин",
         "лавка", "торговые ряды", "ряды", "пассаж", "рынок", "гостиный двор", "банк", "биржа",
         "почтамт", "почта", "телеграф", "вокзал", "мост", "стадион", "парк", "сад", "сквер",
         "бульвар", "фонтан", "ограда", "ворота", "решетка", "беседка", "управа", "дума", "суд",
         "тюрьма", "острог", "пожарная часть", "пожарное депо", "остановка", "автостанция",
         "автобусная станция", "каланча", "казначейство", "присутственные места", "собрание",
         "редакция", "обсерватория", "конюшня", "квартал", "застройка", "поселок", "слобода",
         "улица", "площадь", "купец", "фабрикант", "заводчик", "промышленник", "владелец",
         "директор", "инженер", "мастер", "рабочий", "служащий",
         // English
         "house", "mansion", "villa", "manor", "estate", "cottage", "dwelling", "residence",
         "hostel", "dormitory", "barracks", "hotel", "inn", "tavern", "restaurant", "cafe",
         "canteen", "club", "palace", "palace of culture", "house of culture", "theatre", "theater",
         "cinema", "circus", "museum", "library", "archive", "school", "gymnasium", "college",
         "institute", "university", "academy", "seminary", "kindergarten", "orphanage", "almshouse",
         "hospital", "infirmary", "clinic", "sanatorium", "pharmacy", "bathhouse", "church",
         "cathedral", "chapel", "monastery", "convent", "abbey", "mosque", "synagogue", "temple",
         "belfry", "bell tower", "grave", "tomb", "burial", "cemetery", "necropolis", "memorial",
         "monument", "bust", "obelisk", "statue", "sculpture", "plaque", "shop", "market", "arcade",
         "bank", "exchange", "post office", "telegraph", "telephone exchange", "station",
         "railway station", "bridge", "stadium", "bus stop", "shelter", "park", "garden", "square",
         "fountain", "fence", "gate", "railing", "gazebo", "courthouse", "court", "prison",
         "fire station", "town hall", "city hall", "observatory", "stable", "earthworks", "owner",
         "merchant", "manufacturer", "industrialist", "director", "engineer", "worker", "manager"},
        // industrial_modifiers: adjectives that make a generic head industrial
        {"производственный", "промышленный", "заводской", "фабричный", "цеховой", "складской",
         "котельный", "силовой", "машинный", "механический", "электрический", "литейный",
         "плавильный", "кузнечный", "прокатный", "доменный", "мартеновский", "прядильный",
         "ткацкий", "красильный", "сушильный", "мукомольный", "мельничный", "пивоваренный",
         "медоваренный", "винокуренный", "кожевенный", "лесопильный", "столярный", "слесарный",
         "токарный", "ремонтный", "паровозный", "водонапорный", "насосный", "водопроводный",
         "очистной", "трансформаторный", "дымовой", "рукодельный", "швейный", "гончарный",
         "бытовой", "автобусный", "трамвайный", "троллейбусный",
         // English
         "industrial", "manufacturing", "production", "storage", "pumping", "milling", "brewing",
         "printing", "spinning", "weaving", "smelting", "mining", "engine", "machine", "boiler"},
        // non_industrial_modifiers: adjectives that make a generic head not industrial
        {"жилой", "доходный", "учебный", "лечебный", "больничный", "медицинский", "торговый",
         "церковный", "школьный", "мемориальный", "гостиничный", "усадебный", "банковский",
         "почтовый", "телефонный", "спортивный", "театральный",
         // English
         "residential", "domestic", "educational", "medical", "commercial", "religious", "memorial",
         "apartment"}};
    return v;
}

IndustrialRules::IndustrialRules(IndustrialVocabulary vocabulary)
    : vocabulary_(std::move(vocabulary)) {
    const std::array<std::pair<const std::vector<std::string>*, IndustrialClass>, 5> lists{{
        {&vocabulary_.industrial_heads, IndustrialClass::Industrial},
        {&vocabulary_.generic_heads, IndustrialClass::Generic},
        {&vocabulary_.non_industrial_heads, IndustrialClass::NonIndustrial},
        {&vocabulary_.industrial_modifiers, IndustrialClass::IndustrialModifier},
        {&vocabulary_.non_industrial_modifiers, IndustrialClass::NonIndustrialModifier},
    }};
    for (const auto& [list, cls] : lists) {
        for (const std::string& entry : *list) {
            IndustrialTerm term;
            term.cls = cls;
            for (const Token& t : tokenize(entry)) {
                if (t.kind != Tok::Word) {
                    continue;
                }
                std::string key;
                std::string lemma;
                for (std::size_t p = 0; p < t.parts.size(); ++p) {
                    key += (p == 0 ? "" : "-") + t.keys[p];
                    lemma += (p == 0 ? "" : "-") + t.parts[p];
                }
                // Masculine nouns in -ец/-ок lose the vowel when declined (дворец/дворца,
                // рынок/рынка) and Snowball keeps both stems apart; so does церковь/церкви.
                std::string alt;
                if (!t.latin && t.parts.size() == 1) {
                    const std::string& w = t.parts.front();
                    for (const auto& [end, repl] :
                         std::array<std::pair<std::string_view, std::string_view>, 4>{
                             {{"ец", "ц"}, {"ок", "к"}, {"ек", "к"}, {"овь", "в"}}}) {
                        if (ends_with(w, end) && code_points(w) > 4) {
                            alt =
                                russian_key(w.substr(0, w.size() - end.size()) + std::string(repl));
                        }
                    }
                }
                term.keys.push_back(key);
                term.lemmas.push_back(lemma);
                term.alt_key.push_back(alt);
                term.latin = t.latin;
                term.text += (term.text.empty() ? "" : " ") + t.text;
            }
            if (term.keys.empty()) {
                continue; // an entry of punctuation only: nothing to match
            }
            index_[term.keys.front()].push_back(terms_.size());
            if (!term.alt_key.front().empty()) {
                index_[term.alt_key.front()].push_back(terms_.size());
            }
            terms_.push_back(std::move(term));
        }
    }
}

const std::vector<std::size_t>* IndustrialRules::find(const std::string& key) const {
    const auto it = index_.find(key);
    return it == index_.end() ? nullptr : &it->second;
}

namespace {

enum class How : std::uint8_t { Exact, Part, Compound };

struct Match {
    const IndustrialTerm* term = nullptr;
    std::size_t length = 0; ///< tokens consumed
    How how = How::Exact;
    /// For a compound whose own head is in no list («заводоуправление» with управление
    /// unlisted): the list word it starts with, which then acts as its genitive.
    const IndustrialTerm* prefix = nullptr;
};

/// Does a word token match one word of a list term?
std::optional<How> word_matches(const Token& t, const IndustrialTerm& term, std::size_t w) {
    const std::string& key = term.keys[w];
    if (t.whole == key || (!term.alt_key[w].empty() && t.whole == term.alt_key[w])) {
        return How::Exact;
    }
    if (term.keys.size() != 1 || key.find('-') != std::string::npos) {
        return std::nullopt;
    }
    if (t.keys.size() > 1) {
        // A hyphenated compound: Russian puts the head first («фабрика-кухня»,
        // «дом-музей»), adjectives inflect the last part («кузнечно-прессовый»); English
        // puts the head last ("brew-house").
        if (t.latin ? t.keys.back() == key : (t.keys.front() == key || t.keys.back() == key)) {
            return How::Part;
        }
        return std::nullopt;
    }
    // A closed compound ends in its head: хлебозавод, гидроэлектростанция, Уралмашзавод,
    // sawmill, ironworks. Only list words of four letters and more, and only after two
    // letters of prefix, so that сад does not end фасад.
    const std::string& k = t.keys.front();
    if (code_points(term.lemmas[w]) >= 4 && k.size() > key.size() && ends_with(k, key) &&
        code_points(k.substr(0, k.size() - key.size())) >= 2) {
        return How::Compound;
    }
    return std::nullopt;
}

/// The best list term starting at token i: the longest phrase, then an exact word before a
/// part or a compound, then the longer key.
bool is_head_class(IndustrialClass c) {
    return c == IndustrialClass::Industrial || c == IndustrialClass::Generic ||
           c == IndustrialClass::NonIndustrial;
}

/// The longer phrase, then an exact word before a part or a compound, then the longer key.
bool better_match(const Match& a, const Match& b) {
    if (a.length != b.length) {
        return a.length > b.length;
    }
    if (a.how != b.how) {
        return static_cast<int>(a.how) < static_cast<int>(b.how);
    }
    return a.term->keys.front().size() > b.term->keys.front().size();
}

Match match_at(const std::vector<Token>& toks, std::size_t i, const IndustrialRules& rules) {
    Match best;
    Match best_head;
    Match best_modifier;
    if (i >= toks.size() || toks[i].kind != Tok::Word) {
        return best;
    }
    // Candidates: terms whose first key is the word's key, one of its hyphen parts, or
    // an ending of it (a closed compound).
    const Token& t0 = toks[i];
    std::vector<std::size_t> candidates;
    auto add = [&](const std::string& key) {
        if (const auto* found = rules.find(key)) {
            candidates.insert(candidates.end(), found->begin(), found->end());
        }
    };
    add(t0.whole);
    if (t0.keys.size() > 1) {
        add(t0.keys.front());
        add(t0.keys.back());
    } else if (!t0.keys.empty()) {
        const std::string& k = t0.keys.front();
        std::size_t cps = 0;
        for (std::size_t at = 0; at < k.size(); ++at) {
            if ((static_cast<unsigned char>(k[at]) & 0xC0U) == 0x80U) {
                continue;
            }
            if (cps >= 2) {
                add(k.substr(at));
            }
            ++cps;
        }
    }
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    for (const std::size_t c : candidates) {
        const IndustrialTerm& term = rules.terms()[c];
        const std::size_t len = term.keys.size();
        if (i + len > toks.size()) {
            continue;
        }
        std::optional<How> first;
        bool ok = true;
        for (std::size_t w = 0; w < len && ok; ++w) {
            const Token& t = toks[i + w];
            if (t.kind != Tok::Word) {
                ok = false;
                break;
            }
            auto h = word_matches(t, term, w);
            ok = h.has_value() && (len == 1 || *h == How::Exact || w == 0);
            if (ok && w == 0) {
                first = h;
            }
        }
        if (!ok) {
            continue;
        }
        const Match m{&term, len, *first, nullptr};
        Match& slot = is_head_class(term.cls) ? best_head : best_modifier;
        if (slot.term == nullptr || better_match(m, slot)) {
            slot = m;
        }
    }
    // A noun and its adjective share a stem (рукодельня, рукодельный; котельная, котельный):
    // the adjective reading wins for an adjective form that is not the noun itself
    // («Котельное отделение», «Корпус рукодельный»).
    if (best_head.term != nullptr && best_modifier.term != nullptr &&
        best_head.length == best_modifier.length) {
        const Token& t = toks[i];
        const bool adjective = !t.latin && adjective_form(t.parts.back()) &&
                               t.parts.back() != best_head.term->lemmas.front();
        best = adjective ? best_modifier : best_head;
    } else if (best_head.term == nullptr ||
               (best_modifier.term != nullptr && best_modifier.length > best_head.length)) {
        best = best_modifier;
    } else {
        best = best_head;
    }
    if (best.term == nullptr && !toks[i].latin && toks[i].keys.size() == 1) {
        // «заводоуправление» = управление завода: a list word, a linking vowel, a head.
        const std::string& w = toks[i].parts.front();
        for (std::size_t at = 0; at + 2 <= w.size() && best.prefix == nullptr; ++at) {
            const std::string_view link = std::string_view(w).substr(at, 2);
            if (link != "о" && link != "е") {
                continue;
            }
            // The rest must be a word of its own: at least three letters.
            if (code_points(std::string_view(w).substr(at + 2)) < 3) {
                break;
            }
            if (const auto* found = rules.find(w.substr(0, at))) {
                for (const std::size_t c : *found) {
                    const IndustrialTerm& term = rules.terms()[c];
                    if (term.keys.size() == 1 && !term.latin &&
                        (term.cls == IndustrialClass::Industrial ||
                         term.cls == IndustrialClass::NonIndustrial) &&
                        code_points(term.lemmas.front()) >= 4) {
                        best.prefix = &term;
                        break;
                    }
                }
            }
        }
    }
    return best;
}

std::string quoted(std::string_view s) {
    return "«" + std::string(s) + "»";
}

std::string span_text(const std::vector<Token>& toks, std::size_t b, std::size_t len) {
    std::string s;
    for (std::size_t k = b; k < b + len && k < toks.size(); ++k) {
        s += (s.empty() ? "" : " ") + toks[k].text;
    }
    return s;
}

/// One decision inside a segment of the name.
struct Decision {
    std::optional<bool> industrial; ///< nullopt: undecided
    std::string reason;
    IndustrialBasis basis = IndustrialBasis::Undecided;
};

/// What a class word or an adjective says when it follows (or modifies) a generic head.
std::optional<bool> says(IndustrialClass c) {
    switch (c) {
    case IndustrialClass::Industrial:
    case IndustrialClass::IndustrialModifier:
        return true;
    case IndustrialClass::NonIndustrial:
    case IndustrialClass::NonIndustrialModifier:
        return false;
    case IndustrialClass::Generic:
        break;
    }
    return std::nullopt;
}

Decision decide_by(const std::string& head_text, std::string_view head_kind, bool industrial,
                   const std::string& word, IndustrialBasis basis, bool modifier) {
    Decision d;
    d.industrial = industrial;
    d.basis = basis;
    d.reason = std::string(head_kind) + " head " + quoted(head_text) + " + " +
               (industrial ? "" : "non-industrial ") + (modifier ? "modifier " : "") + quoted(word);
    return d;
}

/// Where reading a Russian name stands: the adjectives met so far, the head, and the
/// token after it.
struct RussianReading {
    std::vector<Match> modifiers;
    std::vector<std::size_t> modifier_at;
    Match head;
    std::size_t head_at = 0; ///< e when no head was found
    std::size_t i = 0;       ///< next token to read
    bool seen_word = false;
};

/// Russian names put the head first, after its adjectives, numerals and the like: find
/// it (a word in a head list, or the first word in no list that is not an adjective,
/// participle or numeral), keeping the adjectives met on the way.
RussianReading find_russian_head(const std::vector<Token>& toks, std::size_t b, std::size_t e,
                                 const IndustrialRules& rules) {
    RussianReading r;
    r.head_at = e;
    std::vector<Match>& modifiers = r.modifiers;
    std::vector<std::size_t>& modifier_at = r.modifier_at;
    Match& head = r.head;
    std::size_t& head_at = r.head_at;
    bool& seen_word = r.seen_word;
    std::size_t i = b;
    bool after_numeral = false;
    while (i < e) {
        const Token& t = toks[i];
        if (t.kind == Tok::Open && !seen_word) {
            while (i < e && toks[i].kind != Tok::Close) {
                ++i;
            }
            ++i;
            continue;
        }
        if (t.kind != Tok::Word) {
            if (seen_word && t.kind != Tok::Quote && t.kind != Tok::Number && t.kind != Tok::Sign) {
                break;
            }
            ++i;
            continue;
        }
        seen_word = true;
        const Match m = match_at(toks, i, rules);
        if (m.term != nullptr && is_head_class(m.term->cls)) {
            head = m;
            head_at = i;
            i += m.length;
            break;
        }
        if (m.term != nullptr) {
            modifiers.push_back(m);
            modifier_at.push_back(i);
            i += m.length;
            continue;
        }
        if (stop_word(t)) {
            break;
        }
        if (skip_word(t)) {
            after_numeral = true;
            ++i;
            continue;
        }
        // Adjectives and participles before the head; after a numeral they stand in the
        // genitive plural («Два каменных склада»).
        if (!t.latin && (adjective_form(t.parts.back()) ||
                         (after_numeral && ends_with_any(t.parts.back(), {"ых", "их"})))) {
            ++i;
            continue;
        }
        head = m; // a word in no list: the head, unknown
        head_at = i;
        ++i;
        break;
    }
    r.i = i;
    return r;
}

/// After the head, the adjectives that agree with it in the nominative: «Корпус
/// рукодельный», «Башня водонапорная» (but «Здание заводской больницы»: a genitive).
void read_trailing_adjectives(const std::vector<Token>& toks, std::size_t e,
                              const IndustrialRules& rules, RussianReading& r) {
    const std::string& head_form = toks[r.head_at].parts.front();
    std::size_t& i = r.i;
    while (i < e && toks[i].kind == Tok::Word && !stop_word(toks[i])) {
        const Match m = match_at(toks, i, rules);
        const bool agreeing = !toks[i].latin && agrees_with(toks[i].parts.back(), head_form);
        if (m.term != nullptr && !is_head_class(m.term->cls) && agreeing) {
            r.modifiers.push_back(m);
            r.modifier_at.push_back(i);
            i += m.length;
        } else if (m.term == nullptr && agreeing) {
            ++i;
        } else {
            break;
        }
    }
}

/// The genitive chain after a generic or unknown head: «здание конторы … завода».
/// Adjectives in the genitive wait for their noun; a generic or unlisted noun passes
/// the reading on; a class word decides.
Decision read_genitive_chain(const std::vector<Token>& toks, std::size_t i, std::size_t e,
                             const IndustrialRules& rules, const std::string& head_text,
                             std::string_view kind) {
    std::optional<std::pair<bool, std::string>> pending;
    while (i < e) {
        const Token& t = toks[i];
        if (t.kind == Tok::Number || t.kind == Tok::Sign || t.kind == Tok::Quote) {
            ++i;
            continue;
        }
        if (t.kind != Tok::Word) {
            break;
        }
        if (is_initial(toks, i)) {
            i += 2;
            continue;
        }
        if (stop_word(t)) {
            break;
        }
        const Match m = match_at(toks, i, rules);
        if (m.term != nullptr) {
            const std::string& form = t.parts.front();
            const bool gen = m.term->latin || m.term->lemmas.front().find('-') != std::string::npos
                                 ? true
                                 : genitive_of(form, m.term->lemmas.front());
            if (!gen) {
                break;
            }
            const std::string word = span_text(toks, i, m.length);
            if (m.term->cls == IndustrialClass::Industrial ||
                m.term->cls == IndustrialClass::NonIndustrial) {
                return decide_by(head_text, kind, m.term->cls == IndustrialClass::Industrial, word,
                                 IndustrialBasis::Genitive, false);
            }
            if (m.term->cls == IndustrialClass::Generic) {
                if (pending) {
                    return decide_by(head_text, kind, pending->first, pending->second,
                                     IndustrialBasis::Genitive, true);
                }
            } else {
                pending = std::make_pair(m.term->cls == IndustrialClass::IndustrialModifier, word);
            }
            i += m.length;
            continue;
        }
        if (t.latin) {
            ++i; // a Latin word in a Russian name (a numeral, a brand): read past it
            continue;
        }
        const std::string& w = t.parts.back();
        if (other_case_ending(w) || (adjective_form(w) && !ends_with(w, "ой"))) {
            break; // not a genitive: a participle, an instrumental («заводом»), a new phrase
        }
        if (ends_with_any(w, {"ого", "его", "ой", "ей", "ых", "их"})) {
            ++i; // an adjective in the genitive
            continue;
        }
        if (m.prefix != nullptr) {
            if (auto s = says(m.prefix->cls)) {
                return decide_by(head_text, kind, *s, t.text, IndustrialBasis::Genitive, false);
            }
        }
        if (pending) {
            return decide_by(head_text, kind, pending->first, pending->second,
                             IndustrialBasis::Genitive, true);
        }
        ++i; // an unlisted noun in the genitive: the chain goes on
    }
    if (pending) {
        // An adjective that no noun followed is one used as a noun: «Здание котельной».
        return decide_by(head_text, kind, pending->first, pending->second,
                         IndustrialBasis::Genitive, false);
    }
    Decision d;
    d.basis = IndustrialBasis::Undecided;
    d.reason = std::string(kind) + " head " + quoted(head_text) + ", nothing classed follows";
    return d;
}

/// Russian: the head comes first, after its adjectives, numerals and the like; then its
/// adjectives after it («Башня водонапорная»); then the genitive chain.
Decision read_russian(const std::vector<Token>& toks, std::size_t b, std::size_t e,
                      const IndustrialRules& rules) {
    RussianReading r = find_russian_head(toks, b, e, rules);
    const std::vector<Match>& modifiers = r.modifiers;
    const std::vector<std::size_t>& modifier_at = r.modifier_at;
    const Match& head = r.head;
    const std::size_t head_at = r.head_at;
    const bool seen_word = r.seen_word;
    if (head_at == e) {
        // No noun: a lone adjective used as a noun («Бытовая») or nothing at all.
        if (!modifiers.empty()) {
            const Match& m = modifiers.back();
            Decision d;
            d.industrial = says(m.term->cls).value_or(false);
            d.basis = IndustrialBasis::Modifier;
            d.reason = std::string(*d.industrial ? "" : "non-industrial ") + "modifier " +
                       quoted(span_text(toks, modifier_at.back(), m.length)) + " used as a noun";
            return d;
        }
        Decision d;
        d.basis = IndustrialBasis::NoHead;
        d.reason = seen_word ? "no head noun" : "no industrial head";
        return d;
    }
    const std::size_t head_len = head.term != nullptr ? head.length : 1;
    const std::string head_text = span_text(toks, head_at, head_len);
    if (head.term != nullptr && head.term->cls == IndustrialClass::Industrial) {
        return {true, "head " + quoted(head_text), IndustrialBasis::Head};
    }
    if (head.term != nullptr && head.term->cls == IndustrialClass::NonIndustrial) {
        return {false, "non-industrial head " + quoted(head_text), IndustrialBasis::Head};
    }
    const std::string_view kind = head.term != nullptr ? "generic" : "unknown";
    read_trailing_adjectives(toks, e, rules, r);
    for (std::size_t k = 0; k < modifiers.size(); ++k) {
        if (auto s = says(modifiers[k].term->cls)) {
            return decide_by(head_text, kind, *s,
                             span_text(toks, modifier_at[k], modifiers[k].length),
                             IndustrialBasis::Modifier, true);
        }
    }
    if (head.prefix != nullptr) {
        if (auto s = says(head.prefix->cls)) {
            return decide_by(head_text, kind, *s, head.prefix->text, IndustrialBasis::Modifier,
                             false);
        }
    }
    return read_genitive_chain(toks, r.i, e, rules, head_text, kind);
}

/// English: the head is the last noun of its phrase; the words before it modify it ("old
/// brewery building"), a possessive before it names the owner ("mill owner's house"), and
/// "of" opens the genitive ("warehouse of the X works").
struct EnglishPhrase {
    std::vector<Match> units; ///< list matches, or empty matches for unlisted words
    std::vector<std::size_t> at;
    std::vector<bool> possessive;
    std::size_t end = 0; ///< first token after the phrase
};

EnglishPhrase english_phrase(const std::vector<Token>& toks, std::size_t i, std::size_t e,
                             const IndustrialRules& rules) {
    EnglishPhrase p;
    while (i < e) {
        const Token& t = toks[i];
        if (t.kind == Tok::Quote) {
            ++i;
            continue;
        }
        if (t.kind != Tok::Word) {
            break;
        }
        const Match m = match_at(toks, i, rules);
        if (m.term == nullptr && (stop_word(t) || t.parts.front() == "of")) {
            break;
        }
        if (m.term == nullptr && skip_word(t)) {
            ++i;
            continue;
        }
        p.units.push_back(m);
        p.at.push_back(i);
        const std::size_t len = m.term != nullptr ? m.length : 1;
        p.possessive.push_back(toks[i + len - 1].possessive);
        i += len;
        if (p.possessive.back()) {
            continue;
        }
    }
    p.end = i;
    return p;
}

std::size_t unit_length(const Match& m) {
    return m.term != nullptr ? m.length : 1;
}

Decision read_english(const std::vector<Token>& toks, std::size_t b, std::size_t e,
                      const IndustrialRules& rules) {
    EnglishPhrase p = english_phrase(toks, b, e, rules);
    while (p.units.empty() && p.end < e) {
        p = english_phrase(toks, p.end + 1, e, rules);
    }
    if (p.units.empty()) {
        return {std::nullopt, "no industrial head", IndustrialBasis::NoHead};
    }
    const std::size_t h = p.units.size() - 1;
    const Match& head = p.units[h];
    const std::string head_text = span_text(toks, p.at[h], unit_length(head));
    if (head.term != nullptr && head.term->cls == IndustrialClass::Industrial) {
        return {true, "head " + quoted(head_text), IndustrialBasis::Head};
    }
    if (head.term != nullptr && head.term->cls == IndustrialClass::NonIndustrial) {
        return {false, "non-industrial head " + quoted(head_text), IndustrialBasis::Head};
    }
    const std::string_view kind =
        head.term != nullptr && head.term->cls == IndustrialClass::Generic ? "generic" : "unknown";
    // Modifiers, nearest first, up to a possessive; then the possessive owner; then "of".
    auto read_modifiers = [&](const EnglishPhrase& q, std::size_t from,
                              bool stop_at_possessive) -> std::optional<Decision> {
        for (std::size_t k = from; k-- > 0;) {
            if (stop_at_possessive && q.possessive[k]) {
                return std::nullopt;
            }
            if (q.units[k].term == nullptr) {
                continue;
            }
            if (auto s = says(q.units[k].term->cls)) {
                return decide_by(head_text, kind, *s,
                                 span_text(toks, q.at[k], unit_length(q.units[k])),
                                 IndustrialBasis::Modifier, true);
            }
        }
        return std::nullopt;
    };
    if (auto d = read_modifiers(p, h, true)) {
        return *d;
    }
    auto read_owner = [&](const EnglishPhrase& q, std::size_t last) -> std::optional<Decision> {
        const Match& o = q.units[last];
        if (o.term != nullptr) {
            if (auto s = says(o.term->cls); s && is_head_class(o.term->cls)) {
                return decide_by(head_text, kind, *s, span_text(toks, q.at[last], unit_length(o)),
                                 IndustrialBasis::Genitive, false);
            }
        }
        for (std::size_t k = last; k-- > 0;) {
            if (q.units[k].term == nullptr) {
                continue;
            }
            if (auto s = says(q.units[k].term->cls)) {
                return decide_by(head_text, kind, *s,
                                 span_text(toks, q.at[k], unit_length(q.units[k])),
                                 IndustrialBasis::Genitive, true);
            }
        }
        return std::nullopt;
    };
    for (std::size_t k = h; k-- > 0;) {
        if (p.possessive[k]) {
            if (auto d = read_owner(p, k)) {
                return *d;
            }
            break;
        }
    }
    std::size_t i = p.end;
    while (i < e) {
        while (i < e &&
               (toks[i].kind == Tok::Number || toks[i].kind == Tok::Sign ||
                toks[i].kind == Tok::Period || toks[i].kind == Tok::Quote || skip_word(toks[i]))) {
            ++i;
        }
        if (i >= e || toks[i].kind != Tok::Word || toks[i].parts.front() != "of") {
            break;
        }
        const EnglishPhrase q = english_phrase(toks, i + 1, e, rules);
        if (q.units.empty()) {
            break;
        }
        if (auto d = read_owner(q, q.units.size() - 1)) {
            return *d;
        }
        i = q.end;
    }
    Decision d;
    d.basis = IndustrialBasis::Undecided;
    d.reason = std::string(kind) + " head " + quoted(head_text) + ", nothing classed follows";
    return d;
}

Decision read_segment(const std::vector<Token>& toks, std::size_t b, std::size_t e,
                      const IndustrialRules& rules) {
    for (std::size_t i = b; i < e; ++i) {
        if (toks[i].kind == Tok::Word) {
            return toks[i].latin ? read_english(toks, b, e, rules)
                                 : read_russian(toks, b, e, rules);
        }
    }
    return {std::nullopt, "no industrial head", IndustrialBasis::NoHead};
}

} // namespace

IndustrialVerdict classify_industrial_name(std::string_view name, const IndustrialRules& rules) {
    const std::vector<Token> toks = tokenize(name);
    // "Whole: part" («Завод медеплавильный: производственный корпус»): the object is the part;
    // the whole speaks only when the part leaves it undecided.
    std::size_t colon = toks.size();
    for (std::size_t i = 0; i < toks.size(); ++i) {
        if (toks[i].kind == Tok::Colon) {
            colon = i;
            break;
        }
    }
    Decision d;
    if (colon < toks.size()) {
        const Decision part = read_segment(toks, colon + 1, toks.size(), rules);
        d = part;
        if (!part.industrial) {
            const Decision whole = read_segment(toks, 0, colon, rules);
            if (whole.industrial) {
                d = whole;
                d.reason = (part.basis == IndustrialBasis::NoHead ? "" : part.reason + ", ") +
                           "part of: " + whole.reason;
            } else if (part.basis == IndustrialBasis::NoHead) {
                d = whole;
            }
        }
    } else {
        d = read_segment(toks, 0, toks.size(), rules);
    }
    return {d.industrial.value_or(false), d.reason, d.basis};
}

void apply_industrial_ensembles(std::vector<IndustrialVerdict>& verdicts,
                                const std::vector<std::string>& keys) {
    auto norm = [](const std::string& k) {
        std::string s;
        for (const utf8proc_int32_t cp : decode_lower(k)) {
            append_utf8(s, cp);
        }
        const auto first = s.find_first_not_of(" \t\r\n");
        const auto last = s.find_last_not_of(" \t\r\n");
        return first == std::string::npos ? std::string() : s.substr(first, last - first + 1);
    };
    // The ensemble's purpose, by the vote of the parts that their names decide.
    std::map<std::string, std::pair<int, int>> votes; // key -> (industrial, not industrial)
    const std::size_t n = std::min(verdicts.size(), keys.size());
    std::vector<std::string> normed(n);
    for (std::size_t i = 0; i < n; ++i) {
        normed[i] = norm(keys[i]);
        const IndustrialBasis b = verdicts[i].basis;
        if (normed[i].empty() || b == IndustrialBasis::Undecided || b == IndustrialBasis::NoHead ||
            b == IndustrialBasis::Ensemble) {
            continue;
        }
        auto& [yes, no] = votes[normed[i]];
        (verdicts[i].industrial ? yes : no) += 1;
    }
    for (std::size_t i = 0; i < n; ++i) {
        if (verdicts[i].basis != IndustrialBasis::Undecided || normed[i].empty()) {
            continue;
        }
        const auto it = votes.find(normed[i]);
        if (it != votes.end() && it->second.first > 0 && it->second.first >= it->second.second) {
            verdicts[i].industrial = true;
            verdicts[i].basis = IndustrialBasis::Ensemble;
            verdicts[i].reason += ", in an industrial ensemble";
        }
    }
}

std::string industrial_rule_markdown() {
    // Written by hand, kept here so that docs/indicators.md stays one generated file; the
    // real-data test (tests/realdata) checks that the figures below are the measured ones.
    return R"(## How heritage is recognised as industrial

`is_industrial` is decided, in this order, by a planner's override, by the source's
category field mapped through `[industrial] category_values`, and otherwise by the
object's name. `industrial_reason` says which rule and which word decided:
`override: <note>`, `category 'industrial'`, `head «склад»`,
`generic head «здание» + «завода»`, `non-industrial head «могила»`, …

### What counts as industrial

The object's own function decides — what it was built for, or what the name says it was
used for in a period — not the enterprise it is connected to:

- **industrial**: plants, factories, works and their shops and production buildings;
  mills, breweries, distilleries, printing works, refineries, a mint; power stations,
  boiler houses, chimneys, water towers, pumping stations, dams and spillways; warehouses,
  storerooms and storage barns; workshops (a school's or a monastery's too); transport
  depots and their garages; the operational buildings of a works site named as such
  (works management, works office, entrance checkpoint, works laboratory); ruins of any
  of these. A production complex counts as a whole even with a dwelling in it.
- **not industrial**, whatever enterprise it belonged to: houses, mansions and estates
  (with their outbuildings), workers' and employees' housing, hospitals (a works hospital
  too), schools and institutes, clubs and palaces of culture, churches, monuments, busts,
  graves, shops, banks, offices of the city or of trusts, post and telephone buildings,
  railway stations, bridges, fences, gates and gardens; a house that only hosted an
  activity (an underground press) stays a house.

### The rule for names

A register name starts with the object's own type and then says what it belonged to, in
the genitive: «Склад», «Трехэтажное каменное здание мельницы», «Могила директора
завода». English names put the type last in their first phrase and the owner after
"of" or before a possessive: "Old brewery building", "Mill owner's house", "Warehouse of
the X works". So the **head** of the first phrase decides:

1. An **industrial head** (`industrial_heads`: завод, фабрика, цех, мельница, склад,
   депо, электростанция, котельная, водонапорная башня, мастерские, плотина,
   типография, пивоварня, элеватор, …; factory, works, mill, warehouse, power station,
   water tower, …) makes the site industrial.
2. A **non-industrial head** (`non_industrial_heads`: дом, особняк, усадьба, могила,
   памятник, бюст, дворец культуры, госпиталь, больница, школа, церковь, магазин, банк,
   вокзал, …; house, mansion, grave, monument, church, school, hospital, palace of
   culture, …; and persons: купец, фабрикант, owner, worker) makes it not industrial,
   whatever follows.
3. A **generic head** (`generic_heads`: здание, корпус, комплекс, здания и сооружения,
   флигель, остатки, …; building, block, complex, remains, …) — and a head in no list,
   read the same way and named "unknown" in the reason — takes the class of
   - its adjectives (`industrial_modifiers`: производственный, котельный, сушильный, …;
     `non_industrial_modifiers`: жилой, учебный, …; in English the words before the head,
     list nouns included: "brewery building", "hospital building"), then
   - its genitive chain: the genitives that follow it («здание конторы … завода»), where
     the first class word decides, a generic or unlisted noun passes the reading on, and
     an adjective waits for its noun («здание силового отделения»). The chain ends at
     a comma, a colon, a parenthesis, a dash, a preposition or conjunction, a relative
     word («в котором», "which"), and at any word that is not a genitive: an
     instrumental («выпущенная заводом» is *made by* the works, not *of* it), a
     nominative adjective or participle. In English the chain is what follows "of" and
     what stands before a possessive.
4. Otherwise the site is not industrial (reason `… nothing classed follows`, or
   `no industrial head` when the name has no word).

Details that follow from how the names are written:

- **Word forms.** Russian words are compared by their Snowball stems (Debian's
  libstemmer), so a list word written once in its dictionary form matches its cases and
  numbers; whether a form is a genitive is read from its ending, by the list word's
  declension (завод: -а, -ов; фабрика: -и, -ø; здание: -я, -ий; котельная: -ой, -ых).
  Nouns that drop a vowel (дворец/дворца, церковь/церкви) match both stems. English words
  are compared without their plural -s — not through a stemmer, which would read
  "works" as "work" and "ironworks" (a plant) as "ironwork" (railings). ё is read as е,
  and Latin look-alike letters inside a Cyrillic word as Cyrillic.
- **Adjectives** before a Russian head are read past, nominative ones after it count
  when they agree with it («Башня водонапорная», «Корпус рукодельный»; not «Здание
  заводской больницы», a genitive). A noun and its adjective can share a stem (котельная,
  котельный): an adjective form other than the noun itself reads as the adjective. An
  adjective with no noun after it is one used as a noun («Здание котельной»).
- **Compounds.** A closed compound ends in its head: хлебозавод, гидроэлектростанция,
  Уралмашзавод, sawmill, ironworks (list words of four letters and more, after a prefix
  of two letters or more). A Russian compound with a linking vowel whose head is in no
  list takes its first part as the genitive: заводоуправление = управление завода.
  Hyphenated Russian nouns take their first part as the head (фабрика-кухня, дом-музей),
  hyphenated adjectives their parts (кузнечно-прессовый); English ones their last part.
- **«Whole: part».** After a colon the object is the part («Завод медеплавильный:
  производственный корпус»); the whole decides only when the part leaves it undecided.
- Quotation marks, numbers, «№» and initials are read past; a quoted company name in the
  genitive chain is part of it.

**Ensembles** (`[heritage] ensemble_field`, e.g. the address): registers list the parts of
one ensemble as separate objects, and a part named only by a generic or unlisted type
(«Лаборатория», «Стена корпуса») is a part of what the ensemble is. Such a
part is industrial when at least as many of the ensemble's parts are industrial by their
names as not (ties go to industrial: monuments and graves gather on works squares more
than production buildings appear among houses). Only undecided names change.

### Measured on a real register

Yekaterinburg's heritage register (`../shared/data/ekb-heritage/ekb-okn.json`, 753 objects)
against hand labels of every object made by a person who read each name, with the
address and neighbouring objects as context where the name alone was unclear
(`tests/fixtures/ekb_industrial_labels.csv`: id, label, basis; 58 industrial):

| rule | precision | recall |
|---|---|---|
| the old keyword rule (a keyword anywhere in the name) | 0.708 (17/24) | 0.293 (17/58) |
| names alone | 1.000 (50/50) | 0.862 (50/58) |
| names, ensembles by address | 1.000 (53/53) | 0.914 (53/58) |

Reproduce: `ctest --test-dir build/dev -L realdata -V` (configure with
`-DCREATLAS_SHARED_DATA=DIR` when the data is not at `../shared/data`); it prints the
figures and the id and reason of every error, and fails below precision 0.95 or recall
0.90.

The five industrial objects still missed, by id: 358 (a hotel building the name says held
furniture production for a period, said after the head's genitive chain has ended on
«гостиницы»), 492 (a «дом» of draughtsmen, labelled from its neighbours on a works
site; a «дом» head is not industrial), 731 (a gold-smelting laboratory: «лаборатория»
is in no list, and labs are mostly research), 732 (an outbuilding of that laboratory, in
an ensemble with no part industrial by its name) and 749 (wall remains whose only
neighbour at its address is a gate). Names alone also miss 16, 494 and 707 (a laboratory,
a wall of a main building, a laboratory), which the ensemble rule recovers.

**Generality.** The lists hold only general vocabulary of heritage registers, no proper
names. The unit tests hold names composed for them in the way Russian and English
registers write them, none from this register (`IndustrialHeldOut` in
`tests/unit/industrial_test.cpp`): the first batch of 79 was 78 right at its first run,
and its miss («Здание заводской больницы») prompted two general fixes (adjectives after
the head must agree with it; an adjective with no noun after it is read as a noun); a
second batch of 35, written after those fixes, was 34 right at its first run — the miss
was a missing word (солеварня, now listed).

**What the measurement prompted.** The rule was designed from how register names are
written; the labelled industrial names and the labelling rule were read before the lists
were written, so these entries were chosen knowing this register: проходная, кладовая,
бытовой, рукодельный, сушильный, силовой, электрический, and reading quoted names through
in the genitive chain. Measuring then prompted: (1) the adjective reading of a word whose
noun shares its stem (рукодельный, id 479); (2) the ensemble rule for ids 16, 494, 707 —
its first form (any industrial part makes undecided parts industrial) gave seven false
positives in estates, a convent and a school with one industrial part each, hence the
vote; (3) transport adjectives (автобусный, трамвайный, троллейбусный) as industrial
modifiers for depots and garages (id 730), with stops and bus stations listed as
non-industrial heads so that they are not read as depots.
)";
}

std::string industrial_category_reason(std::string_view category_value) {
    return "category '" + std::string(category_value) + "'";
}

std::string industrial_override_reason(std::string_view note) {
    return note.empty() ? std::string("override") : "override: " + std::string(note);
}

} // namespace creatlas

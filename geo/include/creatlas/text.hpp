// creatlas — text as every stage compares it.
//
// Keys, category values and names are compared normalised: trimmed, composed to
// Unicode NFC and case-folded, so that " C03 " in a spreadsheet matches "c03" in
// a GeoPackage, and «Ё» typed two ways matches itself.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace creatlas {

/// Trim white space (and no-break spaces), compose to Unicode NFC and case-fold.
/// Invalid UTF-8 is an error (the check stage lets none through).
std::string normalise_key(std::string_view key);

/// True when `text` is well-formed UTF-8 (RFC 3629: no overlong forms, surrogates
/// or code points beyond U+10FFFF).
bool is_valid_utf8(std::string_view text);

/// The number of characters (Unicode code points) in UTF-8 text: every byte that
/// is not a continuation byte (10xxxxxx) starts one. The text is not validated
/// (is_valid_utf8 does that); malformed text counts its non-continuation bytes.
std::size_t code_points(std::string_view text);

} // namespace creatlas

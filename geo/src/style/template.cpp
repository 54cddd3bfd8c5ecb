// The small template language of styles/ (a subset of Mustache) and the text
// helpers shared by the style writer and the report.
#include "creatlas/error.hpp"
#include "creatlas/style.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace creatlas {

std::string styles_dir() {
    if (const char* env = std::getenv("CREATLAS_STYLES_DIR"); env && *env) {
        return env;
    }
    return CREATLAS_STYLES_DIR;
}

namespace style_detail {

using nlohmann::json;

namespace {

std::string read_partial(const std::string& name, const std::string& origin) {
    // Partials are named by file name only: no path may climb out of partials/.
    if (name.find('/') != std::string::npos || name.find("..") != std::string::npos) {
        throw Error(ErrorKind::Internal, "bad partial name '" + name + "'", {origin, "", {}, ""});
    }
    const std::string path = styles_dir() + "/partials/" + name;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw Error(ErrorKind::Io, "cannot read style partial '" + path + "'",
                    {origin, "", {}, ""});
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

const json* lookup(const std::vector<const json*>& stack, const std::string& name) {
    if (name == ".") {
        return stack.back();
    }
    for (auto it = stack.rbegin(); it != stack.rend(); ++it) {
        if ((*it)->is_object()) {
            auto found = (*it)->find(name);
            if (found != (*it)->end()) {
                return &*found;
            }
        }
    }
    return nullptr;
}

bool truthy(const json* value) {
    if (value == nullptr || value->is_null()) {
        return false;
    }
    if (value->is_boolean()) {
        return value->get<bool>();
    }
    if (value->is_array() || value->is_string() || value->is_object()) {
        return !value->empty();
    }
    return true;
}

std::string as_text(const json& value) {
    if (value.is_string()) {
        return value.get<std::string>();
    }
    if (value.is_boolean()) {
        return value.get<bool>() ? "1" : "0";
    }
    if (value.is_number_integer()) {
        return std::to_string(value.get<std::int64_t>());
    }
    if (value.is_number_float()) {
        char buffer[64];
        auto result = std::to_chars(buffer, buffer + sizeof buffer, value.get<double>());
        return std::string(buffer, result.ptr);
    }
    return value.dump();
}

std::string trim(const std::string& text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string::npos) {
        return "";
    }
    const auto last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

// A tag that stands alone on its line (sections, partials) takes its line
// break with it, so that templates can be laid out readably without leaving
// blank lines in the output.
bool at_line_start(const std::string& text, std::size_t pos) {
    return pos == 0 || text[pos - 1] == '\n';
}

std::size_t skip_newline(const std::string& text, std::size_t pos, bool standalone) {
    if (standalone && pos < text.size() && text[pos] == '\n') {
        return pos + 1;
    }
    return pos;
}

struct Renderer {
    const std::string& origin;
    int depth = 0;

    void render(const std::string& text, std::vector<const json*>& stack, std::string& out) {
        if (++depth > 32) {
            throw Error(ErrorKind::Internal, "templates nested too deeply", {origin, "", {}, ""});
        }
        std::size_t pos = 0;
        while (pos < text.size()) {
            const std::size_t open = text.find("{{", pos);
            if (open == std::string::npos) {
                out.append(text, pos, std::string::npos);
                break;
            }
            out.append(text, pos, open - pos);
            const std::size_t close = text.find("}}", open + 2);
            if (close == std::string::npos) {
                throw Error(ErrorKind::Internal, "unclosed '{{' in template", {origin, "", {}, ""});
            }
            const std::string tag = trim(text.substr(open + 2, close - open - 2));
            const bool standalone = at_line_start(text, open);
            pos = close + 2;
            if (tag.empty()) {
                throw Error(ErrorKind::Internal, "empty '{{}}' in template", {origin, "", {}, ""});
            }
            const char sigil = tag[0];
            if (sigil == '#' || sigil == '^') {
                const std::string name = trim(tag.substr(1));
                const std::size_t body_start = skip_newline(text, pos, standalone);
                const auto [body_end, after] = find_close(text, body_start, name);
                const std::string body = text.substr(body_start, body_end - body_start);
                pos = after;
                const json* value = lookup(stack, name);
                if (sigil == '^') {
                    if (!truthy(value)) {
                        render(body, stack, out);
                    }
                } else if (truthy(value)) {
                    if (value->is_array()) {
                        for (const json& item : *value) {
                            stack.push_back(&item);
                            render(body, stack, out);
                            stack.pop_back();
                        }
                    } else {
                        stack.push_back(value);
                        render(body, stack, out);
                        stack.pop_back();
                    }
                }
            } else if (sigil == '/') {
                throw Error(ErrorKind::Internal, "unmatched '{{" + tag + "}}' in template",
                            {origin, "", {}, ""});
            } else if (sigil == '>') {
                render(read_partial(trim(tag.substr(1)), origin), stack, out);
                pos = skip_newline(text, pos, standalone);
            } else {
                const bool raw = sigil == '&';
                const std::string name = raw ? trim(tag.substr(1)) : tag;
                const json* value = lookup(stack, name);
                if (value == nullptr) {
                    throw Error(ErrorKind::Internal, "template value '" + name + "' is not defined",
                                {origin, "", {}, ""});
                }
                const std::string text_value = as_text(*value);
                out += raw ? text_value : escape_xml(text_value);
            }
        }
        --depth;
    }

    // Where the section `name` opened before `from` closes: the position of its
    // "{{/name}}" and the position after it (with a standalone line break).
    std::pair<std::size_t, std::size_t> find_close(const std::string& text, std::size_t from,
                                                   const std::string& name) {
        int nesting = 1;
        std::size_t pos = from;
        while (true) {
            const std::size_t open = text.find("{{", pos);
            if (open == std::string::npos) {
                throw Error(ErrorKind::Internal, "section '" + name + "' is not closed",
                            {origin, "", {}, ""});
            }
            const std::size_t close = text.find("}}", open + 2);
            if (close == std::string::npos) {
                throw Error(ErrorKind::Internal, "unclosed '{{' in template", {origin, "", {}, ""});
            }
            const std::string tag = trim(text.substr(open + 2, close - open - 2));
            pos = close + 2;
            if (tag.size() > 1 && (tag[0] == '#' || tag[0] == '^') && trim(tag.substr(1)) == name) {
                ++nesting;
            } else if (tag.size() > 1 && tag[0] == '/' && trim(tag.substr(1)) == name) {
                if (--nesting == 0) {
                    return {open, skip_newline(text, pos, at_line_start(text, open))};
                }
            }
        }
    }
};

} // namespace

std::string render_template(const std::string& text, const json& context,
                            const std::string& origin) {
    std::vector<const json*> stack{&context};
    std::string out;
    out.reserve(text.size() * 2);
    Renderer renderer{origin};
    renderer.render(text, stack, out);
    return out;
}

std::vector<double> quantile_breaks(std::vector<double> values, int classes) {
    std::vector<double> bounds;
    if (values.empty() || classes < 1) {
        return bounds;
    }
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    bounds.push_back(values.front());
    for (int i = 1; i < classes; ++i) {
        // Linear interpolation between closest ranks over positions 0 … n-1.
        const double position = static_cast<double>(i) / classes * static_cast<double>(n - 1);
        const auto below = static_cast<std::size_t>(std::floor(position));
        const std::size_t above = std::min(below + 1, n - 1);
        const double fraction = position - static_cast<double>(below);
        bounds.push_back(values[below] + fraction * (values[above] - values[below]));
    }
    bounds.push_back(values.back());
    bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
    if (bounds.size() == 1) {
        // All values equal: one class that holds them all.
        bounds.push_back(bounds.front());
    }
    return bounds;
}

std::string escape_xml(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

std::string qgis_colour(const std::string& hex, int alpha) {
    if (hex.size() != 7 || hex[0] != '#') {
        throw Error(ErrorKind::Internal, "colour '" + hex + "' is not #RRGGBB");
    }
    int channel[3];
    for (int i = 0; i < 3; ++i) {
        const char* begin = hex.data() + 1 + 2 * i;
        auto result = std::from_chars(begin, begin + 2, channel[i], 16);
        if (result.ec != std::errc{} || result.ptr != begin + 2) {
            throw Error(ErrorKind::Internal, "colour '" + hex + "' is not #RRGGBB");
        }
    }
    return std::to_string(channel[0]) + "," + std::to_string(channel[1]) + "," +
           std::to_string(channel[2]) + "," + std::to_string(std::clamp(alpha, 0, 255));
}

std::string to_hex(const std::string& bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out += digits[c >> 4];
        out += digits[c & 0x0f];
    }
    return out;
}

} // namespace style_detail
} // namespace creatlas

#include "creatlas/error.hpp"

#include "creatlas/postgis.hpp"

namespace creatlas {

std::string format_context(const ErrorContext& context) {
    std::string out;
    auto add = [&out](const std::string& part) {
        if (!out.empty()) {
            out += ", ";
        }
        out += part;
    };
    if (!context.file.empty()) {
        add("file '" + context.file + "'");
    }
    if (!context.layer.empty()) {
        add("layer '" + context.layer + "'");
    }
    if (context.feature_id) {
        add("feature " + std::to_string(*context.feature_id));
    }
    if (!context.field.empty()) {
        add("field '" + context.field + "'");
    }
    return out;
}

namespace {
std::string full_message(const std::string& message, const ErrorContext& context) {
    const std::string where = format_context(context);
    return where.empty() ? message : where + ": " + message;
}
} // namespace

namespace {
/// A connection string in a message or a context loses its password here, once
/// for every error of the core (postgis.hpp).
ErrorContext redacted(ErrorContext context) {
    context.file = redact_password(context.file);
    return context;
}

std::string redacted(std::string text) {
    text = redact_password(text);
    return text;
}
} // namespace

Error::Error(ErrorKind kind, std::string message, ErrorContext context)
    : std::runtime_error(full_message(redacted(message), redacted(context))), kind_(kind),
      message_(redacted(std::move(message))), context_(redacted(std::move(context))) {}

} // namespace creatlas

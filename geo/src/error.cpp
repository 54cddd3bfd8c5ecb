#include "creatlas/error.hpp"

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

Error::Error(ErrorKind kind, std::string message, ErrorContext context)
    : std::runtime_error(full_message(message, context)), kind_(kind), message_(std::move(message)),
      context_(std::move(context)) {}

} // namespace creatlas

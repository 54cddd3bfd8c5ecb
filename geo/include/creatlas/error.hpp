// creatlas — errors with context.
//
// Every failure inside the core is thrown as creatlas::Error. It carries what a
// planner needs to find the problem in their own data: the file, the layer, the
// feature id and the field, when they apply. Errors are thrown inside and
// translated once at each edge: the CLI maps them to a message and an exit code,
// the pybind11 module to a Python exception, the plugin to QgsProcessingException.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace creatlas {

/// What kind of failure: decides the CLI's exit code.
enum class ErrorKind {
    BadInput,  ///< the user's data or project file is wrong (exit 1)
    Usage,     ///< the command line is wrong (exit 2)
    Io,        ///< a file could not be read or written (exit 1)
    Cancelled, ///< the run was cancelled by the caller (exit 1)
    Internal,  ///< a bug: should not happen (exit 1)
};

/// Where in the input an error was found. Every member is optional.
struct ErrorContext {
    std::string file;
    std::string layer;
    std::optional<std::int64_t> feature_id;
    std::string field;
};

/// The one error type of the core.
class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, std::string message, ErrorContext context = {});

    ErrorKind kind() const noexcept { return kind_; }
    const ErrorContext& context() const noexcept { return context_; }
    /// The bare message, without the context prefix that what() carries.
    const std::string& message() const noexcept { return message_; }

private:
    ErrorKind kind_;
    std::string message_;
    ErrorContext context_;
};

/// "file 'a.csv', layer 'x', feature 12, field 'y': " (only the parts that are set).
std::string format_context(const ErrorContext& context);

[[noreturn]] inline void throw_bad_input(std::string message, ErrorContext context = {}) {
    throw Error(ErrorKind::BadInput, std::move(message), std::move(context));
}

} // namespace creatlas

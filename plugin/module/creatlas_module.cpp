// The Python face of the creatlas core, for the QGIS plugin (module `_creatlas`).
//
// The module is deliberately thin: it hands the plugin the core's own
// declarations (project-file schema, geometry policies, indicator catalogue,
// version) so that the plugin builds its parameters and help from them, and it
// runs a project given as TOML text. creatlas::Error is translated here, once,
// into the Python exception `CreatlasError` (the plugin turns that into a
// QgsProcessingException).
//
// Threads and the GIL: the run happens with the GIL released, so QGIS stays
// responsive; the progress and cancel callbacks re-acquire it to call Python.
// The core copies its Progress callbacks freely (Progress::sub), possibly on
// worker threads, so the callbacks capture only a shared_ptr to a holder of the
// Python objects: copying them never touches a Python reference count.
#include "creatlas/draft.hpp"
#include "creatlas/error.hpp"
#include "creatlas/pipeline.hpp"
#include "creatlas/progress.hpp"
#include "creatlas/project.hpp"
#include "creatlas/version.hpp"

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#if __has_include("creatlas/measure.hpp")
#include "creatlas/measure.hpp"
#endif

#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace py = pybind11;

namespace {

const char* kind_name(creatlas::ErrorKind kind) {
    switch (kind) {
    case creatlas::ErrorKind::BadInput:
        return "bad_input";
    case creatlas::ErrorKind::Usage:
        return "usage";
    case creatlas::ErrorKind::Io:
        return "io";
    case creatlas::ErrorKind::Cancelled:
        return "cancelled";
    case creatlas::ErrorKind::Internal:
        return "internal";
    }
    return "internal";
}

const char* key_type_name(creatlas::KeyType type) {
    switch (type) {
    case creatlas::KeyType::String:
        return "string";
    case creatlas::KeyType::Number:
        return "number";
    case creatlas::KeyType::Integer:
        return "integer";
    case creatlas::KeyType::Boolean:
        return "boolean";
    case creatlas::KeyType::StringList:
        return "string_list";
    case creatlas::KeyType::NumberList:
        return "number_list";
    }
    return "string";
}

/// The Python exception classes, created once at import (owned by the module).
py::object& error_class() {
    static py::object cls;
    return cls;
}
py::object& cancelled_class() {
    static py::object cls;
    return cls;
}

/// Raise `CreatlasError` (or its subclass `CreatlasCancelled`) carrying the
/// core's message, kind and context as attributes.
void raise_python(const creatlas::Error& error) {
    const auto& ctx = error.context();
    py::object cls =
        error.kind() == creatlas::ErrorKind::Cancelled ? cancelled_class() : error_class();
    py::object exc = cls(py::str(error.what()));
    exc.attr("kind") = kind_name(error.kind());
    exc.attr("message") = error.message();
    exc.attr("file") = ctx.file;
    exc.attr("layer") = ctx.layer;
    exc.attr("feature_id") =
        ctx.feature_id ? py::object(py::int_(*ctx.feature_id)) : py::object(py::none());
    exc.attr("field") = ctx.field;
    PyErr_SetObject(cls.ptr(), exc.ptr());
}

/// Holds the Python callbacks of one run. Destroyed with the GIL held (the
/// destructor takes it: the last copy may be dropped by a core thread).
struct PyCallbacks {
    py::object progress; ///< callable(fraction: float, stage: str) or None
    py::object cancel;   ///< callable() -> bool or None
    /// A Python exception raised inside a callback: the run is stopped (as a
    /// cancellation) and this exception is re-raised instead of the core's.
    std::optional<py::error_already_set> failure;
    std::mutex failure_mutex;

    ~PyCallbacks() {
        py::gil_scoped_acquire gil;
        progress = py::object();
        cancel = py::object();
        failure.reset();
    }

    void remember(py::error_already_set&& e) {
        std::lock_guard lock(failure_mutex);
        if (!failure) {
            failure.emplace(std::move(e));
        }
    }
    bool failed() {
        std::lock_guard lock(failure_mutex);
        return failure.has_value();
    }
};

/// Run a project given as TOML text. Returns the run report as JSON text.
std::string run(const std::string& text, const std::string& base_dir, const std::string& origin,
                const std::string& output, bool overwrite, py::object progress, py::object cancel,
                bool write_report, const std::string& schema) {
    const creatlas::Project project = creatlas::parse_project(text, base_dir, origin);
    creatlas::RunOptions options;
    options.output = output;
    options.overwrite = overwrite;
    options.report = write_report;
    options.schema = schema;

    auto holder = std::make_shared<PyCallbacks>();
    holder->progress = std::move(progress);
    holder->cancel = std::move(cancel);

    creatlas::Progress::Callback on_progress;
    if (!holder->progress.is_none()) {
        on_progress = [holder](double fraction, const std::string& stage) {
            if (holder->failed()) {
                return;
            }
            py::gil_scoped_acquire gil;
            try {
                holder->progress(fraction, stage);
            } catch (py::error_already_set& e) {
                holder->remember(std::move(e));
            }
        };
    }
    creatlas::Progress::CancelCheck is_cancelled = [holder]() {
        if (holder->failed()) {
            return true;
        }
        if (holder->cancel.is_none()) {
            return false;
        }
        py::gil_scoped_acquire gil;
        try {
            return holder->cancel().cast<bool>();
        } catch (py::error_already_set& e) {
            holder->remember(std::move(e));
            return true;
        }
    };

    std::string report;
    try {
        // Declared before the release so that it is destroyed with the GIL held.
        const creatlas::Progress run_progress(std::move(on_progress), std::move(is_cancelled));
        py::gil_scoped_release release;
        report = creatlas::run_project(project, options, run_progress).to_json().dump(2);
    } catch (const creatlas::Error& error) {
        if (holder->failed()) {
            std::lock_guard lock(holder->failure_mutex);
            holder->failure->restore();
            holder->failure.reset();
            throw py::error_already_set();
        }
        throw;
    }
    return report;
}

py::list sections() {
    py::list out;
    for (const auto& s : creatlas::project_sections()) {
        py::dict d;
        d["name"] = s.name;
        d["meaning"] = s.meaning;
        d["required"] = s.required;
        d["is_source"] = s.is_source;
        out.append(d);
    }
    return out;
}

py::list schema() {
    py::list out;
    for (const auto& k : creatlas::project_schema()) {
        py::dict d;
        d["section"] = k.section;
        d["key"] = k.key;
        d["type"] = key_type_name(k.type);
        d["default"] = k.default_text;
        d["required"] = k.required;
        d["meaning"] = k.meaning;
        out.append(d);
    }
    return out;
}

py::list field_guesses() {
    py::list out;
    for (const auto& g : creatlas::field_guesses()) {
        py::dict d;
        d["section"] = g.section;
        d["key"] = g.key;
        d["names"] = g.names;
        d["needs_no_geometry"] = g.needs_no_geometry;
        out.append(d);
    }
    return out;
}

py::list geometry_policies() {
    py::list out;
    for (auto p : {creatlas::GeometryPolicy::Repair, creatlas::GeometryPolicy::Skip,
                   creatlas::GeometryPolicy::Fail}) {
        out.append(creatlas::to_string(p));
    }
    return out;
}

// The indicator catalogue (measure.hpp). The hook stays conditional so that the
// module also builds against a core without a catalogue: it then reports an empty
// one, HAS_INDICATOR_CATALOGUE is False, and the plugin's help says so.
#if __has_include("creatlas/measure.hpp")
constexpr bool kHasCatalogue = true;

const char* field_type_name(creatlas::FieldType type) {
    switch (type) {
    case creatlas::FieldType::Integer:
        return "integer";
    case creatlas::FieldType::Real:
        return "real";
    case creatlas::FieldType::String:
        return "string";
    }
    return "string";
}

py::list indicators() {
    py::list out;
    for (const auto& ind : creatlas::indicator_catalogue()) {
        py::dict d;
        d["id"] = ind.id;
        d["layer"] = creatlas::layer_name(ind.level);
        d["type"] = field_type_name(ind.type);
        d["unit"] = ind.unit;
        d["formula"] = ind.formula;
        d["parameters"] = ind.parameters;
        d["meaning"] = ind.meaning;
        out.append(d);
    }
    return out;
}

py::dict layer_names() {
    using creatlas::Level;
    py::dict d;
    d["cluster"] = creatlas::layer_name(Level::Cluster);
    d["heritage"] = creatlas::layer_name(Level::Heritage);
    d["city"] = creatlas::layer_name(Level::City);
    d["programme"] = creatlas::layer_name(Level::Programme);
    d["overlap"] = creatlas::layer_name(Level::Overlap);
    d["city_year"] = creatlas::layer_name(Level::CityYear);
    return d;
}
#else
constexpr bool kHasCatalogue = false;
py::list indicators() {
    return py::list();
}
py::dict layer_names() {
    return py::dict();
}
#endif

} // namespace

PYBIND11_MODULE(_creatlas, m) {
    m.doc() = "The creatlas core: project schema, indicator catalogue and the atlas run.";

    error_class() = py::reinterpret_steal<py::object>(
        PyErr_NewExceptionWithDoc("_creatlas.CreatlasError",
                                  "An error of the creatlas core. str() is the message with its "
                                  "context; attributes: kind, message, file, layer, feature_id, "
                                  "field.",
                                  PyExc_RuntimeError, nullptr));
    cancelled_class() = py::reinterpret_steal<py::object>(PyErr_NewExceptionWithDoc(
        "_creatlas.CreatlasCancelled", "The run was cancelled by its caller.", error_class().ptr(),
        nullptr));
    m.attr("CreatlasError") = error_class();
    m.attr("CreatlasCancelled") = cancelled_class();
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) {
                std::rethrow_exception(p);
            }
        } catch (const creatlas::Error& e) {
            raise_python(e);
        }
    });

    m.attr("__version__") = creatlas::kVersion;
    m.attr("HAS_INDICATOR_CATALOGUE") = kHasCatalogue;

    m.def("project_sections", &sections,
          "The project file's sections: dicts with name, meaning, required, is_source.");
    m.def("project_schema", &schema,
          "Every key of every section: dicts with section, key, type (string, number, integer, "
          "boolean, string_list, number_list), default (TOML text, '' for none), required, "
          "meaning.");
    m.def("project_schema_markdown", &creatlas::project_schema_markdown,
          "docs/project-file.md as generated from the declarations.");
    m.def("field_guesses", &field_guesses,
          "The common names of each guessed field: dicts with section, key, names (in order "
          "of preference) and needs_no_geometry (x/y columns of a table only).");
    m.def("guess_field", &creatlas::guess_field, py::arg("section"), py::arg("key"),
          py::arg("fields"),
          "The field of `fields` guessed for section/key (compared trimmed, NFC, case-folded, "
          "spaces and hyphens as '_'), or '' when none matches.");
    m.def("geometry_policies", &geometry_policies,
          "The accepted values of geometry_policy, in the core's order.");
    m.def("indicator_catalogue", &indicators,
          "The indicator catalogue: dicts with id (the output field), layer, type, unit, "
          "formula, parameters (project-file keys it depends on), meaning.");
    m.def("layer_names", &layer_names,
          "The output layer of each level: dict cluster, heritage, city, programme, overlap -> "
          "layer name in the GeoPackage.");
    m.def(
        "check_project",
        [](const std::string& text, const std::string& base_dir, const std::string& origin) {
            creatlas::parse_project(text, base_dir, origin);
        },
        py::arg("text"), py::arg("base_dir"), py::arg("origin") = "<plugin>",
        "Parse and validate project text; raises CreatlasError when it is wrong.");
    m.def("run", &run, py::arg("text"), py::arg("base_dir"), py::arg("origin") = "<plugin>",
          py::arg("output") = "", py::arg("overwrite") = false, py::arg("progress") = py::none(),
          py::arg("is_cancelled") = py::none(), py::arg("report") = true, py::arg("schema") = "",
          "Run a project given as TOML text (relative paths against base_dir) and return the "
          "run report as JSON text. `output` overrides the project's output GeoPackage (or "
          "names a PostGIS database, \"PG:…\", whose schema `schema` receives the atlas); "
          "`report` writes report.html and atlas.pdf beside it (QGIS headless). "
          "progress(fraction 0-1, stage) and is_cancelled() -> bool are called from the run. "
          "Raises CreatlasError (CreatlasCancelled when cancelled); no output file is left "
          "behind then.");
}

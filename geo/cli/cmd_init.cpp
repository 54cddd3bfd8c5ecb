// creatlas init --clusters FILE … -o project.toml: a commented project file drafted
// from the inputs (fields guessed by name, every other key at its default).
#include "commands.hpp"
#include "creatlas/draft.hpp"
#include "creatlas/error.hpp"
#include "creatlas/project.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

namespace creatlas::cli {

namespace {

/// Write `text` to `path` through a temporary file renamed into place: never a
/// half-written project file.
void write_file(const std::string& path, const std::string& text) {
    namespace fs = std::filesystem;
    const fs::path target = fs::absolute(path);
    const fs::path temp = target.string() + ".tmp-creatlas";
    {
        std::ofstream out(temp, std::ios::binary);
        out << text;
        out.close();
        if (!out) {
            std::error_code ignored;
            fs::remove(temp, ignored);
            throw_bad_input("cannot write the project file", {path, "", std::nullopt, ""});
        }
    }
    fs::rename(temp, target);
}

} // namespace

void add_init_command(CLI::App& app, Action& action) {
    struct Options {
        std::map<std::string, std::string> files; // section → path
        std::string output;
        bool overwrite = false;
    };
    auto opts = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand(
        "init", "Draft a commented project file from input files: fields guessed by their "
                "names, every other key at its default. Then: creatlas run <that file>.");
    // One option per source section, in the schema's order, named after it.
    for (const SectionDecl& s : project_sections()) {
        if (!s.is_source) {
            continue;
        }
        std::string flag = "--" + s.name;
        std::replace(flag.begin(), flag.end(), '_', '-');
        cmd->add_option_function<std::string>(
               flag, [opts, name = s.name](const std::string& v) { opts->files[name] = v; },
               s.meaning)
            ->type_name("FILE");
    }
    cmd->add_option("-o,--output", opts->output, "Project file to write (TOML)")->required();
    cmd->add_flag("--overwrite", opts->overwrite, "Replace the project file if it exists");
    cmd->callback([opts, &action] {
        action = [opts] {
            if (!opts->overwrite && std::filesystem::exists(opts->output)) {
                throw_bad_input("the project file exists; pass --overwrite to replace it",
                                {opts->output, "", std::nullopt, ""});
            }
            std::vector<DraftSource> sources;
            for (const SectionDecl& s : project_sections()) {
                const auto it = opts->files.find(s.name);
                if (it != opts->files.end()) {
                    sources.push_back({s.name, it->second, ""});
                }
            }
            write_file(opts->output, draft_project(sources, opts->output));
            std::cout << "Wrote " << opts->output << "; check the guessed fields, then: "
                      << "creatlas run " << opts->output << "\n";
            return kExitOk;
        };
    });
}

} // namespace creatlas::cli

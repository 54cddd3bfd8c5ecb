// Spawning QGIS's Python for the maps and the atlas PDF (see qgis_child.hpp).
#include "qgis_child.hpp"

#include "creatlas/style.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

namespace creatlas::style_detail {

namespace {

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string tail(const std::string& text, std::size_t max_chars) {
    return text.size() <= max_chars ? text : "…" + text.substr(text.size() - max_chars);
}

} // namespace

ChildResult run_styles_script(const std::string& script, const std::vector<std::string>& args,
                              const std::string& scratch) {
    ChildResult result;
    const char* python_env = std::getenv("CREATLAS_PYTHON");
    result.python = python_env != nullptr && *python_env != '\0' ? python_env : "/usr/bin/python3";
    const std::string out_file = scratch + ".out.json";
    const std::string log_file = scratch + ".log";

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_addopen(&actions, 2, log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    // The child gets this process's environment plus a headless Qt platform.
    std::vector<std::string> env_text;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
        if (std::strncmp(*e, "QT_QPA_PLATFORM=", 16) != 0) {
            env_text.emplace_back(*e);
        }
    }
    env_text.emplace_back("QT_QPA_PLATFORM=offscreen");
    std::vector<char*> env;
    env.reserve(env_text.size() + 1);
    for (auto& e : env_text) {
        env.push_back(e.data());
    }
    env.push_back(nullptr);
    std::vector<std::string> arg_text{result.python, styles_dir() + "/" + script};
    arg_text.insert(arg_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    argv.reserve(arg_text.size() + 1);
    for (auto& a : arg_text) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);

    pid_t pid = 0;
    const int spawn_error =
        posix_spawn(&pid, result.python.c_str(), &actions, nullptr, argv.data(), env.data());
    posix_spawn_file_actions_destroy(&actions);
    std::error_code ec;
    if (spawn_error != 0) {
        std::filesystem::remove(out_file, ec);
        std::filesystem::remove(log_file, ec);
        result.log = result.python + " cannot be started (" + std::strerror(spawn_error) + ")";
        return result;
    }
    result.started = true;
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    const std::string output = read_file(out_file);
    result.log = tail(read_file(log_file), 600);
    std::filesystem::remove(out_file, ec);
    std::filesystem::remove(log_file, ec);
    try {
        result.output = nlohmann::json::parse(output);
    } catch (const nlohmann::json::exception&) {
        result.output = nullptr;
    }
    return result;
}

} // namespace creatlas::style_detail

#include "temp_guard.hpp"

#include <cerrno>
#include <fcntl.h>
#include <spawn.h>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace creatlas::detail {

namespace {

/// The guard's program: ignore the terminal's signals (the writer handles them and
/// cleans up itself), wait for end of file on standard input, remove, exit.
constexpr const char* kGuardScript =
    "trap '' INT TERM HUP PIPE; cat >/dev/null 2>&1; rm -f -- \"$@\"";

} // namespace

TempGuard::TempGuard(const std::string& path)
    : paths_{path, path + "-journal", path + "-wal", path + "-shm"} {
    int fds[2] = {-1, -1};
    // A socket, not a pipe: the parent's end is closed without a write, and a guard
    // that died early cannot raise SIGPIPE in the parent. Close-on-exec: neither the
    // guard nor a program the run starts later (QGIS for the PDF) keeps the parent's
    // end open.
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
        return;
    }
    // posix_spawn, not fork: no copy of a large process's page tables and no
    // pthread_atfork handlers of the libraries loaded (numpy's BLAS in QGIS), so
    // starting the guard costs milliseconds whatever the process holds.
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDIN_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    std::vector<char*> argv;
    std::string sh = "/bin/sh";
    std::string c = "-c";
    std::string script = kGuardScript;
    std::string name = "creatlas-temp-guard";
    argv.push_back(sh.data());
    argv.push_back(c.data());
    argv.push_back(script.data());
    argv.push_back(name.data());
    for (auto& p : paths_) {
        argv.push_back(p.data());
    }
    argv.push_back(nullptr);
    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, "/bin/sh", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    if (rc != 0) {
        ::close(fds[0]);
        return;
    }
    socket_ = fds[0];
    child_ = pid;
}

TempGuard::~TempGuard() {
    if (socket_ >= 0) {
        ::close(socket_);
    }
    if (child_ > 0) {
        // The guard removes and exits at once; reap it so that no zombie stays.
        while (::waitpid(child_, nullptr, 0) < 0 && errno == EINTR) {
        }
    }
}

} // namespace creatlas::detail

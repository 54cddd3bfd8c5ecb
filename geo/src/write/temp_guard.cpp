#include "temp_guard.hpp"

#include <cerrno>
#include <csignal>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace creatlas::detail {

namespace {

/// The child's whole life: ignore the terminal's signals (the parent handles them
/// and cleans up itself), wait for end of file, remove, exit. Async-signal-safe.
[[noreturn]] void guard_child(int fd, const char* const* paths, std::size_t count) {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGINT, &ignore, nullptr);
    sigaction(SIGTERM, &ignore, nullptr);
    sigaction(SIGHUP, &ignore, nullptr);
    sigaction(SIGPIPE, &ignore, nullptr);
    char byte = 0;
    while (true) {
        const ssize_t n = ::read(fd, &byte, 1);
        if (n == 0 || (n < 0 && errno != EINTR)) {
            break;
        }
    }
    for (std::size_t k = 0; k < count; ++k) {
        ::unlink(paths[k]);
    }
    ::_exit(0);
}

} // namespace

TempGuard::TempGuard(const std::string& path)
    : paths_{path, path + "-journal", path + "-wal", path + "-shm"} {
    // Prepared before fork: the child must not allocate.
    std::vector<const char*> names;
    names.reserve(paths_.size());
    for (const auto& p : paths_) {
        names.push_back(p.c_str());
    }
    int fds[2] = {-1, -1};
    // A socket, not a pipe: the parent's end is closed without a write, and a child
    // that died early cannot raise SIGPIPE in the parent. Close-on-exec: a program
    // the run starts (QGIS for the PDF) does not keep the guard waiting.
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
        return;
    }
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::close(fds[0]);
        guard_child(fds[1], names.data(), names.size());
    }
    ::close(fds[1]);
    if (pid < 0) {
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
        // The child removes and exits at once; reap it so that no zombie stays.
        while (::waitpid(child_, nullptr, 0) < 0 && errno == EINTR) {
        }
    }
}

} // namespace creatlas::detail

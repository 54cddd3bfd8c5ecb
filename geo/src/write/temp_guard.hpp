// The write stage's guard against a killed run.
#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

namespace creatlas::detail {

/// Removes a temporary file (and its SQLite companions) even when this process is
/// killed outright. A temporary written beside the output is removed by the
/// writer's own cleanup on every error and on cancellation; SIGKILL (or the OOM
/// killer) leaves no chance for that. So, while alive, the guard keeps a small
/// child process (/bin/sh, started with posix_spawn) that reads a socket to this
/// one: when the socket closes — the guard is destroyed, or the process died,
/// however — the child removes the files if they are still there and exits.
/// After a normal rename the temporary name no longer exists and the child
/// removes nothing.
///
/// A process group killed as a whole (kill -KILL -PGID) takes the child too:
/// then the temporary stays, under its recognisable name ".<output>.tmp-<pid>.gpkg".
/// When the child cannot be started the guard does nothing more.
class TempGuard {
public:
    explicit TempGuard(const std::string& path);
    ~TempGuard();
    TempGuard(const TempGuard&) = delete;
    TempGuard& operator=(const TempGuard&) = delete;
    TempGuard(TempGuard&&) = delete;
    TempGuard& operator=(TempGuard&&) = delete;

private:
    std::vector<std::string> paths_; ///< the file, -journal, -wal, -shm
    int socket_ = -1;
    pid_t child_ = -1;
};

} // namespace creatlas::detail

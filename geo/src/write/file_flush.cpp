#include "write/file_flush.hpp"

#include "creatlas/error.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <unistd.h>
#include <utility>

namespace creatlas::detail {

// Linux flushes a file through any descriptor of it, a read-only one too.
BackgroundFlush::BackgroundFlush(const std::string& path, std::string target)
    : target_(std::move(target)), fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    if (fd_ < 0) {
        throw Error(ErrorKind::Io,
                    "cannot open the GeoPackage to flush it: " + std::string(std::strerror(errno)),
                    {target_, "", std::nullopt, ""});
    }
    thread_ = std::thread([this] { run(); });
}

BackgroundFlush::~BackgroundFlush() {
    {
        const std::lock_guard lock(mutex_);
        stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
    ::close(fd_);
}

void BackgroundFlush::request() {
    {
        const std::lock_guard lock(mutex_);
        ++requested_;
    }
    cv_.notify_all();
}

void BackgroundFlush::finish() {
    std::unique_lock lock(mutex_);
    const std::uint64_t wanted = ++requested_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return done_ >= wanted || error_ != 0; });
    if (error_ != 0) {
        throw Error(ErrorKind::Io,
                    "cannot write the GeoPackage to disk: " + std::string(std::strerror(error_)),
                    {target_, "", std::nullopt, ""});
    }
}

std::uint64_t BackgroundFlush::served() const {
    const std::lock_guard lock(mutex_);
    return done_;
}

void BackgroundFlush::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        cv_.wait(lock, [&] { return stop_ || requested_ > done_; });
        if (stop_) {
            return;
        }
        // This flush covers every request made before it starts.
        const std::uint64_t covers = requested_;
        lock.unlock();
        const int rc = ::fdatasync(fd_);
        const int err = rc == 0 ? 0 : errno;
        lock.lock();
        if (err != 0 && error_ == 0) {
            error_ = err;
        }
        done_ = covers;
        cv_.notify_all();
    }
}

} // namespace creatlas::detail

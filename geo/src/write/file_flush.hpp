// creatlas — the output's data flushed to disk in the background (issue 14).
//
// SQLite's COMMIT with its default synchronous=FULL waits for fdatasync(2) on the
// database file. When the write stage committed all the layers' rows (about
// 150 MB at full scale) that one call took 0.6 s of a single thread at the end
// of the run, with the other core idle: the kernel had kept every page dirty
// until asked.
//
// The write stage's connections write the temporary GeoPackage with
// synchronous=OFF instead (a temporary is never renamed into place unless
// complete, so a crash mid-way can only lose a file nobody sees), and a
// BackgroundFlush on the same file asks for fdatasync on a thread of its own
// after each layer's rows, so that the disk writes while this thread goes on
// with the next layer, the styles and the indexes. finish() then waits for one
// last fdatasync, which has little left to write, before the file is renamed
// into place: the output is on disk when it appears, as before.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace creatlas::detail {

class BackgroundFlush {
public:
    /// Open `path` (an existing file) and start the flushing thread. Throws
    /// Error(Io) naming `target` when the file cannot be opened.
    BackgroundFlush(const std::string& path, std::string target);
    /// Stops the thread (after the flush under way, if any) and closes the file.
    ~BackgroundFlush();
    BackgroundFlush(const BackgroundFlush&) = delete;
    BackgroundFlush& operator=(const BackgroundFlush&) = delete;
    BackgroundFlush(BackgroundFlush&&) = delete;
    BackgroundFlush& operator=(BackgroundFlush&&) = delete;

    /// Ask for the file's data written so far to be flushed, and return at once.
    /// Requests made while a flush runs are served by one more flush after it.
    void request();
    /// Flush everything written so far and wait until it is on disk. Throws
    /// Error(Io) naming the target when this or an earlier flush failed.
    void finish();
    /// How many requests (request() and finish() calls) have been served so far.
    std::uint64_t served() const;

private:
    void run();

    std::string target_;
    int fd_ = -1;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::uint64_t requested_ = 0; ///< flushes asked for
    std::uint64_t done_ = 0;      ///< flushes completed (each covers the requests before it began)
    int error_ = 0;               ///< errno of the first failed flush
    bool stop_ = false;
    std::thread thread_;
};

} // namespace creatlas::detail

// creatlas — progress and cancellation for long runs.
//
// The pipeline reports its progress as a fraction in [0, 1] with the name of the
// stage, and asks often whether it should stop. The CLI draws GDAL-style
// progress ("0...10...20"), the QGIS plugin forwards to QgsProcessingFeedback.
#pragma once

#include <functional>
#include <string>

namespace creatlas {

class Progress {
public:
    using Callback = std::function<void(double fraction, const std::string& stage)>;
    using CancelCheck = std::function<bool()>;

    Progress() = default;
    Progress(Callback callback, CancelCheck cancel_check)
        : callback_(std::move(callback)), cancel_(std::move(cancel_check)) {}

    /// Report progress; throws Error(Cancelled) when the caller asked to stop.
    void update(double fraction, const std::string& stage) const;
    /// Throws Error(Cancelled) when the caller asked to stop.
    void check() const;

    /// A view onto [start, start + span] of this progress, for a sub-stage.
    Progress sub(double start, double span) const;

private:
    Callback callback_;
    CancelCheck cancel_;
};

} // namespace creatlas

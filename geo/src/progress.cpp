#include "creatlas/progress.hpp"

#include "creatlas/error.hpp"

#include <algorithm>

namespace creatlas {

void Progress::check() const {
    if (cancel_ && cancel_()) {
        throw Error(ErrorKind::Cancelled, "cancelled");
    }
}

void Progress::update(double fraction, const std::string& stage) const {
    check();
    if (callback_) {
        callback_(std::clamp(fraction, 0.0, 1.0), stage);
    }
}

Progress Progress::sub(double start, double span) const {
    Callback parent = callback_;
    Callback scaled;
    if (parent) {
        scaled = [parent, start, span](double f, const std::string& stage) {
            parent(start + span * std::clamp(f, 0.0, 1.0), stage);
        };
    }
    return {scaled, cancel_};
}

} // namespace creatlas

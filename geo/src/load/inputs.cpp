// The load stage: every source the project names (load.hpp).
#include "creatlas/error.hpp"
#include "creatlas/load.hpp"
#include "gdal_util.hpp"
#include "load_internal.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>

namespace creatlas {

std::vector<std::pair<const SourceSpec*, Table*>> source_tables(const Project& project,
                                                                Inputs& in) {
    return {
        {&project.cities, &in.cities},
        {&project.city_areas, &in.city_areas},
        {&project.clusters, &in.clusters},
        {&project.cluster_attributes, &in.cluster_attributes},
        {&project.grants, &in.grants},
        {&project.heritage, &in.heritage},
        {&project.heritage_overrides, &in.heritage_overrides},
        {&project.programmes, &in.programmes},
        {&project.enterprises, &in.enterprises},
    };
}

namespace {

/// One source to load: where its table and report go, and its share of the progress.
struct LoadTask {
    const SourceSpec* spec = nullptr;
    Table* table = nullptr;
    GeometryNeed need = GeometryNeed::Required;
    std::unique_ptr<OGRSpatialReference> crs; ///< spec->crs parsed (null when none is declared)
    double share = 0; ///< this source's part of the stage's progress (0: none)
    SourceReport report;
    std::exception_ptr failure;
};

/// The stage's progress fed from several threads: each source's fraction is kept,
/// and the parent hears their weighted sum, never going backwards, one call at a time.
class SharedProgress {
public:
    SharedProgress(const Progress& parent, std::size_t sources)
        : parent_(parent), done_(sources, 0.0) {}

    Progress for_task(std::size_t k, double share) {
        auto cancelled = [this] { return this->cancelled(); };
        if (share <= 0) {
            return {{}, cancelled};
        }
        return {[this, k, share](double f, const std::string& stage) {
                    report(k, share * std::clamp(f, 0.0, 1.0), stage);
                },
                cancelled};
    }

private:
    void report(std::size_t k, double done, const std::string& stage) {
        const std::lock_guard<std::mutex> guard(lock_);
        // Sources finish in any order; the sum of the parts is what has been done.
        done_[k] = std::max(done_[k], done);
        double total = 0;
        for (const double d : done_) {
            total += d;
        }
        if (total > last_) {
            last_ = total;
            parent_.update(total, stage);
        }
    }
    bool cancelled() {
        const std::lock_guard<std::mutex> guard(lock_);
        try {
            parent_.check();
        } catch (const Error&) {
            return true;
        }
        return false;
    }

    const Progress& parent_;
    std::mutex lock_;
    std::vector<double> done_; ///< per source: its share of the stage done so far
    double last_ = 0;
};

/// Hands the sources to the threads, the costly roles first so that the threads
/// finish together; which thread loads which source changes nothing in the result.
std::vector<std::size_t> load_order(const std::vector<LoadTask>& tasks, const Project& project) {
    std::vector<std::size_t> order(tasks.size());
    for (std::size_t k = 0; k < tasks.size(); ++k) {
        order[k] = k;
    }
    const auto weight = [&](std::size_t k) {
        const SourceSpec* s = tasks[k].spec;
        if (s == &project.enterprises) {
            return 0;
        }
        if (s == &project.heritage) {
            return 1;
        }
        return 2;
    };
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return weight(a) < weight(b); });
    return order;
}

} // namespace

Inputs load_inputs(const GeosContext& geos, const Project& project, RunReport& report,
                   const Progress& progress) {
    Inputs in;
    const std::vector<const SourceSpec*> sources = project.sources();
    std::vector<LoadTask> tasks;
    for (const auto& [spec, table] : source_tables(project, in)) {
        if (!spec->present()) {
            continue;
        }
        const double share = 1.0 / static_cast<double>(sources.size());
        const bool attributes = spec == &project.cluster_attributes || spec == &project.grants ||
                                spec == &project.heritage_overrides;
        LoadTask task;
        task.spec = spec;
        task.table = table;
        task.need = attributes ? GeometryNeed::None : GeometryNeed::Required;
        task.share = share;
        tasks.push_back(std::move(task));
    }
    SourceSpec ref;
    if (!project.enterprise_reference.empty()) {
        ref.role = "enterprises.reference";
        ref.path = project.enterprise_reference;
        LoadTask task;
        task.spec = &ref;
        task.table = &in.enterprise_reference;
        task.need = GeometryNeed::None;
        tasks.push_back(std::move(task));
    }

    // Each CRS the project declares is parsed once, here, before any source is read:
    // an unknown one stops the run before any work, naming the project file. Each
    // source gets its own parsed copy, used only by the thread that loads it.
    for (LoadTask& task : tasks) {
        if (task.spec->crs.empty()) {
            continue;
        }
        detail::ensure_gdal_registered();
        const detail::GdalErrorCapture quiet; // PROJ's own line would repeat the message
        try {
            task.crs =
                detail::make_srs(task.spec->crs, "crs of [" + task.spec->role + "] in the project");
        } catch (const Error& e) {
            throw_bad_input(e.message(), {project.file, "", {}, ""});
        }
    }

    // Sources are independent: each is read on its own GDAL dataset handle, in a
    // thread of its own with its own GEOS context (GDAL's error handlers and PROJ's
    // contexts are per thread already). Reports are kept per source and appended
    // in source order, so the run report reads as a serial load's would.
    const std::vector<std::size_t> order = load_order(tasks, project);
    SharedProgress shared(progress, tasks.size());
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> first_failed{tasks.size()};
    auto drain = [&](const GeosContext& local) {
        for (std::size_t i = next++; i < order.size(); i = next++) {
            LoadTask& task = tasks[order[i]];
            // A serial load stops at the first source that fails: sources after it
            // need not be read (those before it still are, in case one fails too).
            if (order[i] > first_failed.load()) {
                continue;
            }
            try {
                *task.table = detail::load_source_declared(
                    local, *task.spec, task.crs.get(), project.geometry_policy, task.need,
                    task.report, shared.for_task(order[i], task.share));
            } catch (...) {
                task.failure = std::current_exception();
                std::size_t seen = first_failed.load();
                while (order[i] < seen && !first_failed.compare_exchange_weak(seen, order[i])) {
                }
            }
        }
    };
    const unsigned threads = static_cast<unsigned>(
        std::min<std::size_t>(std::max(1U, std::thread::hardware_concurrency()), tasks.size()));
    {
        // Contexts outlive the threads' tables until their geometries are handed over.
        std::vector<std::unique_ptr<GeosContext>> contexts;
        for (unsigned t = 1; t < threads; ++t) {
            contexts.push_back(std::make_unique<GeosContext>());
        }
        std::vector<std::thread> pool;
        for (unsigned t = 1; t < threads; ++t) {
            pool.emplace_back([&drain, &contexts, t] { drain(*contexts[t - 1]); });
        }
        drain(geos);
        for (auto& th : pool) {
            th.join();
        }
        // GEOS ties a geometry to its factory, not to the context handle (every
        // context uses the default factory), so the caller's context takes them over.
        for (LoadTask& task : tasks) {
            for (Row& row : task.table->rows) {
                row.geom = GeomPtr(row.geom.release(), GeomDeleter{geos.handle()});
            }
        }
    }
    for (LoadTask& task : tasks) {
        if (task.failure) {
            std::rethrow_exception(task.failure);
        }
        report.sources.push_back(std::move(task.report));
    }
    // Tables of roles the project does not use still carry their role's name.
    in.cities.name = "cities";
    in.city_areas.name = "city_areas";
    in.clusters.name = "clusters";
    in.heritage.name = "heritage";
    in.programmes.name = "programmes";
    in.cluster_attributes.name = "cluster_attributes";
    in.grants.name = "grants";
    in.enterprises.name = "enterprises";
    in.heritage_overrides.name = "heritage_overrides";
    in.enterprise_reference.name = "enterprise_reference";
    return in;
}

} // namespace creatlas

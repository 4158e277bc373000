// SPDX-License-Identifier: BSD-3-Clause
#include "airy/infer/tempering.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <mutex>
#include <thread>

#include "airy/core/error.hpp"
#include "airy/core/stop.hpp"
#include "airy/infer/tempering_schedule.hpp"
#include "tempering_adapt.hpp"
#include "tempering_evidence.hpp"
#include "tempering_exchange.hpp"
#include "tempering_pool.hpp"
#include "tempering_replica.hpp"
#include "tempering_report.hpp"

namespace airy::infer {

namespace {

using Clock = std::chrono::steady_clock;
using detail::ChainKernels;
using detail::Moments;
using detail::Replica;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

/// Ctrl-C (infer::interrupt_flag()), the caller's flag, or another run's failure.
struct StopFlags {
  const std::atomic<bool>* external = nullptr;
  std::atomic<bool> abort{false};
  [[nodiscard]] bool requested() const {
    return interrupt_flag().load(std::memory_order_relaxed) ||
           abort.load(std::memory_order_relaxed) ||
           (external != nullptr && external->load(std::memory_order_relaxed));
  }
};

/// One round's record, gathered scan by scan in chain order by the serial swap step.
struct RoundRecord {
  Eigen::MatrixXd ell;     ///< (scans, N): l at each chain after exploration
  Eigen::MatrixXd accept;  ///< (scans, N): NUTS accept_stat (NaN at the reference)
  Eigen::MatrixXd swap;    ///< (scans, N-1): swap acceptance when proposed, else NaN
  std::vector<std::vector<double>> draws;  ///< beta = 1 states, constrained
  std::vector<SampleStats> stats;
  int scans = 0;  ///< completed
};

/// Mean of the non-NaN entries of column j of the first `rows` rows (NaN if none).
double column_mean(const Eigen::MatrixXd& m, int j, int rows) {
  double s = 0.0;
  int n = 0;
  for (int t = 0; t < rows; ++t) {
    if (!std::isnan(m(t, j))) {
      s += m(t, j);
      ++n;
    }
  }
  return n > 0 ? s / n : kNaN;
}

/// r_i = 1 - mean swap acceptance of pair (i, i+1) over the round (0.5 without proposals,
/// as Pigeons).
std::vector<double> rejections(const RoundRecord& rec, int n) {
  std::vector<double> r(static_cast<std::size_t>(n - 1));
  for (int i = 0; i + 1 < n; ++i) {
    const double a = column_mean(rec.swap, i, rec.scans);
    r[static_cast<std::size_t>(i)] = std::isnan(a) ? 0.5 : 1.0 - a;
  }
  return r;
}

/// One NRPT run: N replicas, the schedule, the per-chain kernels, rounds of scans. The
/// replicas are spread over comm's processes (replica_comm.hpp); this process builds and
/// explores only its own block, and every process holds the same copy of everything else
/// (the chain <-> replica maps, the scan records, the round-trip counters, the schedule).
class PtRun {
 public:
  PtRun(const TemperedTarget& target, const PtOptions& o, int chain_id, int threads,
        std::span<const double> theta0, const StopFlags& stop, ReplicaComm& comm)
      : target_(target),
        o_(o),
        chain_id_(chain_id),
        n_(o.num_chains),
        path_(target, o.reference,
              theta0.empty() ? RealVector::Zero(target.dim())
                             : RealVector(Eigen::Map<const RealVector>(
                                   theta0.data(), static_cast<Eigen::Index>(theta0.size()))),
              RealVector::Constant(target.dim(), o.gaussian_sd)),
        comm_(comm),
        blocks_(detail::replica_blocks(o.num_chains, comm.size())),
        lo_(blocks_[static_cast<std::size_t>(comm.rank())].first),
        hi_(blocks_[static_cast<std::size_t>(comm.rank())].second),
        pool_(hi_ - lo_, threads),
        theta0_(theta0),
        stop_(stop) {
    SamplerOptions k;
    k.engine = o.engine;
    k.metric = o.metric;
    k.max_depth = o.max_depth;
    k.int_time = o.int_time;
    k.stepsize = o.stepsize;
    k.max_energy_error = o.max_energy_error;
    const std::uint64_t base = static_cast<std::uint64_t>(chain_id) << 32U;
    replicas_.resize(static_cast<std::size_t>(n_));
    for (int r = 0; r < n_; ++r) {
      // Replica r's stream depends on (seed, run, r) alone, not on the process holding it.
      if (local(r)) {
        replicas_[static_cast<std::size_t>(r)] = std::make_unique<Replica>(
            r, n_, path_, k, o.seed, base + static_cast<std::uint64_t>(r));
      }
      replica_at_.push_back(r);
      chain_of_.push_back(r);
    }
    records_.resize(static_cast<std::size_t>(n_));
    trips_.resize(static_cast<std::size_t>(n_));
    betas_.resize(static_cast<std::size_t>(n_));
    for (int k2 = 0; k2 < n_; ++k2) betas_[static_cast<std::size_t>(k2)] = k2 / (n_ - 1.0);
    top_row_.resize(static_cast<std::size_t>(target.output_dim()));
  }

  void run(Chain& chain, PtReport& report);

 private:
  [[nodiscard]] bool local(int r) const { return r >= lo_ && r < hi_; }
  [[nodiscard]] bool root() const { return comm_.rank() == 0; }
  /// fn(r) for this process's replicas, in parallel.
  void for_each_local(const std::function<void(int)>& fn) const {
    pool_.for_each([&](int i) { fn(lo_ + i); });
  }
  /// Every process's `mine` (per_replica doubles for each of its replicas, then `extra[p]`
  /// more) concatenated in process, hence replica, order.
  std::vector<double> gather(const std::vector<double>& mine, int per_replica,
                             const std::vector<int>& extra) const;
  void initialize();
  RoundRecord run_round(int round, bool last, DrawSink* sink);
  bool exchange();
  bool swap_step(RoundRecord& rec, int s, bool last, DrawSink* sink);
  std::vector<Moments> reduce_moments(const std::vector<std::vector<Moments>>& all, int lo,
                                      int hi) const;
  /// Every replica's moments and gradient count (to every process), reduced in replica order.
  std::vector<Moments> gather_round(std::int64_t& gradients) const;
  void finish_report(const RoundRecord& rec, const std::vector<double>& explorer_accept,
                     PtReport& report) const;

  const TemperedTarget& target_;
  const PtOptions& o_;
  int chain_id_;
  int n_;
  detail::TemperingPath path_;
  ReplicaComm& comm_;
  std::vector<std::pair<int, int>> blocks_;  ///< replicas of each process
  int lo_, hi_;                              ///< this process's replicas [lo_, hi_)
  detail::ReplicaPool pool_;
  std::span<const double> theta0_;
  const StopFlags& stop_;
  std::vector<std::unique_ptr<Replica>> replicas_;  ///< null where another process holds it
  std::vector<int> replica_at_;                     ///< chain -> replica
  std::vector<int> chain_of_;                       ///< replica -> chain
  std::vector<detail::ScanRecord> records_;         ///< every replica's scan, this scan
  std::vector<RoundTripCounter> trips_;             ///< every replica's tour
  std::vector<double> betas_;
  ChainKernels kernels_;
  std::vector<double> top_row_;  ///< the constrained state of the replica at chain N-1
  std::int64_t global_scan_ = 0;
};

std::vector<double> PtRun::gather(const std::vector<double>& mine, int per_replica,
                                  const std::vector<int>& extra) const {
  std::vector<int> counts(blocks_.size());
  std::size_t total = 0;
  for (std::size_t p = 0; p < blocks_.size(); ++p) {
    counts[p] = (blocks_[p].second - blocks_[p].first) * per_replica + extra[p];
    total += static_cast<std::size_t>(counts[p]);
  }
  std::vector<double> all(total);
  comm_.all_gather(mine, counts, all);
  return all;
}

void PtRun::initialize() {
  for_each_local([&](int r) {
    replicas_[static_cast<std::size_t>(r)]->initialize(theta0_, o_.max_init_tries);
  });
  // Initial metric: the reference's variance (its scale is the only one known before any
  // exploration); pilot draws from a stream of their own, the same on every process.
  const int dim = target_.dim();
  kernels_.stepsize.assign(static_cast<std::size_t>(n_), kNaN);
  kernels_.inv_metric.assign(static_cast<std::size_t>(n_), RealVector());
  if (o_.metric == Metric::diag_e) {
    RealVector var;
    if (o_.reference == PtReference::gaussian) {
      var = path_.sd().array().square();
    } else {
      Rng pilot(o_.seed, (static_cast<std::uint64_t>(chain_id_) << 32U) | 0xFFFFFFFFULL);
      Moments m;
      m.reset(dim);
      RealVector x(dim);
      for (int i = 0; i < 256; ++i) {
        path_.sample_reference(pilot, std::span<double>(x.data(), static_cast<std::size_t>(dim)));
        m.add(x);
      }
      var = m.variance();
    }
    for (int i = 0; i < dim; ++i) {
      if (!(std::isfinite(var[i]) && var[i] > 0)) var[i] = 1.0;
    }
    std::fill(kernels_.inv_metric.begin(), kernels_.inv_metric.end(), var);
  }
  // Initial step sizes: Stan's heuristic at each chain from its first replica's state.
  std::vector<double> eps(static_cast<std::size_t>(hi_ - lo_), kNaN);
  for_each_local([&](int r) {
    if (r == 0) return;
    const auto k = static_cast<std::size_t>(r);
    try {
      eps[k - static_cast<std::size_t>(lo_)] =
          replicas_[k]->find_stepsize(betas_[k], kernels_.inv_metric[k], o_.stepsize);
    } catch (const Error& e) {
      throw Error(fmt::format("sample_pt: chain {} (beta = {:.4g}): {}", r, betas_[k], e.what()));
    }
  });
  kernels_.stepsize = gather(eps, 1, std::vector<int>(blocks_.size(), 0));
}

std::vector<Moments> PtRun::reduce_moments(const std::vector<std::vector<Moments>>& all, int lo,
                                           int hi) const {
  // A binary tree over replica indices, fixed by N alone: the same sums for any placement.
  if (hi - lo == 1) return all[static_cast<std::size_t>(lo)];
  const int mid = lo + (hi - lo) / 2;
  std::vector<Moments> a = reduce_moments(all, lo, mid);
  const std::vector<Moments> b = reduce_moments(all, mid, hi);
  for (std::size_t k = 0; k < a.size(); ++k) a[k].merge(b[k]);
  return a;
}

std::vector<Moments> PtRun::gather_round(std::int64_t& gradients) const {
  const int dim = target_.dim();
  const int per = 1 + detail::moments_size(n_, dim);
  std::vector<double> mine;
  mine.reserve(static_cast<std::size_t>((hi_ - lo_) * per));
  for (int r = lo_; r < hi_; ++r) {
    const Replica& rep = *replicas_[static_cast<std::size_t>(r)];
    mine.push_back(static_cast<double>(rep.gradient_evaluations()));
    detail::pack(rep.moments, mine);
  }
  const std::vector<double> all = gather(mine, per, std::vector<int>(blocks_.size(), 0));
  std::vector<std::vector<Moments>> moments(static_cast<std::size_t>(n_));
  gradients = 0;
  for (int r = 0; r < n_; ++r) {
    const std::span<const double> block(all.data() + static_cast<std::size_t>(r * per),
                                        static_cast<std::size_t>(per));
    gradients += static_cast<std::int64_t>(block[0]);
    moments[static_cast<std::size_t>(r)] = detail::unpack_moments(block.subspan(1), n_, dim);
  }
  return reduce_moments(moments, 0, n_);
}

bool PtRun::exchange() {
  // This process's block: its stop flag, its replicas' records, and the beta = 1 state if
  // it holds the replica at chain N-1 (known to all: the maps are the same everywhere).
  const int top_owner = [&] {
    const int r = replica_at_.back();
    for (std::size_t p = 0; p < blocks_.size(); ++p) {
      if (r >= blocks_[p].first && r < blocks_[p].second) return static_cast<int>(p);
    }
    return 0;
  }();
  const int out_dim = static_cast<int>(top_row_.size());
  std::vector<int> extra(blocks_.size(), 1);
  extra[static_cast<std::size_t>(top_owner)] += out_dim;
  std::vector<double> mine = {stop_.requested() ? 1.0 : 0.0};
  for (int r = lo_; r < hi_; ++r) detail::pack(replicas_[static_cast<std::size_t>(r)]->last, mine);
  if (comm_.rank() == top_owner) mine.insert(mine.end(), top_row_.begin(), top_row_.end());
  const std::vector<double> all = gather(mine, detail::kScanRecordSize, extra);
  bool stop = false;
  std::size_t at = 0;
  for (std::size_t p = 0; p < blocks_.size(); ++p) {
    stop = stop || all[at] != 0.0;
    ++at;
    for (int r = blocks_[p].first; r < blocks_[p].second; ++r) {
      records_[static_cast<std::size_t>(r)] = detail::unpack_scan_record(
          std::span<const double>(all).subspan(at, detail::kScanRecordSize));
      at += detail::kScanRecordSize;
    }
    if (static_cast<int>(p) == top_owner) {
      std::copy_n(all.begin() + static_cast<std::ptrdiff_t>(at), out_dim, top_row_.begin());
      at += static_cast<std::size_t>(out_dim);
    }
  }
  return !stop;
}

bool PtRun::swap_step(RoundRecord& rec, int s, bool last, DrawSink* sink) {
  const bool go_on = exchange();
  for (int k = 0; k < n_; ++k) {
    const detail::ScanRecord& r =
        records_[static_cast<std::size_t>(replica_at_[static_cast<std::size_t>(k)])];
    rec.ell(s, k) = r.ell;
    rec.accept(s, k) = r.info.accept_stat;
  }
  const detail::ScanRecord& top = records_[static_cast<std::size_t>(replica_at_.back())];
  const SampleStats st{top.log_target,     top.info.accept_stat, top.info.stepsize,
                       top.info.treedepth, top.info.n_leapfrog,  top.info.divergent,
                       top.info.energy};
  if (last && sink != nullptr) sink->draw(false, top_row_, st);
  if (o_.keep_draws || !last) {
    rec.draws.push_back(top_row_);
    rec.stats.push_back(st);
  }
  // Deterministic even-odd swaps of chain indices. Both sides of a pair could decide alone
  // from (l, uniform) of the two replicas: the lower chain's uniform decides. Every process
  // runs this step on the same records, so all reach the same decisions.
  const std::int64_t g = global_scan_ + s;
  for (int i = 0; i + 1 < n_; ++i) {
    rec.swap(s, i) = kNaN;
    if (!deo_proposes(i, g)) continue;
    const auto ka = static_cast<std::size_t>(i);
    const int a = replica_at_[ka];
    const int b = replica_at_[ka + 1];
    const detail::ScanRecord& ra = records_[static_cast<std::size_t>(a)];
    const detail::ScanRecord& rb = records_[static_cast<std::size_t>(b)];
    const double log_ratio = (betas_[ka + 1] - betas_[ka]) * (ra.ell - rb.ell);
    const double alpha = std::isnan(log_ratio) ? 0.0 : std::min(1.0, std::exp(log_ratio));
    rec.swap(s, i) = alpha;
    if (ra.swap_uniform < alpha) {
      replica_at_[ka] = b;
      replica_at_[ka + 1] = a;
      chain_of_[static_cast<std::size_t>(a)] = i + 1;
      chain_of_[static_cast<std::size_t>(b)] = i;
    }
  }
  for (int r = 0; r < n_; ++r) {
    const int c = chain_of_[static_cast<std::size_t>(r)];
    trips_[static_cast<std::size_t>(r)].observe(c, n_ - 1);
    if (local(r)) replicas_[static_cast<std::size_t>(r)]->chain = c;
  }
  rec.scans = s + 1;
  return go_on;
}

RoundRecord PtRun::run_round(int round, bool last, DrawSink* sink) {
  const int scans = 1 << round;
  RoundRecord rec;
  rec.ell.resize(scans, n_);
  rec.accept.resize(scans, n_);
  rec.swap.resize(scans, std::max(1, n_ - 1));
  for (int r = lo_; r < hi_; ++r) replicas_[static_cast<std::size_t>(r)]->reset_round();
  for (auto& t : trips_) t.reset_counts();
  const std::span<double> top(top_row_);
  pool_.scans(
      scans,
      [&](int i, int) {
        Replica& rep = *replicas_[static_cast<std::size_t>(lo_ + i)];
        rep.explore(betas_, kernels_, o_.explorer_steps,
                    rep.chain == n_ - 1 ? top : std::span<double>());
      },
      [&](int s) { return swap_step(rec, s, last, sink); });
  global_scan_ += rec.scans;
  return rec;
}

void PtRun::finish_report(const RoundRecord& rec, const std::vector<double>& explorer_accept,
                          PtReport& report) const {
  report.num_chains = n_;
  report.betas = betas_;
  const std::vector<double> rejection = rejections(rec, n_);
  for (double r : rejection) report.swap_accept.push_back(1.0 - r);
  report.local_barrier = local_barrier(betas_, rejection);
  report.barrier = cumulative_barrier(rejection).back();
  report.round_trip_rate = round_trip_rate(rejection);
  report.stepsizes = kernels_.stepsize;
  report.explorer_accept = explorer_accept;
  report.evidence = detail::estimate_evidence(rec.ell.topRows(rec.scans), betas_);
  report.evidence.is_marginal_likelihood = target_.prior_reference_issue().empty();
  report.reference_description = path_.describe();
  for (const auto& t : trips_) {
    report.restarts += t.restarts();
    report.round_trips += t.round_trips();
  }
  detail::add_warnings(report, rec.stats);
}

void PtRun::run(Chain& chain, PtReport& report) {
  const auto t_start = Clock::now();
  report.reference = o_.reference;
  chain.id = chain_id_;
  chain.names = target_.output_names();
  initialize();
  // Process 0 alone writes: the sink, the progress lines and on_round live there.
  std::unique_ptr<DrawSink> sink = o_.sink_factory && root() ? o_.sink_factory(chain_id_) : nullptr;
  if (sink) sink->begin(chain_id_, chain.names);

  RoundRecord rec;
  std::vector<double> accept(static_cast<std::size_t>(n_), kNaN);
  std::int64_t grads_before = 0;  // round 1 also counts the initialisation
  double warmup_seconds = 0.0;
  for (int round = 1; round <= o_.num_rounds; ++round) {
    const bool last = round == o_.num_rounds;
    const auto t_round = Clock::now();
    if (last && sink)
      sink->adaptation(kernels_.stepsize.back(),
                       detail::as_matrix(kernels_, n_ - 1, target_.dim()));
    rec = run_round(round, last, sink.get());
    const bool stopped = rec.scans < (1 << round);
    // Reduce in replica order, then summarise the round.
    std::int64_t grads = 0;
    const std::vector<Moments> moments = gather_round(grads);
    for (int k = 0; k < n_; ++k)
      accept[static_cast<std::size_t>(k)] = column_mean(rec.accept, k, rec.scans);
    const std::vector<double> rejection = rejections(rec, n_);
    PtRound row;
    row.round = round;
    row.scans = rec.scans;
    row.min_swap_accept = 1.0 - *std::max_element(rejection.begin(), rejection.end());
    for (double r : rejection) row.mean_swap_accept += (1.0 - r) / (n_ - 1);
    row.barrier = cumulative_barrier(rejection).back();
    row.log_z = detail::estimate_evidence(rec.ell.topRows(rec.scans), betas_).log_z;
    for (const auto& t : trips_) {
      row.restarts += t.restarts();
      row.round_trips += t.round_trips();
    }
    row.gradient_evaluations = grads - grads_before;
    grads_before = grads;
    row.seconds = seconds_since(t_round);
    report.rounds.push_back(row);
    if (o_.on_round && root()) o_.on_round(chain_id_, row);
    if (!o_.quiet && root()) {
      fmt::print(stderr,
                 "pt chain {}: round {:2d}/{}  {:5d} scans  Lambda {:7.3f}  log Z {:10.3f}  "
                 "swap min {:.2f} mean {:.2f}  {:.2f} s\n",
                 chain_id_, round, o_.num_rounds, row.scans, row.barrier, row.log_z,
                 row.min_swap_accept, row.mean_swap_accept, row.seconds);
    }
    if (last || stopped) {
      report.complete = !stopped;
      break;
    }
    warmup_seconds += row.seconds;
    // Adapt between rounds: the explorers at the current betas, the reference, then the
    // schedule, and carry the explorers to the new betas.
    detail::adapt_kernels(kernels_, moments, accept, o_);
    if (o_.reference == PtReference::gaussian && round >= o_.gaussian_refit_round &&
        detail::refit_gaussian(path_, moments.back())) {
      for_each_local([&](int r) { replicas_[static_cast<std::size_t>(r)]->refresh_terms(); });
    }
    std::vector<double> next = equal_rejection_schedule(betas_, rejection, n_);
    if (std::adjacent_find(next.begin(), next.end(), std::greater_equal<>()) == next.end()) {
      detail::move_kernels(kernels_, betas_, next);
      betas_ = next;
    }
  }
  finish_report(rec, accept, report);
  // The returned chain: the last round's beta = 1 states (or the current round's if stopped).
  const int out_dim = target_.output_dim();
  chain.draws.resize(static_cast<Eigen::Index>(rec.draws.size()), out_dim);
  for (std::size_t t = 0; t < rec.draws.size(); ++t) {
    chain.draws.row(static_cast<Eigen::Index>(t)) =
        Eigen::Map<const RealVector>(rec.draws[t].data(), out_dim).transpose();
  }
  chain.stats = std::move(rec.stats);
  if (!o_.keep_draws) {
    chain.draws.resize(0, out_dim);
    chain.stats.clear();
  }
  chain.complete = report.complete;
  chain.stepsize = kernels_.stepsize.back();
  chain.inv_metric = detail::as_matrix(kernels_, n_ - 1, target_.dim());
  chain.warmup_seconds = warmup_seconds;
  chain.sampling_seconds = report.rounds.back().seconds;
  for (const auto& r : report.rounds) report.gradient_evaluations += r.gradient_evaluations;
  chain.gradient_evaluations = report.gradient_evaluations;
  report.seconds = seconds_since(t_start);
  if (sink) {
    if (!report.complete && report.rounds.size() < static_cast<std::size_t>(o_.num_rounds)) {
      // Stopped before the last round: the partial round's draws were not streamed yet.
      for (std::size_t t = 0; t < chain.stats.size(); ++t) {
        sink->draw(false, std::span<const double>(rec.draws[t]), chain.stats[t]);
      }
    }
    sink->end(chain);
  }
}

}  // namespace

PtResult sample_pt(const TemperedTarget& target, const PtOptions& o) {
  validate(o, target.dim());
  // Fail before any thread starts when the prior cannot be the reference.
  (void)detail::TemperingPath(target, o.reference, RealVector(), RealVector());
  std::vector<double> theta0;
  if (!o.init.empty()) theta0 = detail::unconstrained_init(target, o.init);
  const auto t0 = Clock::now();
  // As sample(): a stop requested under an enclosing scope (the pipeline's, e.g. a SIGTERM
  // during the MAP) stands and the runs stop at once; otherwise an old request is forgotten.
  if (!StopSignalScope::active()) clear_stop();
  StopFlags stop;
  stop.external = o.stop;

  const int hw = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  // Without a communicator the runs go side by side, each on its share of the threads. With
  // one (even of one process) they go one after another, each over every process, on
  // num_threads threads (0: one per local replica up to the cores) per process.
  LocalReplicaComm local;
  ReplicaComm& comm = o.comm != nullptr ? *o.comm : local;
  int outer = 1;
  int inner = 1;
  if (o.comm == nullptr) {
    const int total = o.num_threads > 0 ? o.num_threads : std::min(hw, o.num_runs * o.num_chains);
    outer = std::min(o.num_runs, total);
    inner = std::max(1, total / outer);
  } else {
    const auto mine =
        detail::replica_blocks(o.num_chains, comm.size())[static_cast<std::size_t>(comm.rank())];
    inner = o.num_threads > 0 ? o.num_threads : std::min(hw, mine.second - mine.first);
  }
  PtResult result;
  result.run.chains.resize(static_cast<std::size_t>(o.num_runs));
  result.reports.resize(static_cast<std::size_t>(o.num_runs));
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(o.num_runs));
  std::atomic<int> next{0};
  auto worker = [&] {
    for (;;) {
      const int c = next.fetch_add(1);
      if (c >= o.num_runs) return;
      const auto k = static_cast<std::size_t>(c);
      try {
        PtRun run(target, o, c + 1, inner, theta0, stop, comm);
        run.run(result.run.chains[k], result.reports[k]);
      } catch (...) {
        errors[k] = std::current_exception();
        stop.abort.store(true);
        // With other processes a run cannot be skipped alone: they wait in its exchanges.
        if (o.comm != nullptr) return;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < outer; ++t) pool.emplace_back(worker);
  worker();
  for (auto& th : pool) th.join();
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  result.run.wall_seconds = seconds_since(t0);
  return result;
}

}  // namespace airy::infer

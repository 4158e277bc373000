// SPDX-License-Identifier: BSD-3-Clause
// posteriordb validation (../shared/reference/posteriordb/README.md): each posterior is
// hand-coded as a SiteModel with its exact gradient, sampled with 4 chains x 1000 draws, and
// every parameter's mean and sd is z-tested against the reference draws' summaries
// (tests/fixtures/posteriordb/*.toml): z = (ours - ref) / sqrt(mcse_ours^2 + mcse_ref^2).
#include <gtest/gtest.h>

#include <toml++/toml.h>
#include <Eigen/Dense>
#include <cmath>
#include <filesystem>
#include <numbers>

#include "airy/infer/diagnostics.hpp"
#include "airy/infer/distributions.hpp"
#include "airy/infer/sampler.hpp"
#include "airy/infer/site_model.hpp"
#include "airy/infer/summary.hpp"

namespace airy::infer {
namespace {

const double kHalfLog2Pi = 0.5 * std::log(2.0 * std::numbers::pi);

std::filesystem::path fixture_dir() {
  const std::filesystem::path root(AIRY_SOURCE_DIR);
  for (const char* d : {"tests/fixtures/posteriordb", "tests/fixtures/posteriordb_cpp"}) {
    if (std::filesystem::exists(root / d)) return root / d;
  }
  return {};
}

struct Fixture {
  toml::table table;
  [[nodiscard]] std::vector<double> vec(const char* key) const {
    std::vector<double> out;
    for (const auto& v : *table["data"][key].as_array()) out.push_back(v.value<double>().value());
    return out;
  }
  [[nodiscard]] Eigen::MatrixXd matrix(const char* key) const {
    const auto* rows = table["data"][key].as_array();
    Eigen::MatrixXd m(static_cast<Eigen::Index>(rows->size()),
                      static_cast<Eigen::Index>(rows->at(0).as_array()->size()));
    for (Eigen::Index i = 0; i < m.rows(); ++i) {
      const auto* r = rows->at(static_cast<std::size_t>(i)).as_array();
      for (Eigen::Index j = 0; j < m.cols(); ++j) {
        m(i, j) = r->at(static_cast<std::size_t>(j)).value<double>().value();
      }
    }
    return m;
  }
  [[nodiscard]] int integer(const char* key) const {
    return static_cast<int>(table["data"][key].value<int64_t>().value());
  }
};

std::optional<Fixture> load(const std::string& name) {
  const auto dir = fixture_dir();
  if (dir.empty() || !std::filesystem::exists(dir / (name + ".toml"))) return std::nullopt;
  return Fixture{toml::parse_file((dir / (name + ".toml")).string())};
}

DistributionPtr dist(const char* name, std::map<std::string, double> p) {
  return make_distribution(name, p);
}

/// y ~ N(X beta, sigma) over x = [beta (X.cols()), sigma] starting at x[offset].
LogLikelihood linear_regression(Eigen::MatrixXd X, Eigen::VectorXd y, int offset = 0) {
  return [X = std::move(X), y = std::move(y), offset](std::span<const double> x,
                                                      std::span<double> g, Workspace*) {
    const auto p = X.cols();
    const Eigen::Map<const Eigen::VectorXd> beta(x.data() + offset, p);
    const double sigma = x[static_cast<std::size_t>(offset + p)];
    const Eigen::VectorXd r = y - X * beta;
    const double n = static_cast<double>(y.size());
    const double rr = r.squaredNorm();
    Eigen::Map<Eigen::VectorXd>(g.data() + offset, p) += X.transpose() * r / (sigma * sigma);
    g[static_cast<std::size_t>(offset + p)] += -n / sigma + rr / (sigma * sigma * sigma);
    return -n * (std::log(sigma) + kHalfLog2Pi) - 0.5 * rr / (sigma * sigma);
  };
}

/// Central finite differences of the log density at a few points of the unconstrained space.
void expect_exact_gradient(const LogDensity& ld) {
  Rng rng(17, 0);
  auto ws = ld.make_workspace();
  const auto n = static_cast<std::size_t>(ld.dim());
  std::vector<double> q(n), g(n), tmp(n);
  for (int trial = 0; trial < 3; ++trial) {
    for (auto& v : q) v = rng.uniform(-1.5, 1.5);
    ld.log_density_gradient(q, g, ws.get());
    for (std::size_t i = 0; i < n; ++i) {
      auto qp = q;
      auto qm = q;
      qp[i] += 1e-6;
      qm[i] -= 1e-6;
      const double fd = (ld.log_density_gradient(qp, tmp, ws.get()) -
                         ld.log_density_gradient(qm, tmp, ws.get())) /
                        2e-6;
      EXPECT_NEAR(g[i], fd, 1e-4 * std::max(1.0, std::fabs(fd))) << "coordinate " << i;
    }
  }
}

/// Samples and z-tests every reference parameter's mean and sd (|z| < 4).
infer::Run check_against_reference(const LogDensity& ld, const Fixture& f, std::uint64_t seed,
                                   double delta = 0.8, bool expect_clean = true) {
  expect_exact_gradient(ld);
  SamplerOptions o;
  o.num_chains = 4;
  o.num_warmup = 1000;
  o.num_samples = 1000;
  o.seed = seed;
  o.delta = delta;
  o.quiet = true;
  const infer::Run run = sample(ld, o);
  const Summary s = summarize(run);
  if (!expect_clean) return run;
  EXPECT_EQ(s.num_divergent, 0);
  for (double e : s.ebfmi) EXPECT_GT(e, 0.3);
  const auto names = ld.output_names();
  for (const auto& node : *f.table["parameters"].as_array()) {
    const auto& p = *node.as_table();
    const std::string name = p["name"].value<std::string>().value();
    SCOPED_TRACE(name);
    const auto it = std::find(names.begin(), names.end(), name);
    EXPECT_NE(it, names.end());
    if (it == names.end()) continue;
    const auto& row = s.rows[static_cast<std::size_t>(it - names.begin())];
    const double zm = (row.mean - p["mean"].value<double>().value()) /
                      std::hypot(row.mcse_mean, p["mcse_mean"].value<double>().value());
    const double zs = (row.sd - p["sd"].value<double>().value()) /
                      std::hypot(row.mcse_sd, p["mcse_sd"].value<double>().value());
    EXPECT_LT(std::fabs(zm), 4.0) << "mean " << row.mean << " vs "
                                  << p["mean"].value<double>().value();
    EXPECT_LT(std::fabs(zs), 4.0) << "sd " << row.sd << " vs " << p["sd"].value<double>().value();
    EXPECT_LT(row.rhat, 1.01);
  }
  return run;
}

#define AIRY_LOAD_OR_SKIP(var, name)                                  \
  const auto var##_opt = load(name);                                  \
  if (!var##_opt) GTEST_SKIP() << "fixture " << name << " not found"; \
  const Fixture& var = *var##_opt

TEST(Posteriordb, KidiqMomiq) {
  AIRY_LOAD_OR_SKIP(f, "kidiq-kidscore_momiq");
  const auto iq = f.vec("mom_iq");
  const auto score = f.vec("kid_score");
  Eigen::MatrixXd X(static_cast<Eigen::Index>(iq.size()), 2);
  for (Eigen::Index i = 0; i < X.rows(); ++i) X.row(i) << 1.0, iq[static_cast<std::size_t>(i)];
  SiteModel m({Site::vector("beta", 2, nullptr),
               Site::scalar("sigma", dist("half_cauchy", {{"scale", 2.5}}))},
              linear_regression(X, Eigen::Map<const Eigen::VectorXd>(score.data(), X.rows())));
  check_against_reference(m, f, 11);
}

TEST(Posteriordb, KidiqInteraction) {
  AIRY_LOAD_OR_SKIP(f, "kidiq-kidscore_interaction");
  const auto iq = f.vec("mom_iq");
  const auto hs = f.vec("mom_hs");
  const auto score = f.vec("kid_score");
  Eigen::MatrixXd X(static_cast<Eigen::Index>(iq.size()), 4);
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    const auto k = static_cast<std::size_t>(i);
    X.row(i) << 1.0, hs[k], iq[k], hs[k] * iq[k];
  }
  SiteModel m({Site::vector("beta", 4, nullptr),
               Site::scalar("sigma", dist("half_cauchy", {{"scale", 2.5}}))},
              linear_regression(X, Eigen::Map<const Eigen::VectorXd>(score.data(), X.rows())));
  check_against_reference(m, f, 12);
}

TEST(Posteriordb, SblrcBlr) {
  AIRY_LOAD_OR_SKIP(f, "sblrc-blr");
  const auto y = f.vec("y");
  const Eigen::MatrixXd X = f.matrix("X");
  SiteModel m({Site::vector("beta", static_cast<int>(X.cols()),
                            dist("normal", {{"loc", 0}, {"scale", 10}})),
               Site::scalar("sigma", dist("half_normal", {{"scale", 10}}))},
              linear_regression(X, Eigen::Map<const Eigen::VectorXd>(y.data(), X.rows())));
  check_against_reference(m, f, 13);
}

TEST(Posteriordb, ArK) {
  AIRY_LOAD_OR_SKIP(f, "arK-arK");
  const int K = f.integer("K");
  const auto y = f.vec("y");
  const int T = static_cast<int>(y.size());
  Eigen::MatrixXd X(T - K, K + 1);
  Eigen::VectorXd target(T - K);
  for (int t = K; t < T; ++t) {
    X(t - K, 0) = 1.0;
    for (int k = 1; k <= K; ++k) X(t - K, k) = y[static_cast<std::size_t>(t - k)];
    target[t - K] = y[static_cast<std::size_t>(t)];
  }
  SiteModel m({Site::scalar("alpha", dist("normal", {{"loc", 0}, {"scale", 10}})),
               Site::vector("beta", K, dist("normal", {{"loc", 0}, {"scale", 10}})),
               Site::scalar("sigma", dist("half_cauchy", {{"scale", 2.5}}))},
              linear_regression(X, target));
  check_against_reference(m, f, 14);
}

TEST(Posteriordb, EightSchoolsNoncentered) {
  AIRY_LOAD_OR_SKIP(f, "eight_schools-eight_schools_noncentered");
  const auto y = f.vec("y");
  const auto sd = f.vec("sigma");
  // x = [theta_trans (8), mu, tau]; theta = theta_trans tau + mu.
  LogLikelihood ll = [y, sd](std::span<const double> x, std::span<double> g, Workspace*) {
    double lp = 0;
    const double mu = x[8];
    const double tau = x[9];
    for (std::size_t j = 0; j < 8; ++j) {
      const double theta = x[j] * tau + mu;
      const double r = (y[j] - theta) / (sd[j] * sd[j]);
      lp += -0.5 * (y[j] - theta) * r;
      g[j] += r * tau;
      g[8] += r;
      g[9] += r * x[j];
    }
    return lp;
  };
  // Stan's transformed parameter theta = theta_trans * tau + mu, as derived outputs.
  DerivedOutputs theta{{}, [](std::span<const double> s, std::span<double> out) {
                         for (std::size_t j = 0; j < 8; ++j) out[j] = s[j] * s[9] + s[8];
                       }};
  for (int j = 1; j <= 8; ++j) theta.names.push_back("theta[" + std::to_string(j) + "]");
  SiteModel d({Site::vector("theta_trans", 8, dist("normal", {{"loc", 0}, {"scale", 1}})),
               Site::scalar("mu", dist("normal", {{"loc", 0}, {"scale", 5}})),
               Site::scalar("tau", dist("half_cauchy", {{"scale", 5}}))},
              ll, nullptr, theta);
  check_against_reference(d, f, 15);
}

TEST(Posteriordb, EightSchoolsCenteredReportsDivergences) {
  AIRY_LOAD_OR_SKIP(f, "eight_schools-eight_schools_centered");
  const auto y = f.vec("y");
  const auto sd = f.vec("sigma");
  // x = [theta (8), mu, tau]; theta ~ N(mu, tau) (flat site prior, the hierarchy here).
  LogLikelihood ll = [y, sd](std::span<const double> x, std::span<double> g, Workspace*) {
    double lp = 0;
    const double mu = x[8];
    const double tau = x[9];
    for (std::size_t j = 0; j < 8; ++j) {
      const double z = (x[j] - mu) / tau;
      lp += -std::log(tau) - 0.5 * z * z;
      g[j] += -z / tau;
      g[8] += z / tau;
      g[9] += (z * z - 1.0) / tau;
      const double r = (y[j] - x[j]) / (sd[j] * sd[j]);
      lp += -0.5 * (y[j] - x[j]) * r;
      g[j] += r;
    }
    return lp;
  };
  SiteModel m({Site::vector("theta", 8, nullptr),
               Site::scalar("mu", dist("normal", {{"loc", 0}, {"scale", 5}})),
               Site::scalar("tau", dist("half_cauchy", {{"scale", 5}}))},
              ll);
  const infer::Run run = check_against_reference(m, f, 16, 0.8, false);
  const Summary s = summarize(run);
  EXPECT_GT(s.num_divergent, 0);
  EXPECT_NE(format_summary(s).find("divergent transitions"), std::string::npos);
}

TEST(Posteriordb, GpRegr) {
  AIRY_LOAD_OR_SKIP(f, "gp_pois_regr-gp_regr");
  const auto xs = f.vec("x");
  const auto ys = f.vec("y");
  const auto n = static_cast<Eigen::Index>(xs.size());
  Eigen::MatrixXd d2(n, n);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < n; ++j) {
      const double dx = xs[static_cast<std::size_t>(i)] - xs[static_cast<std::size_t>(j)];
      d2(i, j) = dx * dx;
    }
  }
  const Eigen::VectorXd y = Eigen::Map<const Eigen::VectorXd>(ys.data(), n);
  // x = [rho, alpha, sigma]; K = alpha^2 exp(-d^2 / (2 rho^2)) + sigma I;
  // d log N(y | 0, K) / dp = tr((a a^T - K^-1) dK/dp) / 2, a = K^-1 y.
  LogLikelihood ll = [d2, y, n](std::span<const double> x, std::span<double> g, Workspace*) {
    const double rho = x[0];
    const double alpha = x[1];
    const double sigma = x[2];
    const Eigen::MatrixXd e = (-d2 / (2 * rho * rho)).array().exp().matrix();
    Eigen::MatrixXd k = alpha * alpha * e;
    k.diagonal().array() += sigma;
    Eigen::LLT<Eigen::MatrixXd> llt(k);
    if (llt.info() != Eigen::Success) return -std::numeric_limits<double>::infinity();
    const Eigen::VectorXd a = llt.solve(y);
    const Eigen::MatrixXd kinv = llt.solve(Eigen::MatrixXd::Identity(n, n));
    const Eigen::MatrixXd w = a * a.transpose() - kinv;
    const Eigen::MatrixXd l = llt.matrixL();
    const double logdet = 2 * l.diagonal().array().log().sum();
    g[0] += 0.5 * (w.array() * (alpha * alpha * e.array() * d2.array() / (rho * rho * rho))).sum();
    g[1] += 0.5 * (w.array() * (2 * alpha * e.array())).sum();
    g[2] += 0.5 * w.trace();
    return -0.5 * y.dot(a) - 0.5 * logdet - static_cast<double>(n) * kHalfLog2Pi;
  };
  SiteModel m({Site::scalar("rho", dist("gamma", {{"concentration", 25}, {"rate", 4}})),
               Site::scalar("alpha", dist("half_normal", {{"scale", 2}})),
               Site::scalar("sigma", dist("half_normal", {{"scale", 1}}))},
              ll);
  check_against_reference(m, f, 17);
}

}  // namespace
}  // namespace airy::infer

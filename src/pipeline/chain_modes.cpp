// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The per-chain mean table and the "chains sit in different modes" warning.
#include "pipeline/chain_modes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace airy::pipeline {
namespace {

/// Per chain and coordinate: mean, sd and the central 90% interval of the post-warmup draws.
struct ChainStats {
  int id = 0;
  std::vector<double> mean, sd, q5, q95;
  double lp_mean = 0.0;
};

/// Linear-interpolation quantile of sorted values (numpy's default).
double sorted_quantile(const std::vector<double>& v, double p) {
  const double h = (static_cast<double>(v.size()) - 1.0) * p;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (h - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

ChainStats stats_of(const infer::Chain& ch) {
  ChainStats s;
  s.id = ch.id;
  const Eigen::Index first = ch.num_warmup_saved;
  const Eigen::Index n = ch.draws.rows() - first;
  for (Eigen::Index j = 0; j < ch.draws.cols(); ++j) {
    std::vector<double> v(static_cast<std::size_t>(n));
    for (Eigen::Index r = 0; r < n; ++r) v[static_cast<std::size_t>(r)] = ch.draws(first + r, j);
    const double m = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(n);
    double ss = 0.0;
    for (double x : v) ss += (x - m) * (x - m);
    std::sort(v.begin(), v.end());
    s.mean.push_back(m);
    s.sd.push_back(std::sqrt(ss / static_cast<double>(n - 1)));
    s.q5.push_back(sorted_quantile(v, 0.05));
    s.q95.push_back(sorted_quantile(v, 0.95));
  }
  double lp = 0.0;
  for (std::size_t r = static_cast<std::size_t>(first); r < ch.stats.size(); ++r)
    lp += ch.stats[r].lp;
  s.lp_mean = ch.stats.size() > static_cast<std::size_t>(first)
                  ? lp / static_cast<double>(ch.stats.size() - static_cast<std::size_t>(first))
                  : std::nan("");
  return s;
}

bool intervals_overlap(const ChainStats& a, const ChainStats& b, std::size_t j) {
  return a.q5[j] <= b.q95[j] && b.q5[j] <= a.q95[j];
}

std::vector<ChainStats> usable_stats(const infer::Run& run) {
  std::vector<ChainStats> out;
  for (const auto& ch : run.chains) {
    if (ch.num_draws() < 4 || ch.stats.size() != static_cast<std::size_t>(ch.draws.rows())) {
      return {};
    }
    out.push_back(stats_of(ch));
  }
  return out;
}

std::string id_list(const std::vector<int>& ids) {
  std::string s;
  for (std::size_t i = 0; i < ids.size(); ++i) s += (i ? ", " : "") + std::to_string(ids[i]);
  return s;
}

}  // namespace

ChainModes chain_modes(const infer::Run& run) {
  ChainModes modes;
  const std::vector<ChainStats> st = usable_stats(run);
  if (st.size() < 2) {
    if (!run.chains.empty()) modes.groups = {{}};
    for (const auto& ch : run.chains) modes.groups[0].push_back(ch.id);
    return modes;
  }
  const std::size_t k = st.size();
  const std::size_t dim = st[0].mean.size();
  // Union-find over chains that agree on every coordinate.
  std::vector<std::size_t> parent(k);
  std::iota(parent.begin(), parent.end(), 0);
  const auto root = [&](std::size_t i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
  };
  for (std::size_t a = 0; a < k; ++a) {
    for (std::size_t b = a + 1; b < k; ++b) {
      bool agree = true;
      for (std::size_t j = 0; j < dim && agree; ++j) agree = intervals_overlap(st[a], st[b], j);
      if (agree) parent[root(b)] = root(a);
    }
  }
  std::vector<std::vector<std::size_t>> members;
  std::vector<std::size_t> group_of(k);
  for (std::size_t i = 0; i < k; ++i) {
    const std::size_t r = root(i);
    std::size_t g = 0;
    while (g < members.size() && root(members[g][0]) != r) ++g;
    if (g == members.size()) members.emplace_back();
    members[g].push_back(i);
    group_of[i] = g;
  }
  for (const auto& m : members) {
    modes.groups.emplace_back();
    for (std::size_t i : m) modes.groups.back().push_back(st[i].id);
  }
  if (members.size() < 2) return modes;

  const std::vector<std::string>& names = run.chains[0].names;
  // A group's mean and mean lp__: the average of its chains' (equal weights).
  const auto group_mean = [&](const std::vector<std::size_t>& m, std::size_t j) {
    double s = 0.0;
    for (std::size_t i : m) s += st[i].mean[j];
    return s / static_cast<double>(m.size());
  };
  const auto group_lp = [&](const std::vector<std::size_t>& m) {
    double s = 0.0;
    for (std::size_t i : m) s += st[i].lp_mean;
    return s / static_cast<double>(m.size());
  };
  for (std::size_t g = 0; g < members.size(); ++g) {
    for (std::size_t h = g + 1; h < members.size(); ++h) {
      // Coordinates ranked by |mean_g - mean_h| / sqrt(sd_g^2 + sd_h^2) (the chains' own sds).
      std::vector<std::pair<double, std::size_t>> z;
      for (std::size_t j = 0; j < dim; ++j) {
        double v = 0.0;
        for (std::size_t i : members[g]) v += st[i].sd[j] * st[i].sd[j] / members[g].size();
        for (std::size_t i : members[h]) v += st[i].sd[j] * st[i].sd[j] / members[h].size();
        const double d = std::abs(group_mean(members[g], j) - group_mean(members[h], j));
        z.emplace_back(v > 0.0 ? d / std::sqrt(v) : (d > 0.0 ? HUGE_VAL : 0.0), j);
      }
      std::sort(z.begin(), z.end(), std::greater<>());
      std::string what;
      for (std::size_t t = 0; t < std::min<std::size_t>(3, z.size()); ++t) {
        const std::size_t j = z[t].second;
        what += fmt::format("{}{} {:.5g} vs {:.5g}", t ? ", " : "", names[j],
                            group_mean(members[g], j), group_mean(members[h], j));
      }
      modes.differences.push_back(fmt::format("chains {} vs {}: {}; mean lp__ {:.2f} vs {:.2f}",
                                              id_list(modes.groups[g]), id_list(modes.groups[h]),
                                              what, group_lp(members[g]), group_lp(members[h])));
    }
  }
  std::string groups;
  for (const auto& g : modes.groups)
    groups += fmt::format("{}{{{}}}", groups.empty() ? "" : " ", id_list(g));
  modes.warning = fmt::format(
      "warning: chains sit in different modes: {} groups of chains whose central 90% intervals "
      "do not overlap: {}\n",
      modes.groups.size(), groups);
  for (const auto& d : modes.differences) modes.warning += "  " + d + "\n";
  modes.warning +=
      "  (the pooled summary mixes modes in arbitrary proportions: look at each group, or use "
      "parallel tempering, sampler.method = \"pt\")\n";
  return modes;
}

std::string chain_mode_report(const infer::Run& run) {
  const std::vector<ChainStats> st = usable_stats(run);
  if (st.size() < 2) return "";
  const std::vector<std::string>& names = run.chains[0].names;
  std::size_t width = 4;
  for (const auto& n : names) width = std::max(width, n.size());
  std::string t = "Per-chain means (post-warmup draws):\n";
  t += fmt::format("{:<{}}", "", width);
  for (const auto& s : st) t += fmt::format(" {:>12}", fmt::format("chain {}", s.id));
  t += "\n";
  for (std::size_t j = 0; j < names.size(); ++j) {
    t += fmt::format("{:<{}}", names[j], width);
    for (const auto& s : st) t += fmt::format(" {:>12.5g}", s.mean[j]);
    t += "\n";
  }
  t += fmt::format("{:<{}}", "lp__", width);
  for (const auto& s : st) t += fmt::format(" {:>12.5g}", s.lp_mean);
  t += "\n";
  return t + chain_modes(run).warning;
}

}  // namespace airy::pipeline

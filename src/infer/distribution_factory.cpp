// SPDX-License-Identifier: BSD-3-Clause
#include <fmt/format.h>

#include <functional>
#include <set>

#include "airy/core/error.hpp"
#include "airy/infer/distributions.hpp"

namespace airy::infer {

namespace {

/// Reads parameters by canonical name or alias, remembering which keys were used.
class ParamReader {
 public:
  ParamReader(std::string_view dist, const std::map<std::string, double>& params)
      : dist_(dist), params_(params) {}

  /// Every parameter is required: a silent default (normal's scale = 1) turns a forgotten
  /// key into a plausible wrong prior.
  double get(const std::string& canonical, std::initializer_list<const char*> aliases) {
    std::vector<std::string> keys{canonical};
    for (const char* a : aliases) keys.emplace_back(a);
    const std::string* found = nullptr;
    double value = 0.0;
    for (const auto& k : keys) {
      auto it = params_.find(k);
      if (it == params_.end()) continue;
      if (found != nullptr) {
        throw InvalidArgument(
            fmt::format("{}: parameters '{}' and '{}' both given", dist_, *found, k));
      }
      found = &it->first;
      value = it->second;
      used_.insert(k);
    }
    if (found == nullptr) {
      std::string also;
      for (const char* a : aliases) also += fmt::format(" or {}", a);
      throw InvalidArgument(
          fmt::format("{}: {}{}: required parameter missing", dist_, canonical, also));
    }
    return value;
  }

  /// Throws for keys no get() consumed.
  void check_all_used() const {
    for (const auto& [k, v] : params_) {
      if (used_.count(k) == 0) {
        throw InvalidArgument(fmt::format("{}: {} = {}: unknown parameter", dist_, k, v));
      }
    }
  }

 private:
  std::string dist_;
  const std::map<std::string, double>& params_;
  std::set<std::string> used_;
};

using Builder = std::function<DistributionPtr(ParamReader&)>;

const std::map<std::string, Builder>& builders() {
  static const std::map<std::string, Builder> table = {
      {"uniform",
       [](ParamReader& p) {
         const double low = p.get("low", {"lower"});
         const double high = p.get("high", {"upper"});
         return std::make_shared<Uniform>(low, high);
       }},
      {"normal",
       [](ParamReader& p) {
         const double loc = p.get("loc", {"mu", "mean"});
         const double scale = p.get("scale", {"sigma", "sd"});
         return std::make_shared<Normal>(loc, scale);
       }},
      {"half_normal",
       [](ParamReader& p) {
         return std::make_shared<HalfNormal>(p.get("scale", {"sigma", "sd"}));
       }},
      {"log_normal",
       [](ParamReader& p) {
         const double loc = p.get("loc", {"mu"});
         const double scale = p.get("scale", {"sigma"});
         return std::make_shared<LogNormal>(loc, scale);
       }},
      {"exponential",
       [](ParamReader& p) {
         return std::make_shared<Exponential>(p.get("rate", {"lambda", "beta"}));
       }},
      {"gamma",
       [](ParamReader& p) {
         const double a = p.get("concentration", {"shape", "alpha"});
         const double b = p.get("rate", {"beta"});
         return std::make_shared<Gamma>(a, b);
       }},
      {"inverse_gamma",
       [](ParamReader& p) {
         const double a = p.get("concentration", {"shape", "alpha"});
         const double b = p.get("rate", {"beta", "scale"});
         return std::make_shared<InverseGamma>(a, b);
       }},
      {"beta",
       [](ParamReader& p) {
         const double a = p.get("concentration1", {"alpha", "a"});
         const double b = p.get("concentration0", {"beta", "b"});
         return std::make_shared<Beta>(a, b);
       }},
      {"student_t",
       [](ParamReader& p) {
         const double df = p.get("df", {"nu"});
         const double loc = p.get("loc", {"mu"});
         const double scale = p.get("scale", {"sigma"});
         return std::make_shared<StudentT>(df, loc, scale);
       }},
      {"cauchy",
       [](ParamReader& p) {
         const double loc = p.get("loc", {"mu"});
         const double scale = p.get("scale", {"sigma"});
         return std::make_shared<Cauchy>(loc, scale);
       }},
      {"half_cauchy",
       [](ParamReader& p) { return std::make_shared<HalfCauchy>(p.get("scale", {"sigma"})); }},
      {"poisson",
       [](ParamReader& p) { return std::make_shared<Poisson>(p.get("rate", {"lambda"})); }},
  };
  return table;
}

std::string canonical_name(std::string_view name) {
  std::string s(name);
  for (auto& c : s) {
    if (c == '-') c = '_';
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  static const std::map<std::string, std::string> aliases = {
      {"halfnormal", "half_normal"},  {"lognormal", "log_normal"},
      {"halfcauchy", "half_cauchy"},  {"inversegamma", "inverse_gamma"},
      {"inv_gamma", "inverse_gamma"}, {"studentt", "student_t"},
      {"gaussian", "normal"}};
  if (auto it = aliases.find(s); it != aliases.end()) return it->second;
  return s;
}

}  // namespace

DistributionPtr make_distribution(std::string_view name,
                                  const std::map<std::string, double>& params) {
  const std::string key = canonical_name(name);
  const auto& table = builders();
  auto it = table.find(key);
  if (it == table.end()) {
    throw InvalidArgument(
        fmt::format("make_distribution: name = '{}': unknown distribution "
                    "(known: {})",
                    name, fmt::join(distribution_names(), ", ")));
  }
  ParamReader reader(key, params);
  DistributionPtr d = it->second(reader);
  reader.check_all_used();
  return d;
}

std::vector<std::string> distribution_names() {
  std::vector<std::string> names;
  for (const auto& [k, v] : builders()) names.push_back(k);
  return names;
}

}  // namespace airy::infer

// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief libFuzzer target: CmdStan CSV chains through what `airy summary` does with them
/// (io::read_cmdstan_csv_run, then infer::summarize and the text and CSV tables).
///
/// The input holds one to four chain files separated by form feeds ('\f'): a run's chains
/// may disagree with each other (columns, lengths), which the reader must catch.
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "airy/infer/summary.hpp"
#include "airy/io/cmdstan_csv.hpp"
#include "fuzz_util.hpp"

namespace {

constexpr std::size_t kMaxChains = 4;

/// The reader's contract, which summarize() relies on: one stats entry per row, one column
/// per name, warmup rows within the draws, all chains with the same names.
void check_run(const airy::infer::Run& run) {
  for (const auto& ch : run.chains) {
    const bool ok = ch.stats.size() == static_cast<std::size_t>(ch.draws.rows()) &&
                    static_cast<std::size_t>(ch.draws.cols()) == ch.names.size() &&
                    ch.num_warmup_saved >= 0 && ch.num_warmup_saved <= ch.draws.rows() &&
                    ch.names == run.chains.front().names;
    if (!ok) {
      std::fprintf(stderr, "fuzz csv: inconsistent chain %d from the reader\n", ch.id);
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> paths;
  std::size_t begin = 0;
  while (paths.size() < kMaxChains) {
    const std::size_t end =
        paths.size() + 1 == kMaxChains ? std::string_view::npos : text.find('\f', begin);
    const std::string_view part =
        text.substr(begin, end == std::string_view::npos ? std::string_view::npos : end - begin);
    paths.push_back(
        airy::fuzz::write_input("chain_" + std::to_string(paths.size() + 1) + ".csv", part));
    if (end == std::string_view::npos) break;
    begin = end + 1;
  }
  airy::fuzz::expect_only_invalid_argument("cmdstan csv", [&] {
    const airy::infer::Run run = airy::io::read_cmdstan_csv_run(paths);
    check_run(run);
    const airy::infer::Summary s = airy::infer::summarize(run);
    (void)airy::infer::format_summary(s);
    (void)airy::infer::summary_csv(s);
  });
  return 0;
}

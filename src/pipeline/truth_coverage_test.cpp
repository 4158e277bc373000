// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief truth_coverage: the fractions of true flat-field values inside 1 and 2 Laplace sds,
/// and the globals' (MAP - true)/sd, on hand-made numbers.
#include <gtest/gtest.h>

#include <string>

#include "pipeline/optimize_structured.hpp"

namespace airy::pipeline {
namespace {

TEST(TruthCoverage, CountsThePixelsWithinOneAndTwoSds) {
  // Ten flat-field pixels with sd 0.1 at errors z = (MAP - true)/sd below: |z| <= 1 for six
  // (60 %), |z| <= 2 for eight (80 %); mean |MAP - true| = 0.1 * sum |z| / 10 = 0.109 (no z
  // on a boundary: 1.0 would land on either side of it in floating point).
  const double z[10] = {0.5, -0.5, 1.5, -2.5, 0.1, 0.9, -1.1, 3.0, 0.0, 0.8};
  StructuredLaplace s;
  std::map<std::string, double> truth;
  s.names.push_back("separation");  // a global before the map
  s.values.push_back(1.2);
  s.laplace_sd.push_back(0.05);
  truth["separation"] = 1.1;  // (1.2 - 1.1)/0.05 = 2.00
  for (int k = 0; k < 10; ++k) {
    const std::string name = "map[" + std::to_string(k) + "]";
    s.names.push_back(name);
    s.values.push_back(1.0 + 0.1 * z[k]);
    s.laplace_sd.push_back(0.1);
    truth[name] = 1.0;
  }
  const std::string text = truth_coverage(s, truth, 1, 10);
  EXPECT_NE(text.find("60.0 % of 10 true values inside their 68.3 %"), std::string::npos) << text;
  EXPECT_NE(text.find("80.0 % inside 95.4 %"), std::string::npos) << text;
  EXPECT_NE(text.find("mean |MAP - true| 0.109"), std::string::npos) << text;
  EXPECT_NE(text.find("separation"), std::string::npos) << text;
  EXPECT_NE(text.find("2.00"), std::string::npos) << text;
  // Without a truth there is nothing to report.
  EXPECT_EQ(truth_coverage(s, {}, 1, 10), "");
}

}  // namespace
}  // namespace airy::pipeline

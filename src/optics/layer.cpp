// SPDX-License-Identifier: BSD-3-Clause
#include "airy/optics/layer.hpp"

#include "airy/core/error.hpp"

namespace airy::optics {

std::shared_ptr<const Layer> Layer::with_values(std::span<const double> v) const {
  if (!v.empty()) throw_invalid(kind(), "values", "this layer has no parameters");
  return nullptr;
}

std::unique_ptr<LayerWorkspace> Layer::make_workspace(int, int) const {
  return std::make_unique<LayerWorkspace>();
}

void Layer::set_needs(const LayerNeeds&, LayerWorkspace&) const {}

void Layer::prepare(std::span<const double>, LayerWorkspace&) const {}

void Layer::finish_pullback(std::span<const double>, std::span<double>, LayerWorkspace&) const {}

}  // namespace airy::optics

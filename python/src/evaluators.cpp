// SPDX-License-Identifier: BSD-3-Clause
#include "evaluators.hpp"

#include <atomic>
#include <limits>
#include <map>
#include <shared_mutex>
#include <span>

namespace airy::python {

struct Renderer::Slot {
  std::unique_ptr<model::TelescopeWorkspace> ws;
  RealImage image, image_bar;
  RealVector x, x_bar;
};

Renderer::Renderer(model::Telescope telescope, const std::vector<std::string>& paths)
    : telescope_(std::move(telescope)),
      set_(telescope_.bind(paths)),
      rows_(telescope_.image_rows()),
      cols_(telescope_.image_cols()) {}

Renderer::~Renderer() = default;

std::unique_ptr<Renderer::Slot> Renderer::acquire() const {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!pool_.empty()) {
      auto s = std::move(pool_.back());
      pool_.pop_back();
      return s;
    }
  }
  auto s = std::make_unique<Slot>();
  s->ws = telescope_.make_workspace(set_);
  s->x.resize(set_.size());
  s->x_bar.resize(set_.size());
  s->image_bar.resize(rows_, cols_);
  return s;
}

void Renderer::release(std::unique_ptr<Slot> slot) const {
  std::lock_guard<std::mutex> lock(mutex_);
  pool_.push_back(std::move(slot));
}

template <class T>
void Renderer::render(const T* x, std::int64_t batch, T* out) const {
  auto slot = acquire();
  const std::int64_t p = set_.size(), npix = static_cast<std::int64_t>(rows_) * cols_;
  for (std::int64_t b = 0; b < batch; ++b) {
    for (std::int64_t i = 0; i < p; ++i) slot->x[i] = static_cast<double>(x[b * p + i]);
    telescope_.render(set_, std::span<const double>(slot->x.data(), p), *slot->ws, slot->image);
    for (std::int64_t k = 0; k < npix; ++k)
      out[b * npix + k] = static_cast<T>(slot->image.data()[k]);
  }
  release(std::move(slot));
}

template <class T>
void Renderer::vjp(const T* x, const T* ct, std::int64_t batch, T* x_bar) const {
  auto slot = acquire();
  const std::int64_t p = set_.size(), npix = static_cast<std::int64_t>(rows_) * cols_;
  for (std::int64_t b = 0; b < batch; ++b) {
    for (std::int64_t i = 0; i < p; ++i) slot->x[i] = static_cast<double>(x[b * p + i]);
    for (std::int64_t k = 0; k < npix; ++k)
      slot->image_bar.data()[k] = static_cast<double>(ct[b * npix + k]);
    // The pullback uses what render saved in the workspace, so render at x first.
    telescope_.render(set_, std::span<const double>(slot->x.data(), p), *slot->ws, slot->image);
    telescope_.pullback(set_, slot->image_bar, *slot->ws, std::span<double>(slot->x_bar.data(), p));
    for (std::int64_t i = 0; i < p; ++i) x_bar[b * p + i] = static_cast<T>(slot->x_bar[i]);
  }
  release(std::move(slot));
}

template void Renderer::render<double>(const double*, std::int64_t, double*) const;
template void Renderer::render<float>(const float*, std::int64_t, float*) const;
template void Renderer::vjp<double>(const double*, const double*, std::int64_t, double*) const;
template void Renderer::vjp<float>(const float*, const float*, std::int64_t, float*) const;

DensityEvaluator::DensityEvaluator(std::shared_ptr<const infer::LogDensity> density)
    : density_(std::move(density)) {}

template <class T>
void DensityEvaluator::evaluate(const T* theta, std::int64_t batch, T* lp, T* grad) const {
  std::unique_ptr<infer::Workspace> ws;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!pool_.empty()) {
      ws = std::move(pool_.back());
      pool_.pop_back();
    }
  }
  if (!ws) ws = density_->make_workspace();
  const std::int64_t n = density_->dim();
  std::vector<double> th(static_cast<std::size_t>(n)), g(static_cast<std::size_t>(n));
  for (std::int64_t b = 0; b < batch; ++b) {
    for (std::int64_t i = 0; i < n; ++i) th[i] = static_cast<double>(theta[b * n + i]);
    const double v = density_->log_density_gradient(th, g, ws.get());
    lp[b] = static_cast<T>(v);
    if (grad != nullptr) {
      for (std::int64_t i = 0; i < n; ++i) grad[b * n + i] = static_cast<T>(g[i]);
    }
  }
  if (ws) {
    std::lock_guard<std::mutex> lock(mutex_);
    pool_.push_back(std::move(ws));
  }
}

template void DensityEvaluator::evaluate<double>(const double*, std::int64_t, double*,
                                                 double*) const;
template void DensityEvaluator::evaluate<float>(const float*, std::int64_t, float*, float*) const;

namespace {
struct Registry {
  std::shared_mutex mutex;
  std::atomic<std::int64_t> next{1};
  std::map<std::int64_t, std::shared_ptr<const Renderer>> renderers;
  std::map<std::int64_t, std::shared_ptr<const DensityEvaluator>> densities;
};
Registry& registry() {
  static Registry* r = new Registry();  // never destroyed: handlers may run at exit
  return *r;
}

template <class T>
std::int64_t add(std::map<std::int64_t, std::shared_ptr<const T>> Registry::*table,
                 std::shared_ptr<const T> p) {
  auto& reg = registry();
  const std::int64_t id = reg.next.fetch_add(1);
  std::unique_lock lock(reg.mutex);
  (reg.*table)[id] = std::move(p);
  return id;
}

template <class T>
std::shared_ptr<const T> lookup(std::map<std::int64_t, std::shared_ptr<const T>> Registry::*table,
                                std::int64_t id) {
  auto& reg = registry();
  std::shared_lock lock(reg.mutex);
  const auto it = (reg.*table).find(id);
  return it == (reg.*table).end() ? nullptr : it->second;
}

}  // namespace

std::int64_t register_renderer(std::shared_ptr<const Renderer> r) {
  return add(&Registry::renderers, std::move(r));
}

std::int64_t register_density(std::shared_ptr<const DensityEvaluator> d) {
  return add(&Registry::densities, std::move(d));
}

std::shared_ptr<const Renderer> find_renderer(std::int64_t id) {
  return lookup(&Registry::renderers, id);
}

std::shared_ptr<const DensityEvaluator> find_density(std::int64_t id) {
  return lookup(&Registry::densities, id);
}

void release_handle(std::int64_t id) {
  std::shared_ptr<const Renderer> r;
  std::shared_ptr<const DensityEvaluator> d;
  {
    auto& reg = registry();
    std::unique_lock lock(reg.mutex);
    if (auto it = reg.renderers.find(id); it != reg.renderers.end()) {
      r = std::move(it->second);
      reg.renderers.erase(it);
    }
    if (auto it = reg.densities.find(id); it != reg.densities.end()) {
      d = std::move(it->second);
      reg.densities.erase(it);
    }
  }
  // r and d are destroyed here, outside the lock.
}

}  // namespace airy::python

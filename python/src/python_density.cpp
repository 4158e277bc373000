// SPDX-License-Identifier: BSD-3-Clause
#include "python_density.hpp"

#include <nanobind/ndarray.h>

#include <cmath>
#include <cstring>
#include <limits>

#include <fmt/format.h>

namespace airy::python {

using namespace nb::literals;

PythonLogDensity::PythonLogDensity(int dim, nb::object fn, std::vector<std::string> names)
    : dim_(dim), fn_(std::move(fn)), names_(std::move(names)) {
  if (dim < 1) throw_invalid("PythonLogDensity", "dim", "must be >= 1");
  if (!names_.empty() && static_cast<int>(names_.size()) != dim) {
    throw InvalidArgument(
        fmt::format("PythonLogDensity: names: {} names for dim {}", names_.size(), dim));
  }
}

PythonLogDensity::~PythonLogDensity() {
  // The Python references must be dropped with the GIL held (this may run in any thread).
  if (!Py_IsInitialized()) {
    (void)fn_.release();
    (void)error_.release();
    return;
  }
  nb::gil_scoped_acquire gil;
  fn_.reset();
  error_.reset();
}

std::vector<std::string> PythonLogDensity::output_names() const {
  return names_.empty() ? LogDensity::output_names() : names_;
}

double PythonLogDensity::log_density_gradient(std::span<const double> theta, std::span<double> grad,
                                              infer::Workspace*) const {
  nb::gil_scoped_acquire gil;
  try {
    auto* buf = new double[static_cast<std::size_t>(dim_)];
    std::memcpy(buf, theta.data(), sizeof(double) * static_cast<std::size_t>(dim_));
    nb::capsule owner(buf, [](void* p) noexcept { delete[] static_cast<double*>(p); });
    const std::size_t shape[1] = {static_cast<std::size_t>(dim_)};
    nb::object x = nb::cast(nb::ndarray<nb::numpy, double>(buf, 1, shape, owner));
    nb::object result = fn_(x);
    if (!nb::isinstance<nb::tuple>(result) || nb::len(result) != 2) {
      throw InvalidArgument("log density callable: must return a pair (logp, grad), got " +
                            nb::cast<std::string>(nb::str(nb::handle(result.type()))));
    }
    nb::tuple t = nb::borrow<nb::tuple>(result);
    const double lp = nb::cast<double>(nb::module_::import_("builtins").attr("float")(t[0]));
    nb::object g = nb::module_::import_("numpy").attr("asarray")(t[1], "dtype"_a = "float64");
    auto arr = nb::cast<nb::ndarray<const double, nb::c_contig, nb::device::cpu>>(
        nb::module_::import_("numpy").attr("ascontiguousarray")(g));
    std::size_t n = 1;
    for (std::size_t i = 0; i < arr.ndim(); ++i) n *= arr.shape(i);
    if (n != static_cast<std::size_t>(dim_)) {
      throw InvalidArgument(
          fmt::format("log density callable: grad has {} entries, expected dim = {}", n, dim_));
    }
    std::memcpy(grad.data(), arr.data(), sizeof(double) * n);
    return lp;
  } catch (nb::python_error& e) {
    {
      std::lock_guard<std::mutex> lock(error_mutex_);
      if (!error_.is_valid() || error_.is_none()) error_ = nb::borrow(e.value());
    }
    throw PythonCallbackError("the Python log density raised " +
                              std::string(e.what()).substr(0, 2000));
  } catch (InvalidArgument& e) {
    {
      std::lock_guard<std::mutex> lock(error_mutex_);
      if (!error_.is_valid() || error_.is_none()) {
        error_ = nb::module_::import_("builtins").attr("ValueError")(e.what());
      }
    }
    throw PythonCallbackError(e.what());
  }
}

nb::object PythonLogDensity::take_error() const {
  std::lock_guard<std::mutex> lock(error_mutex_);
  nb::object e = error_.is_valid() ? error_ : nb::none();
  error_ = nb::none();
  return e;
}

}  // namespace airy::python

// SPDX-License-Identifier: BSD-3-Clause
// XLA FFI handlers (typed FFI, CPU) for airy.jax: the telescope render, its VJP and a log
// density with gradient, looked up by registry id. No Python and no GIL in these calls; the
// handlers treat every leading dimension as a batch (vmap_method="broadcast_all") and compute
// in double for float32 and float64 buffers alike.
#include <nanobind/stl/string.h>

#include <exception>
#include <string>

#include "airy/core/error.hpp"
#include "common.hpp"
#include "evaluators.hpp"
#include "infer_refs.hpp"
#include "xla/ffi/api/c_api.h"
#include "xla/ffi/api/ffi.h"

namespace ffi = xla::ffi;

namespace airy::python {
namespace {

/// Runs `body`, turning C++ exceptions into FFI errors (an exception must not cross XLA).
template <class F>
ffi::Error guarded(const char* where, F&& body) {
  try {
    return body();
  } catch (const InvalidArgument& e) {
    return ffi::Error::InvalidArgument(std::string(where) + ": " + e.what());
  } catch (const std::exception& e) {
    return ffi::Error::Internal(std::string(where) + ": " + e.what());
  }
}

ffi::Error check_dtypes(const char* where, ffi::DataType t,
                        std::initializer_list<ffi::DataType> others) {
  if (t != ffi::DataType::F32 && t != ffi::DataType::F64) {
    return ffi::Error::InvalidArgument(std::string(where) + ": inputs must be float32 or float64");
  }
  for (auto o : others) {
    if (o != t) return ffi::Error::InvalidArgument(std::string(where) + ": mixed float dtypes");
  }
  return ffi::Error::Success();
}

/// Number of batch entries of a buffer whose trailing elements per entry are `per`.
ffi::Error batch_of(const char* where, const ffi::AnyBuffer& b, std::int64_t per,
                    std::int64_t& batch) {
  const auto n = static_cast<std::int64_t>(b.element_count());
  if (per <= 0 || n % per != 0) {
    return ffi::Error::InvalidArgument(std::string(where) + ": buffer of " + std::to_string(n) +
                                       " elements is not a batch of " + std::to_string(per));
  }
  batch = n / per;
  return ffi::Error::Success();
}

std::shared_ptr<const Renderer> renderer_or_error(std::int64_t id, ffi::Error& err) {
  auto r = find_renderer(id);
  if (!r) {
    err = ffi::Error::InvalidArgument("airy: telescope function " + std::to_string(id) +
                                      " was released (its Python object no longer exists)");
  }
  return r;
}

ffi::Error render_impl(std::int64_t handle, ffi::AnyBuffer x, ffi::Result<ffi::AnyBuffer> out) {
  return guarded("airy_render", [&]() -> ffi::Error {
    ffi::Error err = ffi::Error::Success();
    auto r = renderer_or_error(handle, err);
    if (!r) return err;
    if (auto e = check_dtypes("airy_render", x.element_type(), {out->element_type()}); e.failure())
      return e;
    std::int64_t b = 0, bo = 0;
    if (auto e = batch_of("airy_render x", x, r->size(), b); e.failure()) return e;
    if (auto e = batch_of("airy_render image", *out,
                          static_cast<std::int64_t>(r->rows()) * r->cols(), bo);
        e.failure())
      return e;
    if (b != bo) return ffi::Error::InvalidArgument("airy_render: batch sizes differ");
    if (x.element_type() == ffi::DataType::F64) {
      r->render(x.typed_data<double>(), b, out->typed_data<double>());
    } else {
      r->render(x.typed_data<float>(), b, out->typed_data<float>());
    }
    return ffi::Error::Success();
  });
}

ffi::Error render_vjp_impl(std::int64_t handle, ffi::AnyBuffer x, ffi::AnyBuffer ct,
                           ffi::Result<ffi::AnyBuffer> x_bar) {
  return guarded("airy_render_vjp", [&]() -> ffi::Error {
    ffi::Error err = ffi::Error::Success();
    auto r = renderer_or_error(handle, err);
    if (!r) return err;
    if (auto e = check_dtypes("airy_render_vjp", x.element_type(),
                              {ct.element_type(), x_bar->element_type()});
        e.failure())
      return e;
    std::int64_t b = 0, bc = 0, bx = 0;
    if (auto e = batch_of("airy_render_vjp x", x, r->size(), b); e.failure()) return e;
    if (auto e = batch_of("airy_render_vjp cotangent", ct,
                          static_cast<std::int64_t>(r->rows()) * r->cols(), bc);
        e.failure())
      return e;
    if (auto e = batch_of("airy_render_vjp x_bar", *x_bar, r->size(), bx); e.failure()) return e;
    if (b != bc || b != bx)
      return ffi::Error::InvalidArgument("airy_render_vjp: batch sizes differ");
    if (x.element_type() == ffi::DataType::F64) {
      r->vjp(x.typed_data<double>(), ct.typed_data<double>(), b, x_bar->typed_data<double>());
    } else {
      r->vjp(x.typed_data<float>(), ct.typed_data<float>(), b, x_bar->typed_data<float>());
    }
    return ffi::Error::Success();
  });
}

ffi::Error log_density_impl(std::int64_t handle, ffi::AnyBuffer theta,
                            ffi::Result<ffi::AnyBuffer> lp, ffi::Result<ffi::AnyBuffer> grad) {
  return guarded("airy_log_density", [&]() -> ffi::Error {
    auto d = find_density(handle);
    if (!d) {
      return ffi::Error::InvalidArgument("airy: log density " + std::to_string(handle) +
                                         " was released (its Python object no longer exists)");
    }
    if (auto e = check_dtypes("airy_log_density", theta.element_type(),
                              {lp->element_type(), grad->element_type()});
        e.failure())
      return e;
    std::int64_t b = 0, bl = 0, bg = 0;
    if (auto e = batch_of("airy_log_density theta", theta, d->dim(), b); e.failure()) return e;
    if (auto e = batch_of("airy_log_density lp", *lp, 1, bl); e.failure()) return e;
    if (auto e = batch_of("airy_log_density grad", *grad, d->dim(), bg); e.failure()) return e;
    if (b != bl || b != bg)
      return ffi::Error::InvalidArgument("airy_log_density: batch sizes differ");
    if (theta.element_type() == ffi::DataType::F64) {
      d->evaluate(theta.typed_data<double>(), b, lp->typed_data<double>(),
                  grad->typed_data<double>());
    } else {
      d->evaluate(theta.typed_data<float>(), b, lp->typed_data<float>(), grad->typed_data<float>());
    }
    return ffi::Error::Success();
  });
}

XLA_FFI_DEFINE_HANDLER(
    kRender, render_impl,
    ffi::Ffi::Bind().Attr<std::int64_t>("handle").Arg<ffi::AnyBuffer>().Ret<ffi::AnyBuffer>());
XLA_FFI_DEFINE_HANDLER(kRenderVjp, render_vjp_impl,
                       ffi::Ffi::Bind()
                           .Attr<std::int64_t>("handle")
                           .Arg<ffi::AnyBuffer>()
                           .Arg<ffi::AnyBuffer>()
                           .Ret<ffi::AnyBuffer>());
XLA_FFI_DEFINE_HANDLER(kLogDensity, log_density_impl,
                       ffi::Ffi::Bind()
                           .Attr<std::int64_t>("handle")
                           .Arg<ffi::AnyBuffer>()
                           .Ret<ffi::AnyBuffer>()
                           .Ret<ffi::AnyBuffer>());

/// Python's handle of a registered DensityEvaluator.
struct DensityHandle {
  std::shared_ptr<const DensityEvaluator> ptr;
  std::int64_t id = 0;
  explicit DensityHandle(const LogDensityRef& d)
      : ptr(std::make_shared<const DensityEvaluator>(d.ptr)), id(register_density(ptr)) {}
  ~DensityHandle() { release_handle(id); }
  DensityHandle(const DensityHandle&) = delete;
  DensityHandle& operator=(const DensityHandle&) = delete;
};

}  // namespace

void bind_jax(nb::module_& m) {
  m.def("ffi_targets", [] {
    nb::dict d;
    d["airy_render"] = nb::capsule(reinterpret_cast<void*>(kRender));
    d["airy_render_vjp"] = nb::capsule(reinterpret_cast<void*>(kRenderVjp));
    d["airy_log_density"] = nb::capsule(reinterpret_cast<void*>(kLogDensity));
    return d;
  });
  // The FFI API version of the jaxlib headers this module was compiled against: a runtime
  // jaxlib must offer at least this version (python/airy/jax.py checks it).
  m.attr("xla_ffi_api_version") = nb::make_tuple(XLA_FFI_API_MAJOR, XLA_FFI_API_MINOR);
  nb::class_<DensityHandle>(m, "DensityFunction",
                            "A log density registered for the FFI (id) with batched evaluation.")
      .def(nb::init<const LogDensityRef&>(), nb::arg("density"))
      .def_prop_ro("id", [](const DensityHandle& h) { return h.id; })
      .def_prop_ro("dim", [](const DensityHandle& h) { return h.ptr->dim(); })
      .def("evaluate", [](const DensityHandle& h, const InArray& theta) {
        const std::int64_t n = h.ptr->dim();
        if (theta.ndim() != 2 || static_cast<std::int64_t>(theta.shape(1)) != n) {
          throw_invalid("DensityFunction.evaluate", "theta",
                        "expected shape (batch, " + std::to_string(n) + ")");
        }
        const auto b = static_cast<std::size_t>(theta.shape(0));
        std::vector<double> lp(b), grad(b * static_cast<std::size_t>(n));
        {
          nb::gil_scoped_release release;
          h.ptr->evaluate(theta.data(), static_cast<std::int64_t>(b), lp.data(), grad.data());
        }
        return nb::make_tuple(owned_array(std::move(lp), {b}),
                              owned_array(std::move(grad), {b, static_cast<std::size_t>(n)}));
      });
}

}  // namespace airy::python

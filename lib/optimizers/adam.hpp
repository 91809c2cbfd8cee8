// Adam (Kingma & Ba 2015, Algorithm 1) with torch.optim.Adam's placement of ε:
//
//   m_t = β1 m_{t−1} + (1 − β1) g_t
//   v_t = β2 v_{t−1} + (1 − β2) g_t²
//   θ_t = θ_{t−1} − α/(1 − β1^t) · m_t / (√v_t / √(1 − β2^t) + ε)
//
// Named variants (bc1 = 1 − β1^t, bc2 = 1 − β2^t; each framework's choice is its flavor):
// - eps_form=corrected (torch, optax; the paper's Algorithm 1): ε is added to the corrected root,
//   as above. eps_form=folded (Keras, ensmallen; the paper's Section 2 ordering) folds the
//   corrections into the rate: θ_t = θ_{t−1} − α √bc2/bc1 · m_t / (√v_t + ε̂), so ε̂ acts as
//   ε = ε̂/√bc2, larger in the first steps.
// - eps_root (optax) is added inside the root of the corrected moment: √(v_t/bc2 + eps_root) + ε.
// - bias_correction=0 drops both corrections: θ_t = θ_{t−1} − α m_t / (√v_t + ε).
// - amsgrad=1 (Reddi et al. 2018) divides by a running maximum instead of v_t. amsgrad_of=raw
//   (torch, Keras, ensmallen) keeps v̂max_t = max(v̂max_{t−1}, v_t) of the raw moment and divides
//   it by the current correction; amsgrad_of=corrected (optax) keeps the maximum of v_t/bc2, which
//   differs while the correction still shrinks: an early large v_t/bc2 is kept longer.
// The schedule's factor scales α of the current step only, as a changed torch group lr does.
//
// The update is one fused, vectorized loop over x, g, m, v (7 words read or written per
// parameter), which makes the step run at memory bandwidth for large n and keeps a 2-D step
// short. Each form is its own instantiation of the loop, chosen when the optimizer is built;
// eps_form only changes the two per-step factors, not the loop.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "lib/config.hpp"
#include "lib/optimizer.hpp"

namespace descent {

// The keys of Adam's moment estimates, shared by the Adam family (adam, adamw, nadam): a Config
// with members beta1, beta2 and eps (LAMB's reference defaults ε to 1e-6).
template <class C>
Fields<C> moment_keys(const std::string& eps = "1e-8") {
  return {real_key<C>(&C::beta1, "beta1", "0.9", "first-moment decay β1", Range::unit_open),
          real_key<C>(&C::beta2, "beta2", "0.999", "second-moment decay β2", Range::unit_open),
          real_key<C>(&C::eps, "eps", eps, "ε, added after the root", Range::positive)};
}

enum class EpsForm { corrected, folded };
enum class AmsgradOf { raw, corrected };

// Where ε meets the bias correction (see above), shared by adam, adamw and nadam.
template <class C>
Field<C> eps_form_key() {
  return choice_key<C, EpsForm>(
      &C::eps_form, "eps_form", "corrected",
      "ε on the corrected root (torch) or √(1 − β2^t) folded into α (Keras, ensmallen)",
      {{"corrected", EpsForm::corrected}, {"folded", EpsForm::folded}});
}

// Adam's named forms (see above), shared by adam and adamw.
template <class C>
Fields<C> adam_form_keys() {
  return {flag_key<C>(&C::amsgrad, "amsgrad", "0", "divide by a running maximum of v"),
          choice_key<C, AmsgradOf>(&C::amsgrad_of, "amsgrad_of", "raw",
                                   "the maximum of the raw v (torch) or of v/(1 − β2^t) (optax)",
                                   {{"raw", AmsgradOf::raw}, {"corrected", AmsgradOf::corrected}}),
          eps_form_key<C>(),
          real_key<C>(&C::eps_root, "eps_root", "0", "added inside the root, √(v̂ + eps_root)",
                      Range::nonnegative)};
}

struct AdamConfig {
  double lr, beta1, beta2, eps, eps_root;
  bool amsgrad;
  AmsgradOf amsgrad_of;
  EpsForm eps_form;
  bool bias_correction = true;  // adamw has no key for it
  static Fields<AdamConfig> fields() {
    using C = AdamConfig;
    return join<C>(
        {{real_key(&C::lr, "lr", "1e-3", "step size α", Range::positive)},
         moment_keys<C>(),
         adam_form_keys<C>(),
         {flag_key(&C::bias_correction, "bias_correction", "1", "0 drops both bias corrections")}});
  }
  void check() const {
    if (amsgrad && amsgrad_of == AmsgradOf::corrected && eps_form == EpsForm::folded)
      throw UsageError(
          "amsgrad_of=corrected takes the maximum of the corrected v, which eps_form=folded "
          "never forms; use amsgrad_of=raw or eps_form=corrected");
  }
};

// The frameworks' Adam (their amsgrad=True included), shared by adam and adamw.
inline std::vector<Flavor> adam_flavors() {
  return {{"torch", {}, "torch.optim.Adam, the defaults"},
          {"optax",
           {{"amsgrad_of", "corrected"}},
           "optax.adam and optax.amsgrad; optax has no default rate (torch's stays)"},
          {"keras", {{"eps", "1e-7"}, {"eps_form", "folded"}}, "keras.optimizers.Adam (Keras 3)"},
          {"ensmallen", {{"eps_form", "folded"}}, "ens::Adam and ens::AMSGrad"}};
}

template <class T>
class Adam {
 public:
  using Config = AdamConfig;
  Adam(const Config& c, Eigen::Index n)
      : c_(c),
        form_(form_of(c)),
        m_(Vec<T>::Zero(n)),
        v_(Vec<T>::Zero(n)),
        vmax_(Vec<T>::Zero(c.amsgrad ? n : 0)) {
    reset();
  }

  static OptimizerInfo info() {
    return {.name = "adam",
            .summary = "Adam: bias-corrected moment estimates (torch semantics)",
            .equations =
                "m_t = β1 m_{t−1} + (1 − β1) g_t, v_t = β2 v_{t−1} + (1 − β2) g_t², θ_t "
                "= θ_{t−1} − α/(1 − β1^t) · m_t / (√v_t / √(1 − β2^t) + ε)",
            .reference = "Kingma & Ba 2015; amsgrad: Reddi, Kale & Kumar 2018; torch.optim.Adam",
            .own_weight_decay = false,
            .flavors = adam_flavors(),
            .words_per_param = 7};  // reads x, g, m, v; writes x, m, v (amsgrad: + v̂ twice)
  }

  void step(VecRef<T> x, CVecRef<T> g, T lr_scale) { update(x, g, T(c_.lr) * lr_scale, T(1)); }

  // One step at the rate α = lr that first shrinks θ by the factor `keep`: θ ← keep θ − ...
  // (AdamW's decoupled decay, keep = 1 − α λ; Adam's keep = 1 is exact, so both share this loop).
  void update(VecRef<T> x, CVecRef<T> g, T lr, T keep) {
    if (form_ == Form::plain) [[likely]]
      fused<Form::plain>(moments(lr, keep), x.size(), x.data(), g.data(), m_.data(), v_.data(),
                         nullptr);
    else
      other_forms(lr, keep, x.size(), x.data(), g.data());
    if (++next_ == kBlock) prepare_corrections();
  }

  void reset() {
    beta1_t_ = beta2_t_ = 1;
    prepare_corrections();
    m_.setZero();
    v_.setZero();
    vmax_.setZero();
  }

 private:
  // The denominators: plain √v r + ε; raw_max √v̂max r + ε with v̂max the maximum of v; root
  // √(v c + eps_root) + ε; raw_max_root the same of v̂max; corrected_max √(v̂max + eps_root) + ε
  // with v̂max the maximum of v c (r = 1/√bc2, c = 1/bc2; both 1 when eps_form=folded).
  enum class Form { plain, raw_max, root, raw_max_root, corrected_max };
  static Form form_of(const Config& c) {
    const bool root = c.eps_root > 0;
    if (!c.amsgrad) return root ? Form::root : Form::plain;
    if (c.amsgrad_of == AmsgradOf::corrected) return Form::corrected_max;
    return root ? Form::raw_max_root : Form::raw_max;
  }

  struct Moments {
    T b1, b2, eps, eps_root, step_size, root_scale, inv_bc2, keep;
  };

  Moments moments(T lr, T keep) const {
    return {T(c_.beta1),          T(c_.beta2),           T(c_.eps),          T(c_.eps_root),
            lr * T(step_[next_]), T(root_scale_[next_]), T(inv_bc2_[next_]), keep};
  }

  // Out of line, with plain arguments: the plain form's step then builds no Moments in memory
  // and copies no Eigen::Ref for a call it does not make (30 instructions of a 2-D step).
  [[gnu::noinline]] void other_forms(T lr, T keep, Eigen::Index n, T* x, const T* g) {
    const Moments k = moments(lr, keep);
    T *m = m_.data(), *v = v_.data(), *vmax = vmax_.data();
    switch (form_) {
      case Form::plain:
      case Form::raw_max:
        return fused<Form::raw_max>(k, n, x, g, m, v, vmax);
      case Form::root:
        return fused<Form::root>(k, n, x, g, m, v, vmax);
      case Form::raw_max_root:
        return fused<Form::raw_max_root>(k, n, x, g, m, v, vmax);
      case Form::corrected_max:
        return fused<Form::corrected_max>(k, n, x, g, m, v, vmax);
    }
  }

  // The loop over plain restrict-qualified parameters: GCC honours `restrict` on parameters, not
  // on local pointers, so this form needs no run-time overlap checks before the loop (which
  // would cost more than the update itself when n = 2).
  template <Form kForm>
  static void fused(const Moments& k, Eigen::Index n, T* __restrict x, const T* __restrict g,
                    T* __restrict m, T* __restrict v, T* __restrict vmax) {
    for (Eigen::Index i = 0; i < n; ++i) {
      const T mi = k.b1 * m[i] + (1 - k.b1) * g[i];
      const T vi = k.b2 * v[i] + (1 - k.b2) * g[i] * g[i];
      m[i] = mi;
      v[i] = vi;
      T root;
      if constexpr (kForm == Form::plain) root = std::sqrt(vi) * k.root_scale;
      if constexpr (kForm == Form::raw_max)
        root = std::sqrt(vmax[i] = std::max(vmax[i], vi)) * k.root_scale;
      if constexpr (kForm == Form::root) root = std::sqrt(vi * k.inv_bc2 + k.eps_root);
      if constexpr (kForm == Form::raw_max_root)
        root = std::sqrt((vmax[i] = std::max(vmax[i], vi)) * k.inv_bc2 + k.eps_root);
      if constexpr (kForm == Form::corrected_max)
        root = std::sqrt((vmax[i] = std::max(vmax[i], vi * k.inv_bc2)) + k.eps_root);
      x[i] = k.keep * x[i] - k.step_size * mi / (root + k.eps);
    }
  }

  // The per-step factors of the next kBlock steps, computed together every kBlock steps as
  // vectors: the step α/bc1 (folded: α √bc2/bc1, with α applied at the step), r = 1/√bc2 and
  // c = 1/bc2 (folded: 1). A small step is a chain of dependent square roots and divisions, and
  // the CPU's divider is one unit that is not fully pipelined: the corrections' own root and two
  // divisions, computed step by step, queued in front of the update's and cost about a quarter
  // of a 2-D step. As vectors they take one root and two divisions per block. β^t are running
  // products, as std::pow would cost more than a whole 2-D step; the values are those a
  // step-by-step computation gives.
  void prepare_corrections() {
    next_ = 0;
    std::array<double, kBlock> b1t, b2t;
    for (int j = 0; j < kBlock; ++j) {
      b1t[j] = beta1_t_ *= c_.beta1;
      b2t[j] = beta2_t_ *= c_.beta2;
    }
    if (!c_.bias_correction) {
      step_.fill(1);
      root_scale_.fill(1);
      return;  // inv_bc2_ stays 1, as filled at construction
    }
    if (c_.eps_form == EpsForm::folded) {
      for (int j = 0; j < kBlock; ++j) step_[j] = std::sqrt(1 - b2t[j]) / (1 - b1t[j]);
      root_scale_.fill(1);
      return;
    }
    // One loop per form, so that each stays a vector loop (a ternary per element would not).
    for (int j = 0; j < kBlock; ++j) {
      step_[j] = 1 / (1 - b1t[j]);
      root_scale_[j] = 1 / std::sqrt(1 - b2t[j]);
    }
    if (form_ != Form::plain && form_ != Form::raw_max)  // the forms that use c
      for (int j = 0; j < kBlock; ++j) inv_bc2_[j] = 1 / (1 - b2t[j]);
  }

  static constexpr int kBlock = 8;
  static constexpr std::array<double, kBlock> filled(double value) {
    std::array<double, kBlock> a;
    a.fill(value);
    return a;
  }
  Config c_;
  Form form_;
  Vec<T> m_, v_, vmax_;
  double beta1_t_ = 1, beta2_t_ = 1;  // β1^t, β2^t of the block's last step
  std::array<double, kBlock> step_, root_scale_, inv_bc2_ = filled(1);
  int next_ = 0;  // the next step's index into the block
};

}  // namespace descent

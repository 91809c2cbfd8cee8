// What a line-search or second-order method may ask of the objective beyond the gradient the
// run loop hands to step(): more evaluations, and the Hessian. The run loop provides it and
// counts every evaluation, so such methods pay for their extra work in grad_evals.
#pragma once

#include "lib/problem.hpp"

namespace descent {

class Oracle {
 public:
  virtual ~Oracle() = default;
  // f and ∇f at x: the full objective, or the current mini-batch for stochastic problems (the
  // same batch for every call within one step). Counts one gradient evaluation.
  virtual double loss_grad(VecIn x, VecOut g) = 0;
  // f at the iterate the step starts from (its gradient is the g passed to step()).
  virtual double current_loss() const = 0;
  virtual bool has_hessian() const = 0;
  virtual void hessian(VecIn x, Eigen::Ref<MatX> h) = 0;  // counts one Hessian evaluation
};

}  // namespace descent

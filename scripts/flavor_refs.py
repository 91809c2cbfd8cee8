#!/usr/bin/env python3
"""Independent NumPy reference trajectories for the optimizer flavors.

Writes tests/golden/flavors/{cases.csv,losses.csv,README.md}: for every case,
the loss before any step (iter 0) and after each of 200 steps, in float64.
Each (optimizer, flavor) update below is written from that framework's own
source, in the source's order of operations (sources named in SOURCES).

    python3 scripts/flavor_refs.py          # write the three files
    python3 scripts/flavor_refs.py --check  # exit 1 if the CSVs are stale

Only numpy and the standard library are used.
"""
import csv
import io
import math
import os
import sys

try:
    import numpy as np
except ImportError:  # e.g. a pyenv python3 without numpy: use Debian's
    if os.path.exists("/usr/bin/python3") and os.path.realpath(
            sys.executable) != os.path.realpath("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    raise

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "golden", "flavors")
ITERS = 200
FLAVORS = ("torch", "optax", "keras", "ensmallen")

SOURCES = {
    "torch": "torch.optim 1.13 (torch/optim/{adam,adamw,rmsprop,adagrad,"
             "adadelta,sgd,adamax}.py `_single_tensor_*`, nadam.py "
             "`_multi_tensor_nadam`), written from the 1.13 formulas",
    "optax": "google-deepmind/optax 2edbcbe2390da13983b92cbef94ac0460ecde1c5 "
             "(0.2.9.dev): optax/_src/alias.py, optax/_src/transform.py, "
             "optax/transforms/_accumulation.py, _adding.py, "
             "optax/tree_utils/_tree_math.py",
    "keras": "keras-team/keras 3422977a5e38fb2f7709aaa9a08e47f0c43d0f60 "
             "(3.16.0): keras/src/optimizers/*.py (generic update_step path)",
    "ensmallen": "mlpack/ensmallen f65354c0420b29346ec485ef7d33c3d7766ce9d1 "
                 "(3.11.1): include/ensmallen_bits/*/*_update.hpp, "
                 "sgd/update_policies/*.hpp, optimizer headers for defaults",
}


# ----------------------------------------------------------------- problems
def quad_diag():
    """l_i = 100^(i/4), i = 0..4 (quadratic:dim=5,cond=100)."""
    return np.array([100.0 ** (i / 4) for i in range(5)])


def quad_loss(x):
    """f(x) = 1/2 sum_i l_i x_i^2, summed in index order."""
    s = 0.0
    for li, xi in zip(quad_diag(), x):
        s += li * xi * xi
    return 0.5 * s


def quad_grad(x):
    return quad_diag() * x


def rosen_loss(x):
    """f(x, y) = 100 (y - x^2)^2 + (1 - x)^2."""
    a = x[1] - x[0] * x[0]
    b = 1.0 - x[0]
    return 100.0 * a * a + b * b


def rosen_grad(x):
    a = x[1] - x[0] * x[0]
    return np.array([-400.0 * x[0] * a - 2.0 * (1.0 - x[0]), 200.0 * a])


PROBLEMS = (
    ("quadratic:dim=5,cond=100", [1.0] * 5, quad_loss, quad_grad),
    ("rosenbrock", [-1.2, 1.0], rosen_loss, rosen_grad),
)


# ----------------------------------------------------------------- defaults
# Used when the spec string does not give the key.  torch: the project's
# defaults.  optax has no default lr: the torch project default is used.
_TORCH = {
    "adam": dict(lr=1e-3, b1=0.9, b2=0.999, eps=1e-8),
    "adamw": dict(lr=1e-3, b1=0.9, b2=0.999, eps=1e-8, weight_decay=1e-2),
    "rmsprop": dict(lr=1e-2, alpha=0.99, eps=1e-8, momentum=0.0),
    "adagrad": dict(lr=1e-2, eps=1e-10, G0=0.0),
    "adadelta": dict(lr=1.0, rho=0.9, eps=1e-6),
    "momentum": dict(lr=1e-3, momentum=0.9),
    "nesterov": dict(lr=1e-3, momentum=0.9),
    "nadam": dict(lr=2e-3, b1=0.9, b2=0.999, eps=1e-8, momentum_decay=4e-3),
    "adamax": dict(lr=2e-3, b1=0.9, b2=0.999, eps=1e-8),
}
DEFAULTS = {
    "torch": _TORCH,
    # alias.py signatures; lr (and SGD momentum, default None) from torch.
    "optax": {
        "adam": dict(lr=1e-3, b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0),
        "adamw": dict(lr=1e-3, b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0,
                      weight_decay=1e-4),
        "rmsprop": dict(lr=1e-2, decay=0.9, eps=1e-8, momentum=0.0),
        "adagrad": dict(lr=1e-2, initial_accumulator_value=0.1, eps=1e-7),
        "adadelta": dict(lr=1.0, rho=0.9, eps=1e-6),
        "momentum": dict(lr=1e-3, momentum=0.9),
        "nesterov": dict(lr=1e-3, momentum=0.9),
        "nadam": dict(lr=2e-3, b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0),
        "adamax": dict(lr=2e-3, b1=0.9, b2=0.999, eps=1e-8),
    },
    # keras/src/optimizers/*.py constructor defaults; SGD momentum 0.9.
    "keras": {
        "adam": dict(lr=1e-3, b1=0.9, b2=0.999, eps=1e-7),
        "adamw": dict(lr=1e-3, b1=0.9, b2=0.999, eps=1e-7,
                      weight_decay=0.004),
        "rmsprop": dict(lr=1e-3, rho=0.9, eps=1e-7, momentum=0.0),
        "adagrad": dict(lr=1e-3, initial_accumulator_value=0.1, eps=1e-7),
        "adadelta": dict(lr=1e-3, rho=0.95, eps=1e-7),
        "momentum": dict(lr=1e-2, momentum=0.9),
        "nesterov": dict(lr=1e-2, momentum=0.9),
        "nadam": dict(lr=1e-3, b1=0.9, b2=0.999, eps=1e-7),
        "adamax": dict(lr=1e-3, b1=0.9, b2=0.999, eps=1e-7),
    },
    # AdamType(0.001, 32, 0.9, 0.999, 1e-8) for Adam/AMSGrad/AdaMax/Nadam
    # (Nadam's beta2 comes from the AdamType ctor, scheduleDecay stays 4e-3);
    # RMSProp(0.01, 32, 0.99, 1e-8); AdaGrad(0.01, 32, 1e-8);
    # AdaDelta(1.0, 32, 0.95, 1e-6); SGD(0.01) + MomentumUpdate(0.5).
    "ensmallen": {
        "adam": dict(lr=1e-3, b1=0.9, b2=0.999, eps=1e-8),
        "rmsprop": dict(lr=1e-2, alpha=0.99, eps=1e-8, momentum=0.0),
        "adagrad": dict(lr=1e-2, eps=1e-8),
        "adadelta": dict(lr=1.0, rho=0.95, eps=1e-6),
        "momentum": dict(lr=1e-2, momentum=0.5),
        "nesterov": dict(lr=1e-2, momentum=0.5),
        "nadam": dict(lr=1e-3, b1=0.9, b2=0.999, eps=1e-8,
                      schedule_decay=4e-3),
        "adamax": dict(lr=1e-3, b1=0.9, b2=0.999, eps=1e-8),
    },
}


def zeros(s, key, x, fill=0.0):
    """State buffer `key`, created on first use as full_like(x, fill)."""
    if key not in s:
        s[key] = np.full_like(x, fill)
    return s[key]


# Every update takes (x, g, s, p, lr, t): parameters x, gradient g at x, the
# state dict s, the merged parameters p, this step's rate lr, the 1-based step
# count t; it returns the new x.

# ------------------------------------------------------------------- torch
def torch_adam(x, g, s, p, lr, t):
    """adam.py _single_tensor_adam (1.13):
    m.mul_(b1).add_(g, alpha=1-b1); v.mul_(b2).addcmul_(g, g, value=1-b2)
    step_size = lr/bc1; [vmax = maximum(vmax, v)]
    denom = (sqrt(v or vmax)/sqrt(bc2)).add_(eps)
    x.addcdiv_(m, denom, value=-step_size)
    """
    b1, b2 = p["b1"], p["b2"]
    m = s["m"] = zeros(s, "m", x) * b1 + (1 - b1) * g
    v = s["v"] = zeros(s, "v", x) * b2 + (1 - b2) * (g * g)
    bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
    if p.get("amsgrad"):
        v = s["vmax"] = np.maximum(zeros(s, "vmax", x), v)
    denom = np.sqrt(v) / math.sqrt(bc2) + p["eps"]
    return x + (-(lr / bc1)) * (m / denom)


def torch_adamw(x, g, s, p, lr, t):
    """adamw.py _single_tensor_adamw (1.13): param.mul_(1 - lr*weight_decay),
    then the Adam step above with the gradient taken before the decay."""
    x = x * (1 - lr * p["weight_decay"])
    return torch_adam(x, g, s, p, lr, t)


def torch_rmsprop(x, g, s, p, lr, t):
    """rmsprop.py _single_tensor_rmsprop (1.13):
    sq.mul_(alpha).addcmul_(g, g, 1-alpha)
    centered: ga.mul_(alpha).add_(g, 1-alpha)
              avg = sq.addcmul(ga, ga, value=-1).sqrt_()
    else avg = sq.sqrt();  avg = avg.add_(eps)
    momentum > 0: buf.mul_(momentum).addcdiv_(g, avg); x.add_(buf, alpha=-lr)
    else x.addcdiv_(g, avg, value=-lr)
    """
    a = p["alpha"]
    sq = s["sq"] = zeros(s, "sq", x) * a + (1 - a) * (g * g)
    if p.get("centered"):
        ga = s["ga"] = zeros(s, "ga", x) * a + (1 - a) * g
        avg = np.sqrt(sq - ga * ga) + p["eps"]
    else:
        avg = np.sqrt(sq) + p["eps"]
    if p["momentum"] > 0:
        buf = s["buf"] = zeros(s, "buf", x) * p["momentum"] + g / avg
        return x + (-lr) * buf
    return x + (-lr) * (g / avg)


def torch_adagrad(x, g, s, p, lr, t):
    """adagrad.py _single_tensor_adagrad (1.13), lr_decay=0:
    clr = lr; state_sum.addcmul_(g, g, 1); std = state_sum.sqrt().add_(eps)
    x.addcdiv_(g, std, value=-clr)"""
    acc = s["acc"] = zeros(s, "acc", x, p["G0"]) + g * g
    return x + (-lr) * (g / (np.sqrt(acc) + p["eps"]))


def torch_adadelta(x, g, s, p, lr, t):
    """adadelta.py _single_tensor_adadelta (1.13):
    sq.mul_(rho).addcmul_(g, g, 1-rho); std = sq.add(eps).sqrt_()
    delta = acc.add(eps).sqrt_().div_(std).mul_(g)
    acc.mul_(rho).addcmul_(delta, delta, 1-rho); x.add_(delta, alpha=-lr)"""
    rho, eps = p["rho"], p["eps"]
    sq = s["sq"] = zeros(s, "sq", x) * rho + (1 - rho) * (g * g)
    delta = np.sqrt(zeros(s, "acc", x) + eps) / np.sqrt(sq + eps) * g
    s["acc"] = s["acc"] * rho + (1 - rho) * (delta * delta)
    return x + (-lr) * delta


def torch_sgd(x, g, s, p, lr, nesterov):
    """sgd.py _single_tensor_sgd (1.13), dampening 0:
    buf = clone(g) on the first step, else buf.mul_(momentum).add_(g)
    d_p = g.add(buf, alpha=momentum) if nesterov else buf; x.add_(d_p, -lr)"""
    mu = p["momentum"]
    buf = s["buf"] = g.copy() if "buf" not in s else s["buf"] * mu + g
    d = g + mu * buf if nesterov else buf
    return x + (-lr) * d


def torch_momentum(x, g, s, p, lr, t):
    return torch_sgd(x, g, s, p, lr, False)


def torch_nesterov(x, g, s, p, lr, t):
    return torch_sgd(x, g, s, p, lr, True)


def torch_nadam(x, g, s, p, lr, t):
    """nadam.py _multi_tensor_nadam (1.13; = torch >= 2.0):
    mu = b1*(1 - 0.5*0.96**(t*md)); mu_next = b1*(1 - 0.5*0.96**((t+1)*md))
    mu_product *= mu; m = m*b1 + (1-b1) g; v = v*b2 + (1-b2) g*g
    denom = sqrt(v)/sqrt(bc2) + eps
    x.addcdiv_(g, denom, -lr*(1-mu)/(1-mu_product))
    x.addcdiv_(m, denom, -lr*mu_next/(1-mu_product*mu_next))"""
    b1, b2, md = p["b1"], p["b2"], p["momentum_decay"]
    mu = b1 * (1.0 - 0.5 * 0.96 ** (t * md))
    mu_next = b1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * md))
    prod = s["prod"] = s.get("prod", 1.0) * mu
    m = s["m"] = zeros(s, "m", x) * b1 + (1 - b1) * g
    v = s["v"] = zeros(s, "v", x) * b2 + (1 - b2) * (g * g)
    denom = np.sqrt(v) / math.sqrt(1 - b2 ** t) + p["eps"]
    x = x + (lr * (1.0 - mu) / (1.0 - prod) * -1) * (g / denom)
    return x + (lr * mu_next / (1.0 - prod * mu_next) * -1) * (m / denom)


def torch_adamax(x, g, s, p, lr, t):
    """adamax.py _single_tensor_adamax (1.13):
    m.mul_(b1).add_(g, 1-b1); u = amax(cat([u.mul_(b2), g.abs().add_(eps)]))
    clr = lr/(1 - b1**t); x.addcdiv_(m, u, value=-clr)"""
    b1 = p["b1"]
    m = s["m"] = zeros(s, "m", x) * b1 + (1 - b1) * g
    u = s["u"] = np.maximum(zeros(s, "u", x) * p["b2"], np.abs(g) + p["eps"])
    return x + (-(lr / (1 - b1 ** t))) * (m / u)


# ------------------------------------------------------------------- optax
# Updates are negated and scaled by scale_by_learning_rate (transform.py:1007
# /1032: (-lr) * u); apply_updates adds them: x + (-lr) * u.
def optax_moments(x, g, s, p):
    """tree_update_moment (_tree_math.py:398): (1-decay)*g**order + decay*t."""
    b1, b2 = p["b1"], p["b2"]
    mu = s["mu"] = (1 - b1) * g + b1 * zeros(s, "mu", x)
    nu = s["nu"] = (1 - b2) * (g ** 2) + b2 * zeros(s, "nu", x)
    return mu, nu


def optax_adam_u(x, g, s, p, t, nesterov=False):
    """scale_by_adam (transform.py:282-302): mu_hat = mu/(1-b1**t)
    (nesterov, :288: b1*mu/(1-b1**(t+1)) + (1-b1)*g/(1-b1**t)),
    nu_hat = nu/(1-b2**t); u = mu_hat/(sqrt(nu_hat + eps_root) + eps)"""
    b1 = p["b1"]
    mu, nu = optax_moments(x, g, s, p)
    if nesterov:
        mu_hat = (b1 * (mu / (1 - b1 ** (t + 1)))
                  + (1 - b1) * (g / (1 - b1 ** t)))
    else:
        mu_hat = mu / (1 - b1 ** t)
    nu_hat = nu / (1 - p["b2"] ** t)
    return mu_hat / (np.sqrt(nu_hat + p["eps_root"]) + p["eps"])


def optax_adam(x, g, s, p, lr, t):
    """alias.py adam: chain(scale_by_adam, scale_by_learning_rate)."""
    return x + (-lr) * optax_adam_u(x, g, s, p, t)


def optax_amsgrad(x, g, s, p, lr, t):
    """alias.py amsgrad -> scale_by_amsgrad (transform.py:362-384):
    nu_max = maximum(nu_max, nu/(1-b2**t)) (max of the CORRECTED nu);
    u = (mu/(1-b1**t)) / (sqrt(nu_max + eps_root) + eps)"""
    mu, nu = optax_moments(x, g, s, p)
    mu_hat = mu / (1 - p["b1"] ** t)
    nmax = s["nmax"] = np.maximum(zeros(s, "nmax", x), nu / (1 - p["b2"] ** t))
    return x + (-lr) * (mu_hat / (np.sqrt(nmax + p["eps_root"]) + p["eps"]))


def optax_adamw(x, g, s, p, lr, t):
    """alias.py adamw (:734-745): chain(scale_by_adam, add_decayed_weights,
    scale_by_learning_rate); add_decayed_weights (_adding.py:73): u + wd*x."""
    u = optax_adam_u(x, g, s, p, t) + p["weight_decay"] * x
    return x + (-lr) * u


def optax_rmsprop(x, g, s, p, lr, t):
    """alias.py rmsprop (:2041-2071): chain(scale_by_rms | scale_by_stddev,
    scale_by_learning_rate, trace(momentum)) -- momentum AFTER the rate.
    scale_by_rms (transform.py:140): u = rsqrt(nu + eps) * g
    scale_by_stddev (:218): u = rsqrt(nu - mu^2 + eps) * g
    trace (_accumulation.py:68): tr = upd + momentum*tr; the update is tr."""
    d = p["decay"]
    nu = s["nu"] = (1 - d) * (g ** 2) + d * zeros(s, "nu", x)
    if p.get("centered"):
        mu = s["mu"] = (1 - d) * g + d * zeros(s, "mu", x)
        u = (1.0 / np.sqrt(nu - mu * mu + p["eps"])) * g
    else:
        u = (1.0 / np.sqrt(nu + p["eps"])) * g
    u = (-lr) * u
    if p["momentum"]:
        u = s["tr"] = u + p["momentum"] * zeros(s, "tr", x)
    return x + u


def optax_adagrad(x, g, s, p, lr, t):
    """alias.py adagrad -> scale_by_rss (transform.py:66-75):
    sos = g^2 + sos (sos0 = initial_accumulator_value);
    u = where(sos > 0, rsqrt(sos + eps), 0) * g"""
    sos0 = zeros(s, "sos", x, p["initial_accumulator_value"])
    sos = s["sos"] = g ** 2 + sos0
    inv = np.where(sos > 0, 1.0 / np.sqrt(sos + p["eps"]), 0.0)
    return x + (-lr) * (inv * g)


def optax_adadelta(x, g, s, p, lr, t):
    """alias.py adadelta -> scale_by_adadelta (transform.py:597-606):
    e_g = (1-rho) g^2 + rho e_g; u = sqrt(e_x + eps)/sqrt(e_g + eps) * g
    e_x = (1-rho) u^2 + rho e_x  (old e_x in u)"""
    rho, eps = p["rho"], p["eps"]
    e_g = s["e_g"] = (1 - rho) * (g ** 2) + rho * zeros(s, "e_g", x)
    u = np.sqrt(zeros(s, "e_x", x) + eps) / np.sqrt(e_g + eps) * g
    s["e_x"] = (1 - rho) * (u ** 2) + rho * s["e_x"]
    return x + (-lr) * u


def optax_sgd(x, g, s, p, lr, nesterov):
    """alias.py sgd (:2150-2161): chain(trace(momentum, nesterov), scale_by_lr)
    -- momentum BEFORE the rate: tr = g + mu*tr;
    update = g + mu*tr (nesterov, _accumulation.py:75) or tr;
    x += -lr*update"""
    mu = p["momentum"]
    tr = s["tr"] = g + mu * zeros(s, "tr", x)
    u = g + mu * tr if nesterov else tr
    return x + (-lr) * u


def optax_momentum(x, g, s, p, lr, t):
    return optax_sgd(x, g, s, p, lr, False)


def optax_nesterov(x, g, s, p, lr, t):
    return optax_sgd(x, g, s, p, lr, True)


def optax_nadam(x, g, s, p, lr, t):
    """alias.py:550 nadam = partial(adam, nesterov=True)."""
    return x + (-lr) * optax_adam_u(x, g, s, p, t, nesterov=True)


def optax_adamax(x, g, s, p, lr, t):
    """scale_by_adamax (transform.py:416-424): mu = (1-b1) g + b1 mu;
    nu = maximum(|g| + eps, b2*nu) (_tree_math.py:410, eps INSIDE the max);
    u = (mu/(1-b1**t)) / nu"""
    b1 = p["b1"]
    mu = s["mu"] = (1 - b1) * g + b1 * zeros(s, "mu", x)
    nu0 = zeros(s, "nu", x)
    nu = s["nu"] = np.maximum(np.abs(g) + p["eps"], p["b2"] * nu0)
    return x + (-lr) * ((mu / (1 - b1 ** t)) / nu)


# ------------------------------------------------------------------- keras
def keras_ema(s, key, x, target, decay):
    """assign_add(buf, (target - buf) * (1 - decay)), as adam.py:119-124."""
    old = zeros(s, key, x)
    s[key] = old + (target - old) * (1 - decay)
    return s[key]


def keras_adam(x, g, s, p, lr, t):
    """adam.py:117-136: alpha = lr*sqrt(1-b2^t)/(1-b1^t);
    m += (g-m)(1-b1); v += (g^2-v)(1-b2); [vhat = max(vhat, v)]
    w -= (m*alpha)/(sqrt(v or vhat) + eps)"""
    b1, b2 = p["b1"], p["b2"]
    alpha = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
    m = keras_ema(s, "m", x, g, b1)
    v = keras_ema(s, "v", x, g * g, b2)
    if p.get("amsgrad"):
        v = s["vhat"] = np.maximum(zeros(s, "vhat", x), v)
    return x - (m * alpha) / (np.sqrt(v) + p["eps"])


def keras_adamw(x, g, s, p, lr, t):
    """base_optimizer.py:959 _apply_weight_decay, run before update_step:
    w = w - w*wd*lr; then adam.py's update with g taken at the old w."""
    x = x - x * p["weight_decay"] * lr
    return keras_adam(x, g, s, p, lr, t)


def keras_rmsprop(x, g, s, p, lr, t):
    """rmsprop.py:126-154: v = rho v + (1-rho) g^2;
    centered: mg = rho mg + (1-rho) g; den = v - mg^2 + eps, else den = v + eps
    inc = lr*g/sqrt(den); momentum > 0: buf = momentum*buf + inc; w -= buf"""
    rho = p["rho"]
    v = s["v"] = rho * zeros(s, "v", x) + (1 - rho) * (g * g)
    if p.get("centered"):
        mg = s["mg"] = rho * zeros(s, "mg", x) + (1 - rho) * g
        den = v - mg * mg + p["eps"]
    else:
        den = v + p["eps"]
    inc = (lr * g) / np.sqrt(den)
    if p["momentum"] > 0:
        inc = s["buf"] = p["momentum"] * zeros(s, "buf", x) + inc
    return x - inc


def keras_adagrad(x, g, s, p, lr, t):
    """adagrad.py:85-88: acc (init 0.1) += g^2; w -= lr*g/sqrt(acc + eps)"""
    acc = s["acc"] = zeros(s, "acc", x, p["initial_accumulator_value"]) + g * g
    return x - (lr * g) / np.sqrt(acc + p["eps"])


def keras_adadelta(x, g, s, p, lr, t):
    """adadelta.py:100-119: Eg2 = rho Eg2 + (1-rho) g^2;
    d = -(sqrt(Edx2 + eps)*g)/sqrt(Eg2 + eps) (old Edx2);
    Edx2 = rho Edx2 + (1-rho) d^2; w += lr*d"""
    rho, eps = p["rho"], p["eps"]
    eg = s["eg"] = rho * zeros(s, "eg", x) + (1 - rho) * (g * g)
    d = -((np.sqrt(zeros(s, "edx", x) + eps) * g) / np.sqrt(eg + eps))
    s["edx"] = rho * s["edx"] + (1 - rho) * (d * d)
    return x + lr * d


def keras_sgd(x, g, s, p, lr, nesterov):
    """sgd.py:105-121: m = m*momentum - g*lr;
    nesterov: w += m*momentum - g*lr (new m); else w += m"""
    mu = p["momentum"]
    m = s["m"] = zeros(s, "m", x) * mu - g * lr
    return x + (m * mu - g * lr if nesterov else m)


def keras_momentum(x, g, s, p, lr, t):
    return keras_sgd(x, g, s, p, lr, False)


def keras_nesterov(x, g, s, p, lr, t):
    return keras_sgd(x, g, s, p, lr, True)


def keras_nadam(x, g, s, p, lr, t):
    """nadam.py:97-145: P = P*b1*(1 - 0.5*0.96^t) (once per step, before
    update_step); u_t = b1(1-0.5*0.96^t); u_t1 = b1(1-0.5*0.96^(t+1));
    m += (g-m)(1-b1); v += (g^2-v)(1-b2);
    m_hat = u_t1 m/(1 - P u_t1) + (1-u_t) g/(1-P); v_hat = v/(1-b2^t)
    w -= (m_hat*lr)/(sqrt(v_hat) + eps)"""
    b1, b2 = p["b1"], p["b2"]
    prod = s["P"] = s.get("P", 1.0) * b1 * (1.0 - 0.5 * 0.96 ** t)
    u_t = b1 * (1.0 - 0.5 * 0.96 ** t)
    u_t1 = b1 * (1.0 - 0.5 * 0.96 ** (t + 1))
    m = keras_ema(s, "m", x, g, b1)
    v = keras_ema(s, "v", x, g * g, b2)
    m_hat = (u_t1 * m) / (1 - prod * u_t1) + ((1 - u_t) * g) / (1 - prod)
    v_hat = v / (1 - b2 ** t)
    return x - (m_hat * lr) / (np.sqrt(v_hat) + p["eps"])


def keras_adamax(x, g, s, p, lr, t):
    """adamax.py:117-129: m += (g-m)(1-b1); u = max(b2*u, |g|);
    w -= (lr*m)/((1-b1^t)*(u + eps))"""
    b1 = p["b1"]
    m = keras_ema(s, "m", x, g, b1)
    u = s["u"] = np.maximum(p["b2"] * zeros(s, "u", x), np.abs(g))
    return x - (lr * m) / ((1 - b1 ** t) * (u + p["eps"]))


# --------------------------------------------------------------- ensmallen
def ens_moments(x, g, s, p):
    """m *= b1; m += (1-b1) g;  v *= b2; v += (1-b2) g^2"""
    b1, b2 = p["b1"], p["b2"]
    m = s["m"] = zeros(s, "m", x) * b1 + (1 - b1) * g
    v = s["v"] = zeros(s, "v", x) * b2 + (1 - b2) * (g * g)
    return m, v


def ens_adam(x, g, s, p, lr, t):
    """adam/adam_update.hpp:125-141:
    x -= (lr*sqrt(bc2)/bc1) * m/(sqrt(v) + eps)"""
    m, v = ens_moments(x, g, s, p)
    step = lr * math.sqrt(1 - p["b2"] ** t) / (1 - p["b1"] ** t)
    return x - step * m / (np.sqrt(v) + p["eps"])


def ens_amsgrad(x, g, s, p, lr, t):
    """adam/amsgrad_update.hpp:121-135: vImproved = max(vImproved, v) (raw v);
    x -= (lr*sqrt(bc2)/bc1) * m/(sqrt(vImproved) + eps)"""
    m, v = ens_moments(x, g, s, p)
    vi = s["vi"] = np.maximum(zeros(s, "vi", x), v)
    step = lr * math.sqrt(1 - p["b2"] ** t) / (1 - p["b1"] ** t)
    return x - step * m / (np.sqrt(vi) + p["eps"])


def ens_adamax(x, g, s, p, lr, t):
    """adam/adamax_update.hpp:126-136: u *= b2; u = max(u, |g|);
    x -= lr/bc1 * m/(u + eps)"""
    b1 = p["b1"]
    m = s["m"] = zeros(s, "m", x) * b1 + (1 - b1) * g
    u = s["u"] = np.maximum(zeros(s, "u", x) * p["b2"], np.abs(g))
    return x - (lr / (1 - b1 ** t)) * m / (u + p["eps"])


def ens_nadam(x, g, s, p, lr, t):
    """adam/nadam_update.hpp:129-153: b1T = b1(1 - 0.5*0.96^(t*sd));
    b1T1 = b1(1 - 0.5*0.96^((t+1)*sd)); cum *= b1T; bc1 = 1-cum;
    bc2 = 1-b2^t; bc3 = 1-cum*b1T1;
    x -= (lr*((1-b1T)/bc1*g + b1T1/bc3*m)*sqrt(bc2))/(sqrt(v) + eps)"""
    b1, sd = p["b1"], p["schedule_decay"]
    m, v = ens_moments(x, g, s, p)
    b1t = b1 * (1 - 0.5 * 0.96 ** (t * sd))
    b1t1 = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * sd))
    cum = s["cum"] = s.get("cum", 1.0) * b1t
    bc1, bc2, bc3 = 1 - cum, 1 - p["b2"] ** t, 1 - cum * b1t1
    num = lr * (((1 - b1t) / bc1) * g + (b1t1 / bc3) * m) * math.sqrt(bc2)
    return x - num / (np.sqrt(v) + p["eps"])


def ens_rmsprop(x, g, s, p, lr, t):
    """rmsprop/rmsprop_update.hpp:113-116: msg *= alpha;
    msg += (1-alpha) g^2; x -= lr*g/(sqrt(msg) + eps)"""
    a = p["alpha"]
    msg = s["msg"] = zeros(s, "msg", x) * a + (1 - a) * (g * g)
    return x - lr * g / (np.sqrt(msg) + p["eps"])


def ens_adagrad(x, g, s, p, lr, t):
    """ada_grad/ada_grad_update.hpp:104-105: sq += g^2;
    x -= (lr*g)/(sqrt(sq) + eps)"""
    sq = s["sq"] = zeros(s, "sq", x) + g * g
    return x - (lr * g) / (np.sqrt(sq) + p["eps"])


def ens_adadelta(x, g, s, p, lr, t):
    """ada_delta/ada_delta_update.hpp:113-123: msg *= rho; msg += (1-rho) g^2;
    dx = sqrt((msgDx + eps)/(msg + eps)) % g; msgDx *= rho;
    msgDx += (1-rho) dx^2; x -= lr*dx"""
    rho, eps = p["rho"], p["eps"]
    msg = s["msg"] = zeros(s, "msg", x) * rho + (1 - rho) * (g * g)
    dx = np.sqrt((zeros(s, "dx2", x) + eps) / (msg + eps)) * g
    s["dx2"] = s["dx2"] * rho + (1 - rho) * (dx * dx)
    return x - lr * dx


def ens_momentum(x, g, s, p, lr, t):
    """sgd/update_policies/momentum_update.hpp:118-119:
    velocity = momentum*velocity - lr*g; x += velocity"""
    v = s["vel"] = p["momentum"] * zeros(s, "vel", x) - lr * g
    return x + v


def ens_nesterov(x, g, s, p, lr, t):
    """sgd/update_policies/nesterov_momentum_update.hpp:95-96:
    velocity = momentum*velocity - lr*g; x += momentum*velocity - lr*g"""
    mu = p["momentum"]
    v = s["vel"] = mu * zeros(s, "vel", x) - lr * g
    return x + (mu * v - lr * g)


PREFIX = {"torch": "torch_", "optax": "optax_", "keras": "keras_",
          "ensmallen": "ens_"}


# ------------------------------------------------------------ spec / cases
def parse_spec(spec):
    """'name:key=value,...' -> (name, {key: value-string})."""
    name, _, rest = spec.partition(":")
    kv = dict(item.split("=", 1) for item in rest.split(",") if item)
    return name, kv


def resolve(spec):
    """-> (update function, merged parameters) or None if the framework lacks
    the optimizer or the requested variant."""
    name, kv = parse_spec(spec)
    flavor = kv.pop("flavor")
    base = DEFAULTS[flavor].get(name)
    if base is None:
        return None
    p = dict(base)
    p.update({k: float(v) for k, v in kv.items()})
    if flavor == "ensmallen" and name == "rmsprop" and (
            p.get("momentum") or p.get("centered")):
        return None  # RMSPropUpdate has neither momentum nor centering
    fname = name
    separate = ("optax", "ensmallen")  # optax.amsgrad, ens::AMSGrad
    if name == "adam" and p.get("amsgrad") and flavor in separate:
        fname = "amsgrad"
    return globals()[PREFIX[flavor] + fname], p


def rate(p, schedule, k):
    """Rate of the step with 0-based index k: lr * gamma^k or lr."""
    if not schedule:
        return p["lr"]
    _, kv = parse_spec(schedule)
    return p["lr"] * float(kv["gamma"]) ** k


def trajectory(fn, p, schedule, x0, loss, grad):
    """Losses at x0 and after each of ITERS steps."""
    x, s, out = np.array(x0, dtype=np.float64), {}, []
    with np.errstate(all="ignore"):
        out.append(float(loss(x)))
        for k in range(ITERS):
            x = fn(x, grad(x), s, p, rate(p, schedule, k), k + 1)
            out.append(float(loss(x)))
    return out


# A case whose losses move by more than this (relative) when x0 moves by one
# ulp amplifies roundoff chaotically: no implementation can match it to the
# project's ~1e-9, so it is dropped (well-conditioned cases stay below 1e-12).
CHAOS_TOL = 1e-11


def run(spec, schedule, problem):
    """-> (losses, None) or (None, reason) if not finite or chaotic."""
    _, x0, loss, grad = problem
    fn, p = resolve(spec)
    out = trajectory(fn, p, schedule, x0, loss, grad)
    if not all(math.isfinite(v) for v in out):
        return None, "non-finite loss"
    x1 = [float(np.nextafter(v, np.inf)) for v in x0]
    alt = trajectory(fn, p, schedule, x1, loss, grad)
    worst = max(abs(a - b) / abs(a) if a else abs(b) for a, b in zip(out, alt))
    if not worst <= CHAOS_TOL:
        return None, f"chaotic: 1 ulp in x0 moves a loss by {worst:.1e}"
    return out, None


EXP = "exp:gamma=0.99"
TEMPLATES = (
    ("adam:flavor={F},lr=0.01", ""),
    ("adam:flavor={F},lr=0.01,amsgrad=1", ""),
    ("adam:flavor=keras", ""),
    ("adam:flavor=optax,lr=0.01,eps_root=1e-8", ""),
    ("adamw:flavor={F},lr=0.01", ""),
    ("rmsprop:flavor={F},lr=0.01", ""),
    ("rmsprop:flavor={F},lr=0.001,momentum=0.9", EXP),
    ("rmsprop:flavor={F},lr=0.01,centered=1", ""),
    ("adagrad:flavor={F},lr=0.1", ""),
    ("adadelta:flavor={F}", ""),
    ("momentum:flavor={F},lr=0.001", EXP),
    ("nesterov:flavor={F},lr=0.001", EXP),
    ("nadam:flavor={F},lr=0.01", ""),
    ("adamax:flavor={F},lr=0.01", ""),
)


def specs():
    """(spec, schedule) for every template and flavor, in a fixed order."""
    for tmpl, sched in TEMPLATES:
        flavors = FLAVORS if "{F}" in tmpl else (None,)
        for f in flavors:
            yield tmpl.replace("{F}", f or ""), sched


def build():
    """-> (cases rows, losses rows, skipped specs, dropped (spec, problem))."""
    cases, losses, skipped, dropped = [], [], [], []
    for spec, sched in specs():
        if resolve(spec) is None:
            skipped.append(spec)
            continue
        for prob in PROBLEMS:
            traj, why = run(spec, sched, prob)
            if traj is None:
                dropped.append((spec, prob[0], why))
                continue
            cid = len(cases)
            x0 = ";".join(repr(float(v)) for v in prob[1])
            cases.append([cid, prob[0], x0, spec, sched, ITERS])
            losses.extend([cid, i, repr(v)] for i, v in enumerate(traj))
    return cases, losses, skipped, dropped


def to_csv(header, rows):
    buf = io.StringIO()
    w = csv.writer(buf)  # default dialect: \r\n, as tests/golden/*.csv
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


README = """# Flavor reference trajectories

Loss trajectories of the `flavor=` variants of the optimizers, computed in
float64 by `scripts/flavor_refs.py`, an independent NumPy transcription of
each framework's update rule in that framework's order of operations (not
derived from `lib/optimizers/`). Same format as `tests/golden/`: `cases.csv`
(`case,problem,x0,optimizer,schedule,iters`) and `losses.csv`
(`case,iter,loss`, iter 0 = loss at x0, losses as round-trip `repr`).
{ncases} cases, 200 steps each, on `quadratic:dim=5,cond=100` (x0 = 1) and
`rosenbrock` (x0 = -1.2, 1). `exp:gamma=0.99`: step k (0-based) uses rate
lr*0.99^k. Regenerate: `python3 scripts/flavor_refs.py`; verify: `--check`.

## Sources
{sources}

## Defaults
Unset keys take each framework's own constructor defaults, except: optax has
no default learning rate (torch project defaults used; for adadelta optax's
`learning_rate=None` makes `scale_by_learning_rate` the identity, which would
ADD the update, i.e. ascend; lr = 1.0 with the usual sign is used instead);
optax `sgd(momentum=None)` and Keras `SGD(momentum=0.0)` get momentum 0.9;
ensmallen momentum/nesterov keep `MomentumUpdate(0.5)`. Keras defaults:
eps 1e-7, adamw weight_decay 0.004, rmsprop rho 0.9, adagrad accumulator 0.1,
adadelta lr 0.001/rho 0.95. optax: adamw weight_decay 1e-4, rmsprop decay 0.9,
adagrad accumulator 0.1/eps 1e-7. ensmallen: Nadam beta2 0.999 (the AdamType
ctor's, not NadamUpdate's 0.99), scheduleDecay 4e-3, AdaDelta rho 0.95.

## Departures and readings
- Skipped (framework lacks it): {skipped}.
- Dropped on one problem (non-finite, or chaotic: the losses move by more
  than 1e-11 relative when x0 moves by one ulp, so roundoff decides them):
  {dropped}.
- Keras stores lr as a floatx (float32) variable; here lr is float64 (as if
  floatx='float64'). Keras formulas follow the generic `update_step` path
  (`m += (g-m)(1-b1)`), not the torch-backend foreach rewrite.
- Keras Nadam uses 0.96^t (no 0.004 factor); torch and ensmallen use
  0.96^(0.004 t). optax nadam is `adam(nesterov=True)` (no mu schedule).
- AMSGrad: torch, Keras and ensmallen take the max of the raw v; optax of the
  bias-corrected v.
- Momentum with a schedule: torch and optax accumulate raw g (or g/denom for
  torch RMSprop) and scale by the current rate; Keras, ensmallen and optax
  RMSprop (trace after scale_by_learning_rate) accumulate rate-scaled steps.
- Adamax eps: torch 1.13 and optax put eps inside the max (max(b2 u, |g|+eps));
  Keras and ensmallen add it after (u + eps).
- ensmallen: batch scaling (stepSize / batch size) is taken as 1 (one
  deterministic function); its `resetPolicy`/tolerance stops are not modeled.
- torch NAdam: the 1.13 foreach path, denom = sqrt(v)/sqrt(bc2) + eps (the
  same as sqrt(v/bc2) + eps up to roundoff); mu_product includes mu_t.
- optax rmsprop momentum: `trace` follows `scale_by_learning_rate`, so the
  buffer holds -lr_k g/sqrt(nu+eps) (like Keras, unlike torch); optax sgd puts
  `trace` first (buffer of raw g, like torch).
- torch ExponentialLR multiplies the rate step by step; here lr*0.99^k is
  used directly (differences at roundoff level).
"""


def readme(cases, skipped, dropped):
    src = "\n".join(f"- {k}: {v}." for k, v in SOURCES.items())
    drp = "; ".join(f"`{s}` on {p} ({w})" for s, p, w in dropped) or "none"
    skp = ", ".join(f"`{s}`" for s in skipped) or "none"
    return README.format(ncases=len(cases), sources=src, dropped=drp,
                         skipped=skp)


def main(argv):
    cases, losses, skipped, dropped = build()
    files = {
        "cases.csv": to_csv(["case", "problem", "x0", "optimizer", "schedule",
                             "iters"], cases),
        "losses.csv": to_csv(["case", "iter", "loss"], losses),
    }
    if "--check" in argv:
        for name, text in files.items():
            path = os.path.join(OUT, name)
            try:
                with open(path, "rb") as fh:
                    same = fh.read() == text.encode()
            except OSError:
                same = False
            if not same:
                print(f"{path} is stale: run python3 scripts/flavor_refs.py",
                      file=sys.stderr)
                return 1
        print(f"flavor references up to date ({len(cases)} cases)")
        return 0
    files["README.md"] = readme(cases, skipped, dropped)
    os.makedirs(OUT, exist_ok=True)
    for name, text in files.items():
        with open(os.path.join(OUT, name), "w", newline="") as fh:
            fh.write(text)
    print(f"wrote {len(cases)} cases to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

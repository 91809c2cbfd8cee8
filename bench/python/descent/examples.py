"""Python components to copy from: a numpy Adam as a Python optimizer (the README's example,
scripts/bench_python.py and tests/python use it).

    descent.register_optimizer("npadam", NumpyAdam, keys=NUMPY_ADAM_KEYS)
"""

import math

import numpy as np

NUMPY_ADAM_KEYS = {"lr": (1e-3, "positive", "step size α"),
                   "beta1": (0.9, "unit_open", "first-moment decay β1"),
                   "beta2": (0.999, "unit_open", "second-moment decay β2"),
                   "eps": (1e-8, "positive", "added to √v̂ (outside the root)")}


class NumpyAdam:
    """Adam in numpy (Kingma & Ba 2015, Algorithm 1), torch's form, as descent's built-in adam:
        m_t = β1 m_{t-1} + (1 − β1) g_t,   v_t = β2 v_{t-1} + (1 − β2) g_t²
        x_t = x_{t-1} − (α s_t / (1 − β1^t)) · m_t / (√v_t / √(1 − β2^t) + ε)
    with s_t the schedule's factor (lr_scale), computed as
        x_t = x_{t-1} − (α s_t √(1 − β2^t) / (1 − β1^t)) · m_t / (√v_t + ε √(1 − β2^t)),
    equal but for rounding (relative 1e-15). On small problems a numpy operation costs about
    0.5 µs whatever its size, so the step is written for few of them: m and v are the rows of one
    (2, n) array, updated together by two broadcasting operations, and every operation writes
    into preallocated arrays (out= and in-place operators): ten per step.
    """

    def __init__(self, dim, lr, beta1, beta2, eps):
        self.lr, self.b1, self.b2, self.eps = lr, beta1, beta2, eps
        self.mv = np.zeros((2, dim))  # the rows m and v
        self.gg = np.zeros((2, dim))  # the rows (1 − β1) g and (1 − β2) g²
        self.d = np.zeros(dim)
        self.m, self.v, self.g1, self.g2 = self.mv[0], self.mv[1], self.gg[0], self.gg[1]
        self.beta = np.array([[beta1], [beta2]])
        self.one_minus_beta = 1 - self.beta
        self.t = 0

    def reset(self):
        self.mv[:] = 0
        self.t = 0

    def step(self, x, g, lr_scale):
        self.t += 1
        mv, gg, d = self.mv, self.gg, self.d
        gg[:] = g
        self.g2 *= g
        gg *= self.one_minus_beta
        mv *= self.beta
        mv += gg
        root_bc2 = math.sqrt(1 - self.b2 ** self.t)
        np.sqrt(self.v, out=d)
        d += self.eps * root_bc2
        np.divide(self.m, d, out=d)
        d *= self.lr * lr_scale * root_bc2 / (1 - self.b1 ** self.t)
        x -= d

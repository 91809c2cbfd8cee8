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
    with s_t the schedule's factor (lr_scale). Every array operation writes into preallocated
    state (out= and in-place operators): on small problems a numpy step costs about 0.5 µs per
    operation, so the number of operations, not the arithmetic, is its cost.
    """

    def __init__(self, dim, lr, beta1, beta2, eps):
        self.lr, self.b1, self.b2, self.eps = lr, beta1, beta2, eps
        self.m, self.v, self.d = np.zeros(dim), np.zeros(dim), np.zeros(dim)
        self.t = 0

    def reset(self):
        self.m[:] = 0
        self.v[:] = 0
        self.t = 0

    def step(self, x, g, lr_scale):
        self.t += 1
        m, v, d, b1, b2 = self.m, self.v, self.d, self.b1, self.b2
        m *= b1
        np.multiply(g, 1 - b1, out=d)
        m += d
        v *= b2
        np.multiply(g, g, out=d)
        d *= 1 - b2
        v += d
        np.sqrt(v, out=d)
        d /= math.sqrt(1 - b2 ** self.t)
        d += self.eps
        np.divide(m, d, out=d)
        d *= self.lr * lr_scale / (1 - b1 ** self.t)
        x -= d

#!/usr/bin/python3
"""Writes the reference values for Nabla's optimizer tests, computed by PyTorch in float64.

Optimizer cases: two parameters (a 3x4 matrix and a 5-vector) descend a fixed smooth loss for a few steps; for every
step the file holds each parameter's gradient (or "none" when that parameter gets no gradient on that step, which the
optimizer must skip) and each parameter's value after the step. OptimizerReferenceTest feeds the same gradients to
Nabla's optimizer built from the "opt" line and compares the values. Clipping cases hold gradients, the total norm
clip_grad_norm_ returns, and the gradients after clipping; schedule cases hold PyTorch's learning rate per epoch.
Regenerate with:

    /usr/bin/python3 tools/reference/make_optim_fixtures.py > nabla-core/src/test/resources/optim-reference.txt

Needs Debian's python3-torch (for /usr/bin/python3).
"""
import torch

torch.manual_seed(4321)
D = torch.float64
STEPS = 6
SKIP_VECTOR_AT = {2, 4}  # steps on which the vector parameter has no gradient


def rnd(*shape, lo=-1.0, hi=1.0):
    return torch.rand(shape, dtype=D) * (hi - lo) + lo


W0, B0 = rnd(3, 4), rnd(5)
A, C = rnd(3, 4, lo=0.2, hi=3.0), rnd(3, 4)
S = rnd(5, lo=0.5, hi=2.0)


def loss_fn(w, b):
    return 0.5 * (A * (w - C) ** 2).sum() + (S * torch.sin(2 * b)).sum() + (w.sum() * b.sum()) * 0.1


def fmt(t):
    shape = ",".join(str(s) for s in t.shape)
    values = " ".join(repr(float(v)) for v in t.detach().reshape(-1).tolist())
    return f"[{shape}] {values}"


OPTIMIZERS = {
    "sgd": torch.optim.SGD,
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "rmsprop": torch.optim.RMSprop,
    "adagrad": torch.optim.Adagrad,
}

cases = [
    ("sgd/plain", "sgd", dict(lr=0.1)),
    ("sgd/weightDecay", "sgd", dict(lr=0.1, weight_decay=0.05)),
    ("sgd/momentum", "sgd", dict(lr=0.05, momentum=0.9)),
    ("sgd/dampening", "sgd", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01)),
    ("sgd/nesterov", "sgd", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.02)),
    ("adam/default", "adam", dict(lr=0.001)),
    ("adam/fast", "adam", dict(lr=0.1, betas=(0.8, 0.95), eps=1e-6)),
    ("adam/weightDecay", "adam", dict(lr=0.05, weight_decay=0.1)),
    ("adamw/default", "adamw", dict(lr=0.001)),
    ("adamw/strong", "adamw", dict(lr=0.05, betas=(0.85, 0.99), eps=1e-7, weight_decay=0.2)),
    ("rmsprop/plain", "rmsprop", dict(lr=0.01)),
    ("rmsprop/momentum", "rmsprop", dict(lr=0.01, alpha=0.9, momentum=0.7, weight_decay=0.03)),
    ("rmsprop/centered", "rmsprop", dict(lr=0.01, alpha=0.95, eps=1e-6, centered=True)),
    ("rmsprop/centeredMomentum", "rmsprop", dict(lr=0.005, momentum=0.5, centered=True)),
    ("adagrad/plain", "adagrad", dict(lr=0.1)),
    ("adagrad/decay", "adagrad", dict(lr=0.2, lr_decay=0.1, weight_decay=0.05, initial_accumulator_value=0.3,
                                      eps=1e-8)),
]


def opt_line(kind, kwargs):
    parts = []
    for k, v in kwargs.items():
        if k == "betas":
            parts += [f"beta1={v[0]!r}", f"beta2={v[1]!r}"]
        elif isinstance(v, bool):
            parts.append(f"{k}={int(v)}")
        else:
            parts.append(f"{k}={float(v)!r}")
    return f"opt {kind} " + " ".join(parts)


out = []
for name, kind, kwargs in cases:
    w = W0.clone().requires_grad_(True)
    b = B0.clone().requires_grad_(True)
    opt = OPTIMIZERS[kind]([w, b], foreach=False, **kwargs)
    out.append(f"case {name}")
    out.append(opt_line(kind, kwargs))
    out.append("init " + fmt(w))
    out.append("init " + fmt(b))
    for step in range(STEPS):
        opt.zero_grad(set_to_none=True)
        loss_fn(w, b).backward()
        if step in SKIP_VECTOR_AT:
            b.grad = None
        out.append("grad " + fmt(w.grad))
        out.append("grad " + ("none" if b.grad is None else fmt(b.grad)))
        opt.step()
        out.append("param " + fmt(w))
        out.append("param " + fmt(b))

# clip_grad_norm_: one case that clips, one that does not; clip_grad_value_
gw, gb = rnd(3, 4, lo=-3, hi=3), rnd(5, lo=-3, hi=3)
for name, max_norm in [("norm/clips", 1.5), ("norm/keeps", 100.0)]:
    w = torch.zeros(3, 4, dtype=D, requires_grad=True)
    b = torch.zeros(5, dtype=D, requires_grad=True)
    w.grad, b.grad = gw.clone(), gb.clone()
    total = torch.nn.utils.clip_grad_norm_([w, b], max_norm)
    out.append(f"clip {name} max_norm={max_norm!r}")
    out.append("grad " + fmt(gw))
    out.append("grad " + fmt(gb))
    out.append(f"total {float(total)!r}")
    out.append("after " + fmt(w.grad))
    out.append("after " + fmt(b.grad))
w = torch.zeros(3, 4, dtype=D, requires_grad=True)
b = torch.zeros(5, dtype=D, requires_grad=True)
w.grad, b.grad = gw.clone(), gb.clone()
torch.nn.utils.clip_grad_value_([w, b], 0.75)
out.append("clip value clip_value=0.75")
out.append("grad " + fmt(gw))
out.append("grad " + fmt(gb))
out.append("after " + fmt(w.grad))
out.append("after " + fmt(b.grad))

# schedules: the learning rate PyTorch uses in each epoch 0..n-1
schedules = [
    ("step lr=0.1 step_size=3 gamma=0.5", 0.1, lambda o: torch.optim.lr_scheduler.StepLR(o, 3, 0.5), 12),
    ("exponential lr=0.2 gamma=0.9", 0.2, lambda o: torch.optim.lr_scheduler.ExponentialLR(o, 0.9), 12),
    ("cosine lr=0.1 min_lr=0.001 epochs=10", 0.1,
     lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=0.001), 11),
]
for spec, lr, make, n in schedules:
    p = torch.zeros(1, requires_grad=True)
    o = torch.optim.SGD([p], lr=lr)
    sched = make(o)
    rates = []
    for epoch in range(n):
        rates.append(o.param_groups[0]["lr"])
        o.step()
        sched.step()
    out.append(f"schedule {spec}")
    out.append("rates " + " ".join(repr(float(r)) for r in rates))

print(f"# Generated by tools/reference/make_optim_fixtures.py with PyTorch {torch.__version__}; do not edit.")
print("\n".join(out))

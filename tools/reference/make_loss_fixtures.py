#!/usr/bin/python3
"""Writes the reference values for Nabla's losses, computed by PyTorch in float64.

For every case: the prediction and the target, the loss, and the gradients of sum(loss * w) for a fixed random w
(w is a scalar for the mean and sum reductions). A case has one "grad" line per differentiable input: the
prediction, and the target unless it holds integer labels. The Java test (LossReferenceTest) runs the loss of the
same name on the same inputs, compares, and checks its gradients against finite differences. Regenerate with:

    /usr/bin/python3 tools/reference/make_loss_fixtures.py > nabla-core/src/test/resources/loss-reference.txt

Needs Debian's python3-torch (for /usr/bin/python3). The case names must match the table in LossReferenceTest.

Reductions follow Nabla: per-sample losses are the mean over each sample's elements (Keras), "sum" sums them, so
for [N, D] inputs it is PyTorch's reduction="sum" divided by D. The probability losses clip p to
[1e-7, 1 - 1e-7] as Keras does; PyTorch has no such loss, so those cases write Keras's formula out in torch ops
(torch.clamp, torch.log), which gives the gradients as well as the values.
"""
import torch
import torch.nn.functional as F

torch.manual_seed(4321)
D = torch.float64
EPS = 1e-7


def rnd(*shape, lo=-2.0, hi=2.0):
    return torch.rand(shape, dtype=D) * (hi - lo) + lo


def probs(*shape):
    return rnd(*shape, lo=0.05, hi=0.95)


def softmax_rows(n, c):
    return torch.softmax(rnd(n, c, lo=-2, hi=2), 1)


def one_hot(labels, c):
    return F.one_hot(labels, c).to(D)


def labels(n, c):
    return torch.randint(0, c, (n,)).to(D)


def per_sample(elementwise):
    return elementwise if elementwise.dim() <= 1 else elementwise.flatten(1).mean(1)


def reduce(per, reduction):
    return {"mean": per.mean(), "sum": per.sum(), "none": per}[reduction]


def keras_bce(p, t):
    c = p.clamp(EPS, 1 - EPS)
    return -(t * torch.log(c) + (1 - t) * torch.log(1 - c))


def keras_cce(p, t):
    c = (p / p.sum(1, keepdim=True)).clamp(EPS, 1 - EPS)
    return -(t * torch.log(c)).sum(1)


def keras_sparse(p, y):
    c = (p / p.sum(1, keepdim=True)).gather(1, y.long().reshape(-1, 1)).clamp(EPS, 1 - EPS)
    return -torch.log(c).reshape(-1)


cases = []


def case(name, fn, prediction, target, target_differentiable=True):
    cases.append((name, fn, prediction, target, target_differentiable))


def elementwise(tag, fn):
    """fn(p, t) gives PyTorch's element-wise losses (reduction='none')."""
    for r in ("mean", "sum", "none"):
        case(f"{tag}/{r}", lambda p, t, r=r: reduce(per_sample(fn(p, t)), r), rnd(4, 3), rnd(4, 3))


elementwise("mse", lambda p, t: F.mse_loss(p, t, reduction="none"))
case("mse/vector", lambda p, t: F.mse_loss(p, t), rnd(5), rnd(5))
case("mse/column", lambda p, t: F.mse_loss(p, t.reshape(-1, 1)), rnd(4, 1), rnd(4))
case("mse/rank3", lambda p, t: per_sample(F.mse_loss(p, t, reduction="none")).sum(), rnd(2, 3, 2), rnd(2, 3, 2))
elementwise("mae", lambda p, t: F.l1_loss(p, t, reduction="none"))
elementwise("huber", lambda p, t: F.huber_loss(p, t, reduction="none", delta=1.0))
case("huber/delta0.3", lambda p, t: F.huber_loss(p, t, delta=0.3), rnd(4, 3), rnd(4, 3))

for r in ("mean", "sum", "none"):
    case(f"bce/{r}", lambda p, t, r=r: reduce(per_sample(F.binary_cross_entropy(p, t, reduction="none")), r),
         probs(4, 3), rnd(4, 3, lo=0, hi=1))
case("bce/vector", lambda p, t: F.binary_cross_entropy(p, t), probs(6), torch.tensor([0, 1, 1, 0, 1, 0], dtype=D))
case("bce/clipped", lambda p, t: keras_bce(p, t).mean(),
     torch.tensor([0.0, 1.0, 0.0, 1.0, 0.5, 1e-9], dtype=D), torch.tensor([0, 1, 1, 0, 1, 1], dtype=D))

for r in ("mean", "sum", "none"):
    case(f"bceLogits/{r}",
         lambda x, t, r=r: reduce(per_sample(F.binary_cross_entropy_with_logits(x, t, reduction="none")), r),
         rnd(4, 3, lo=-6, hi=6), rnd(4, 3, lo=0, hi=1))
case("bceLogits/extreme", lambda x, t: F.binary_cross_entropy_with_logits(x, t),
     torch.tensor([1e4, -1e4, 1e4, -1e4, 40.0, -40.0, 0.0], dtype=D),
     torch.tensor([1, 0, 0, 1, 0.5, 0.5, 1], dtype=D))

for r in ("mean", "sum", "none"):
    y = torch.randint(0, 4, (5,))
    case(f"cce/{r}", lambda p, t, r=r: reduce(keras_cce(p, t), r), softmax_rows(5, 4), one_hot(y, 4))
case("cce/soft", lambda p, t: keras_cce(p, t).mean(), softmax_rows(5, 4), softmax_rows(5, 4))
case("cce/unnormalized", lambda p, t: keras_cce(p, t).mean(), probs(5, 4), one_hot(torch.tensor([0, 3, 1, 2, 2]), 4))
case("cce/clipped", lambda p, t: keras_cce(p, t).mean(),
     torch.tensor([[0.0, 1.0, 0.0], [0.5, 0.5, 0.0], [0.2, 0.3, 0.5]], dtype=D),
     one_hot(torch.tensor([0, 2, 1]), 3))

for r in ("mean", "sum", "none"):
    case(f"sparse/{r}", lambda p, t, r=r: reduce(keras_sparse(p, t), r), softmax_rows(5, 4), labels(5, 4), False)
case("sparse/nll", lambda p, t: F.nll_loss(torch.log(p / p.sum(1, keepdim=True)), t.long()), softmax_rows(6, 3),
     labels(6, 3), False)

for r in ("mean", "sum", "none"):
    case(f"softmaxCE/labels/{r}", lambda x, t, r=r: F.cross_entropy(x, t.long(), reduction=r),
         rnd(5, 4, lo=-4, hi=4), labels(5, 4), False)
    case(f"softmaxCE/probs/{r}", lambda x, t, r=r: F.cross_entropy(x, t, reduction=r),
         rnd(5, 4, lo=-4, hi=4), softmax_rows(5, 4))
case("softmaxCE/labels/smoothing", lambda x, t: F.cross_entropy(x, t.long(), label_smoothing=0.1),
     rnd(5, 4, lo=-4, hi=4), labels(5, 4), False)
case("softmaxCE/probs/smoothing", lambda x, t: F.cross_entropy(x, t, label_smoothing=0.1),
     rnd(5, 4, lo=-4, hi=4), softmax_rows(5, 4))
extreme = torch.tensor([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4], [-1e4, -1e4, -1e4], [1e4, 0.0, -1e4]], dtype=D)
case("softmaxCE/extreme/labels", lambda x, t: F.cross_entropy(x, t.long(), label_smoothing=0.2),
     extreme, torch.tensor([1, 1, 2, 0], dtype=D), False)
case("softmaxCE/extreme/probs", lambda x, t: F.cross_entropy(x, t), extreme,
     torch.tensor([[0, 1, 0], [0.5, 0.25, 0.25], [0, 0, 1], [1, 0, 0]], dtype=D))


def fmt(t):
    shape = ",".join(str(s) for s in t.shape)
    values = " ".join(repr(float(v)) for v in t.detach().reshape(-1).tolist())
    return f"[{shape}] {values}"


out = []
for name, fn, prediction, target, target_differentiable in cases:
    p = prediction.clone().requires_grad_(True)
    t = target.clone().requires_grad_(target_differentiable)
    y = fn(p, t)
    w = rnd(*y.shape, lo=0.5, hi=2.0)
    differentiable = [p, t] if target_differentiable else [p]
    grads = torch.autograd.grad((y * w).sum(), differentiable)
    out.append(f"case {name}")
    out.append("input " + fmt(prediction))
    out.append("input " + fmt(target))
    out.append("output " + fmt(y))
    out.append("weight " + fmt(w))
    for g in grads:
        assert torch.isfinite(g).all(), name
        out.append("grad " + fmt(g))
print(f"# Generated by tools/reference/make_loss_fixtures.py with PyTorch {torch.__version__}; do not edit.")
print("\n".join(out))

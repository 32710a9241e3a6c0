#!/usr/bin/python3
"""Writes the reference values for Nabla's op harness, computed by PyTorch in float64.

For every case: the inputs, PyTorch's output, and PyTorch's gradients of sum(output * w) for a fixed random w.
The Java test (OpHarnessTest) runs the same op in Nabla on the same inputs and compares; it also checks Nabla's
gradients against finite differences. Regenerate with:

    /usr/bin/python3 tools/reference/make_op_fixtures.py > nabla-core/src/test/resources/op-reference.txt

Needs Debian's python3-torch (for /usr/bin/python3). The case names must match the table in OpHarnessTest.
"""
import torch

torch.manual_seed(1234)
D = torch.float64


def rnd(*shape, lo=-2.0, hi=2.0):
    return (torch.rand(shape, dtype=D) * (hi - lo) + lo)


def pos(*shape):
    return rnd(*shape, lo=0.3, hi=2.5)


def away(*shape):
    """Values bounded away from 0 (for abs, relu, sign-sensitive ops)."""
    x = rnd(*shape, lo=0.2, hi=2.0)
    s = torch.where(torch.rand(shape) < 0.5, -1.0, 1.0).to(D)
    return x * s


def distinct(*shape):
    """A random permutation of well-separated values (for max/min without ties)."""
    n = 1
    for s in shape:
        n *= s
    return (torch.randperm(n).to(D) * 0.37 - n * 0.15).reshape(*shape)


cases = []


def case(name, fn, *inputs):
    cases.append((name, fn, inputs))


# element-wise, one input
case("neg", lambda x: -x, rnd(3, 4))
case("exp", torch.exp, rnd(3, 4))
case("log", torch.log, pos(3, 4))
case("sqrt", torch.sqrt, pos(3, 4))
case("abs", torch.abs, away(3, 4))
case("relu", torch.relu, away(3, 4))
case("sigmoid", torch.sigmoid, rnd(3, 4, lo=-6, hi=6))
case("tanh", torch.tanh, rnd(3, 4))
case("leakyRelu", lambda x: torch.nn.functional.leaky_relu(x, 0.1), away(3, 4))
case("softplus", torch.nn.functional.softplus, torch.cat([torch.zeros(1, dtype=D), rnd(11, lo=-5, hi=5)]).reshape(3, 4))
case("gelu", lambda x: torch.nn.functional.gelu(x, approximate="tanh"), rnd(3, 4, lo=-3, hi=3))
case("square", lambda x: x * x, rnd(3, 4))
case("clamp", lambda x: x.clamp(-0.5, 0.5), away(3, 4))
case("sign", torch.sign, away(3, 4))

# element-wise with broadcasting
shapes = [((3, 4), (3, 4)), ((3, 4), (4,)), ((3, 1), (1, 4)), ((2, 3, 4), (3, 1)), ((3, 4), ())]
for tag, (sa, sb) in zip(["same", "row", "outer", "rank3", "scalar"], shapes):
    case("add/" + tag, torch.add, rnd(*sa), rnd(*sb))
    case("sub/" + tag, torch.sub, rnd(*sa), rnd(*sb))
    case("mul/" + tag, torch.mul, rnd(*sa), rnd(*sb))
    case("div/" + tag, torch.div, rnd(*sa), away(*sb))
    case("pow/" + tag, torch.pow, pos(*sa), rnd(*sb))
    case("maximum/" + tag, torch.maximum, rnd(*sa), rnd(*sb))
    case("minimum/" + tag, torch.minimum, rnd(*sa), rnd(*sb))
case("addScalar", lambda x: x + 1.5, rnd(3, 4))
case("subScalar", lambda x: x - 1.5, rnd(3, 4))
case("mulScalar", lambda x: x * -2.5, rnd(3, 4))
case("divScalar", lambda x: x / 4.0, rnd(3, 4))
case("rsub", lambda x: 3.0 - x, rnd(3, 4))
case("powScalar", lambda x: x ** 3, rnd(3, 4))
case("where", lambda a, b: torch.where(a > 0, a, b), away(3, 4), rnd(4))

# reductions
case("sum/all", lambda x: x.sum(), rnd(3, 4))
case("sum/dim", lambda x: x.sum(1, keepdim=True), rnd(3, 4))
case("sum/dims", lambda x: x.sum((0, 2)), rnd(2, 3, 4))
case("mean/all", lambda x: x.mean(), rnd(3, 4))
case("mean/dim", lambda x: x.mean(0), rnd(3, 4))
case("max/all", lambda x: x.max(), distinct(3, 4))
case("max/dim", lambda x: x.max(1, keepdim=True).values, distinct(3, 4))
case("min/dim", lambda x: x.min(0).values, distinct(3, 4))
case("var/dim", lambda x: x.var(1), rnd(3, 4))
case("var/dims", lambda x: x.var((0, 1), unbiased=False, keepdim=True), rnd(3, 4))
case("logsumexp", lambda x: torch.logsumexp(x, 1), rnd(3, 4, lo=-30, hi=30))

# movement
case("reshape", lambda x: x.reshape(4, 3), rnd(3, 4))
case("flatten", lambda x: x.flatten(), rnd(2, 3, 2))
case("permute", lambda x: x.permute(2, 0, 1) * 1.0, rnd(2, 3, 4))
case("transpose", lambda x: x.transpose(0, 2) * 1.0, rnd(2, 3, 4))
case("t", lambda x: x.t() * 1.0, rnd(3, 4))
case("mT", lambda x: x.mT * 1.0, rnd(2, 3, 4))
case("squeeze", lambda x: x.squeeze(1), rnd(3, 1, 4))
case("unsqueeze", lambda x: x.unsqueeze(1), rnd(3, 4))
case("expand", lambda x: x.expand(2, 3, 4) * 1.0, rnd(3, 1))
case("narrow", lambda x: x.narrow(1, 1, 2) * 1.0, rnd(3, 4))
case("slice", lambda x: x[:, 1:-1] * 1.0, rnd(3, 5))
case("select", lambda x: x[:, 2] * 1.0, rnd(3, 4))
case("pad", lambda x: torch.nn.functional.pad(x, (0, 0, 2, 1)), rnd(3, 4))
case("concat", lambda a, b: torch.cat([a, b], 1), rnd(3, 2), rnd(3, 4))
case("stack", lambda a, b: torch.stack([a, b], 0), rnd(3, 4), rnd(3, 4))
case("indexSelect", lambda x: x.index_select(0, torch.tensor([2, 0, 2])), rnd(3, 4))
case("indexAdd", lambda x, s: x.index_add(1, torch.tensor([3, 0, 3]), s), rnd(2, 4), rnd(2, 3))
case("gather", lambda x: x.gather(1, torch.tensor([[0, 3], [1, 1], [2, 0]])), rnd(3, 4))
case("scatterAdd", lambda x, s: x.scatter_add(1, torch.tensor([[0, 3], [1, 1], [2, 0]]), s), rnd(3, 4), rnd(3, 2))
case("contiguous", lambda x: x.t().contiguous(), rnd(3, 4))
case("cast", lambda x: x.to(torch.float32).to(D), rnd(3, 4))

# linear algebra and fused
case("matmul/2d", torch.matmul, rnd(3, 4), rnd(4, 5))
case("matmul/batched", torch.matmul, rnd(2, 3, 4), rnd(2, 4, 5))
case("matmul/broadcast", torch.matmul, rnd(2, 3, 4), rnd(4, 5))
case("matmul/vecmat", torch.matmul, rnd(4), rnd(4, 5))
case("matmul/matvec", torch.matmul, rnd(3, 4), rnd(4))
case("matmul/dot", torch.matmul, rnd(4), rnd(4))
case("matmul/transposed", lambda a, b: a.t() @ b.t(), rnd(4, 3), rnd(5, 4))
case("linear", lambda x, w, b: torch.nn.functional.linear(x, w, b), rnd(3, 4), rnd(5, 4), rnd(5))
case("linear/nobias", lambda x, w: torch.nn.functional.linear(x, w), rnd(2, 3, 4), rnd(5, 4))
case("linear/vector", lambda x, w, b: torch.nn.functional.linear(x, w, b), rnd(4), rnd(5, 4), rnd(5))
case("softmax", lambda x: torch.softmax(x, 1), rnd(3, 4, lo=-5, hi=5))
case("softmax/dim0", lambda x: torch.softmax(x, 0), rnd(3, 4, lo=-5, hi=5))
case("logSoftmax", lambda x: torch.log_softmax(x, 1), rnd(3, 4, lo=-5, hi=5))

# convolution and pooling; drawn from their own seed so the cases above keep their values
F = torch.nn.functional
_state = torch.get_rng_state()
torch.manual_seed(5)
case("conv2d/basic", lambda x, w, b: F.conv2d(x, w, b), rnd(2, 3, 5, 5), rnd(4, 3, 3, 3), rnd(4))
case("conv2d/stridePad", lambda x, w: F.conv2d(x, w, None, 2, 1), rnd(2, 3, 6, 5), rnd(4, 3, 3, 3))
case("conv2d/dilation", lambda x, w, b: F.conv2d(x, w, b, 1, 2, 2), rnd(1, 2, 5, 6), rnd(3, 2, 2, 3), rnd(3))
case("conv2d/groups", lambda x, w, b: F.conv2d(x, w, b, 1, 1, 1, 2), rnd(2, 4, 4, 4), rnd(6, 2, 3, 3), rnd(6))
case("conv2d/depthwise", lambda x, w: F.conv2d(x, w, None, 1, 1, 1, 3), rnd(2, 3, 4, 4), rnd(3, 1, 3, 3))
case("conv2d/pointwise", lambda x, w, b: F.conv2d(x, w, b), rnd(2, 3, 3, 4), rnd(5, 3, 1, 1), rnd(5))
case("conv2d/mixed", lambda x, w: F.conv2d(x, w, None, (2, 1), (1, 0), (1, 2)), rnd(2, 2, 7, 7), rnd(3, 2, 3, 2))
case("conv1d", lambda x, w, b: F.conv1d(x, w, b, 2, 1), rnd(2, 3, 7), rnd(4, 3, 3), rnd(4))
case("convTranspose2d", lambda x, w, b: F.conv_transpose2d(x, w, b, 2, 1, 1), rnd(2, 4, 3, 3), rnd(4, 3, 3, 3),
     rnd(3))
case("convTranspose2d/groups", lambda x, w: F.conv_transpose2d(x, w, None, 1, 0, 0, 2, 2), rnd(1, 4, 3, 3),
     rnd(4, 1, 2, 2))
case("conv2dWeightGrad", lambda x, g: torch.nn.grad.conv2d_weight(x, (4, 3, 3, 3), g, 2, 1),
     rnd(2, 3, 5, 5), rnd(2, 4, 3, 3))
case("maxPool2d", lambda x: F.max_pool2d(x, 2), distinct(2, 2, 4, 5))
case("maxPool2d/overlap", lambda x: F.max_pool2d(x, 3, 2, 1), distinct(1, 2, 5, 5))
case("avgPool2d", lambda x: F.avg_pool2d(x, 2), rnd(2, 2, 5, 5))
case("avgPool2d/overlap", lambda x: F.avg_pool2d(x, 3, 2, 1), rnd(1, 2, 5, 6))
torch.set_rng_state(_state)

# fused recurrent cells; their own seed too. A single cell against its formula in torch ops (the hidden gates are an
# input of their own there); several time steps with real weights against torch.lstm_cell / torch.gru_cell.
_state = torch.get_rng_state()
torch.manual_seed(7)


def lstm_cell(x, h, c):
    i, f, g, o = (x + h).chunk(4, 1)
    c2 = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.cat([torch.sigmoid(o) * torch.tanh(c2), c2], 1)


def gru_cell(x, h, p):
    xr, xz, xn = x.chunk(3, 1)
    hr, hz, hn = h.chunk(3, 1)
    r = torch.sigmoid(xr + hr)
    z = torch.sigmoid(xz + hz)
    n = torch.tanh(xn + r * hn)
    return (1 - z) * n + z * p


def lstm_steps(x, wih, whh, bih, bhh, h, c):
    out = []
    for t in range(x.shape[0]):
        h, c = torch.lstm_cell(x[t], (h, c), wih, whh, bih, bhh)
        out.append(torch.cat([h, c], 1))
    return torch.stack(out)


def gru_steps(x, wih, whh, bih, bhh, h):
    out = []
    for t in range(x.shape[0]):
        h = torch.gru_cell(x[t], h, wih, whh, bih, bhh)
        out.append(h)
    return torch.stack(out)


case("lstmCell", lstm_cell, rnd(3, 12), rnd(3, 12), rnd(3, 3))
case("gruCell", gru_cell, rnd(3, 9), rnd(3, 9), rnd(3, 3))
case("lstmCell/steps", lstm_steps, rnd(4, 2, 3), rnd(8, 3), rnd(8, 2), rnd(8), rnd(8), rnd(2, 2), rnd(2, 2))
case("gruCell/steps", gru_steps, rnd(4, 2, 3), rnd(6, 3), rnd(6, 2), rnd(6), rnd(6), rnd(2, 2))
torch.set_rng_state(_state)

# relu of a max pooling as one op (Nabla's maxPool2dRelu, which Sequential runs after a Conv2d with a relu); its own
# seed, so the cases above keep their inputs. Some windows are all negative: no gradient gets through them.
_state = torch.get_rng_state()
torch.manual_seed(11)
case("maxPool2dRelu", lambda x: torch.relu(F.max_pool2d(x, 2)), distinct(2, 2, 4, 5) - 9)
case("maxPool2dRelu/overlap", lambda x: torch.relu(F.max_pool2d(x, 3, 2, 1)), distinct(1, 2, 5, 5) - 10)
torch.set_rng_state(_state)

# conv2d, relu, max pooling as one op (Nabla's conv2dMaxPool); its own seed. The relu case's bias is shifted down, so
# that some windows are all negative.
_state = torch.get_rng_state()
torch.manual_seed(12)
case("conv2dMaxPool", lambda x, w, b: F.max_pool2d(F.conv2d(x, w, b, 1, 1), 2), rnd(2, 3, 6, 6), rnd(4, 3, 3, 3),
     rnd(4))
case("conv2dMaxPool/relu", lambda x, w, b: F.max_pool2d(torch.relu(F.conv2d(x, w, b, (1, 2), (1, 0), 1, 2)), 3, 2, 1),
     rnd(2, 4, 7, 9), rnd(6, 2, 3, 2), rnd(6) - 1.5)
torch.set_rng_state(_state)

# relu of a linear layer as one op (Nabla's linearRelu, which Linear runs for a dense layer with a relu); its own
# seed. The biases are shifted down so that a good part of the outputs is negative and gets no gradient.
_state = torch.get_rng_state()
torch.manual_seed(13)
case("linearRelu", lambda x, w, b: torch.relu(F.linear(x, w, b)), rnd(3, 4), rnd(5, 4), rnd(5) - 1)
case("linearRelu/nobias", lambda x, w: torch.relu(F.linear(x, w)), rnd(2, 3, 4), rnd(5, 4))
torch.set_rng_state(_state)



def fmt(t):
    shape = ",".join(str(s) for s in t.shape)
    values = " ".join(repr(float(v)) for v in t.detach().reshape(-1).tolist())
    return f"[{shape}] {values}"


out = []
for name, fn, inputs in cases:
    xs = [x.clone().requires_grad_(True) for x in inputs]
    y = fn(*xs)
    w = rnd(*y.shape)
    if y.requires_grad:
        grads = torch.autograd.grad((y * w).sum(), xs, allow_unused=True)
    else:
        grads = [None] * len(xs)
    out.append(f"case {name}")
    for x in inputs:
        out.append("input " + fmt(x))
    out.append("output " + fmt(y))
    out.append("weight " + fmt(w))
    for x, g in zip(inputs, grads):
        out.append("grad " + fmt(g if g is not None else torch.zeros_like(x)))
print(f"# Generated by tools/reference/make_op_fixtures.py with PyTorch {torch.__version__}; do not edit.")
print("\n".join(out))

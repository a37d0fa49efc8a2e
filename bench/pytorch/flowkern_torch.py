#!/usr/bin/python3
"""PyTorch peer of flowkern's normalizing flows (models/flow).

A flowkern model file (safetensors with the architecture in its metadata) is
read with json + numpy only, rebuilt as a torch.nn.Module of exactly the same
architecture, and loaded with load_state_dict under the file's own tensor
names ("layers.<i>.<name>"). The model scores (log p), samples (by the
inverse), trains with Adam and writes itself back in flowkern's format.

Conventions (those of models/flow; see its doc comments):
  * Forward maps data x to latent z and returns log|det dz/dx| per row;
    log p(x) = log N(z; 0, I) + sum of the layers' log-determinants.
  * actnorm: z = (x + bias) * exp(logs); scale: z = x * exp(logs).
  * lu: z = W x, W = P L (U + diag(sign * exp(logs))), the tensor "lu"
    holding L strictly below its diagonal and U strictly above, (P v)[i] =
    v[perm[i]]; log|det| = sum(logs).
  * reverse, shuffle: z[i] = x[perm[i]].
  * affine coupling: [s, t] = net(x[A]) (s the first |B| outputs, t the next
    |B|), z[B] = x[B] * exp(c(s)) + t, z[A] = x[A], log|det| = sum c(s);
    c is exp: s, tanh: a tanh(s/a), atan: (2a/pi) atan(s/a),
    sigmoid: log(sigmoid(s + 2) + eps). additive: z[B] = x[B] + net(x[A]).
  * net = nn.Sequential(Linear, act, ..., Linear); gelu is the tanh form,
    softplus has no threshold.

Commands (python3 flowkern_torch.py <command> -h for the flags):
  logprob  score rows of a raw float64 file with a model file
  sample   draw rows from a model file
  train    Adam steps on a model file's parameters, then export
  bench    time training steps, LogProb and Sample (CPU time, peak RSS)
  serve    time workloads on request (go run ./bench's models section)
  lindiff-sample  draw rows with the linear diffusion sampler (its test)
  table    turn the JSON lines of Go and PyTorch bench runs into Markdown

Set OMP_NUM_THREADS, MKL_NUM_THREADS and OPENBLAS_NUM_THREADS before
starting Python: they are read when torch is imported (bench/pytorch/compare.sh
does it).
"""

import argparse
import hashlib
import json
import math
import os
import resource
import sys
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

FORMAT, VERSION = "flowkern.flow", "1"
NP_DTYPES = {"F32": "<f4", "F64": "<f8", "I64": "<i8"}
TORCH_DTYPES = {"float32": torch.float32, "float64": torch.float64}
LOG_2PI = math.log(2 * math.pi)


# ---------------------------------------------------------------- the file


def read_model_file(path):
    """Returns (metadata, {name: numpy array}) after checking the container
    and the SHA-256 of the data section."""
    with open(path, "rb") as f:
        buf = f.read()
    n = int.from_bytes(buf[:8], "little")
    if n > len(buf) - 8:
        raise ValueError(f"{path}: header length {n} beyond the file")
    header = json.loads(buf[8:8 + n])
    meta = header.pop("__metadata__", {})
    data = buf[8 + n:]
    if meta.get("format") != FORMAT or meta.get("version") != VERSION:
        raise ValueError(f"{path}: not a {FORMAT} version {VERSION} file: {meta.get('format')} {meta.get('version')}")
    if hashlib.sha256(data).hexdigest() != meta.get("sha256"):
        raise ValueError(f"{path}: SHA-256 of the data section does not match the header")
    tensors = {}
    for name, t in header.items():
        begin, end = t["data_offsets"]
        tensors[name] = np.frombuffer(data[begin:end], NP_DTYPES[t["dtype"]]).reshape(t["shape"])
    return meta, tensors


def write_model_file(path, arch, dtype, tensors):
    """Writes tensors ({name: numpy array}) with flowkern's metadata, the
    tensors in name order, atomically (a temporary file renamed)."""
    names = sorted(tensors)
    kinds = {np.dtype("<f4"): "F32", np.dtype("<f8"): "F64", np.dtype("<i8"): "I64"}
    header, chunks, off = {}, [], 0
    for name in names:
        a = np.ascontiguousarray(tensors[name])
        a = a.astype(a.dtype.newbyteorder("<"), copy=False)
        b = a.tobytes()
        header[name] = {"dtype": kinds[a.dtype], "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        chunks.append(b)
        off += len(b)
    data = b"".join(chunks)
    meta = {"format": FORMAT, "version": VERSION, "dtype": dtype,
            "arch": json.dumps(arch, separators=(",", ":")), "sha256": hashlib.sha256(data).hexdigest()}
    text = json.dumps({"__metadata__": meta, **header}, separators=(",", ":")).encode()
    text += b" " * (-(8 + len(text)) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(len(text).to_bytes(8, "little") + text + data)
    os.replace(tmp, path)


# ---------------------------------------------------------------- layers


class Softplus(nn.Module):
    """log(1 + e^x) without nn.Softplus's threshold (flowkern's)."""

    def forward(self, x):
        return torch.log1p(torch.exp(-x.abs())) + F.relu(x)


def activation(name):
    return {"identity": nn.Identity, "relu": nn.ReLU, "tanh": nn.Tanh, "silu": nn.SiLU,
            "gelu": lambda: nn.GELU(approximate="tanh"), "softplus": Softplus}[name.strip().lower()]()


class ActNorm(nn.Module):
    """actnorm: z = (x + bias) * exp(logs); scale (bias=False): z = x * exp(logs).
    An actnorm not yet initialised takes -mean and -log(std + 1e-6) of the
    first training batch."""

    def __init__(self, d, bias=True, initialized=True):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(d)) if bias else None
        self.logs = nn.Parameter(torch.zeros(d))
        self.initialized = initialized or not bias

    @torch.no_grad()
    def init_from(self, x):
        self.bias.copy_(-x.mean(0))
        self.logs.copy_(-torch.log(x.std(0, unbiased=False) + 1e-6))
        self.initialized = True

    def forward(self, x):
        if not self.initialized and self.training:
            self.init_from(x)
        if self.bias is not None:
            x = x + self.bias
        return x * torch.exp(self.logs), self.logs.sum()

    def inverse(self, z):
        x = z * torch.exp(-self.logs)
        return x - self.bias if self.bias is not None else x


class LU(nn.Module):
    """lu: z = W x with W = P L (U + diag(sign * exp(logs)))."""

    def __init__(self, d):
        super().__init__()
        self.lu = nn.Parameter(torch.zeros(d, d))
        self.logs = nn.Parameter(torch.zeros(d))
        self.register_buffer("perm", torch.arange(d))
        self.register_buffer("sign", torch.ones(d))
        self.register_buffer("eye", torch.eye(d), persistent=False)

    def factors(self):
        lower = torch.tril(self.lu, -1) + self.eye
        upper = torch.triu(self.lu, 1) + torch.diag(self.sign * torch.exp(self.logs))
        return lower, upper

    def forward(self, x):
        lower, upper = self.factors()
        w = (lower @ upper)[self.perm]  # (P M)[i] = M[perm[i]]
        return F.linear(x, w), self.logs.sum()

    def inverse(self, z):
        lower, upper = self.factors()
        y = z[:, torch.argsort(self.perm)]  # y[perm[i]] = z[i]
        # Row-vector form: x U^T L^T = y, one triangular solve each.
        y = torch.linalg.solve_triangular(lower.T, y, upper=True, left=False, unitriangular=True)
        return torch.linalg.solve_triangular(upper.T, y, upper=False, left=False)


class Permute(nn.Module):
    """reverse, shuffle: z[i] = x[perm[i]]."""

    def __init__(self, d):
        super().__init__()
        self.register_buffer("perm", torch.arange(d - 1, -1, -1))

    def forward(self, x):
        return x[:, self.perm], 0.0

    def inverse(self, z):
        return z[:, torch.argsort(self.perm)]


class Coupling(nn.Module):
    """affine and additive couplings on the column sets A (kept) and B."""

    def __init__(self, spec, d):
        super().__init__()
        a, b = list(spec["a"]), list(spec["b"])
        self.nb = len(b)
        self.additive = spec["kind"] == "additive"
        self.scale, self.clamp = spec.get("scale", ""), float(spec.get("clamp", 0.0))
        sizes = [len(a)] + list(spec.get("hidden", [])) + [self.nb if self.additive else 2 * self.nb]
        mods = []
        for i in range(1, len(sizes)):
            mods.append(nn.Linear(sizes[i - 1], sizes[i]))
            if i < len(sizes) - 1:
                mods.append(activation(spec.get("activation", "identity")))
        self.net = nn.Sequential(*mods)
        # Contiguous halves are slices (the usual PyTorch code); other masks gather.
        na = len(a)
        if a + b == list(range(d)):
            self.layout = "ab"
        elif b + a == list(range(d)):
            self.layout = "ba"
        else:
            self.layout = "index"
        self.register_buffer("ia", torch.tensor(a), persistent=False)
        self.register_buffer("ib", torch.tensor(b), persistent=False)
        self.register_buffer("back", torch.argsort(torch.tensor(a + b)), persistent=False)
        self.na = na

    def split(self, x):
        if self.layout == "ab":
            return x[:, :self.na], x[:, self.na:]
        if self.layout == "ba":
            return x[:, self.nb:], x[:, :self.nb]
        return x[:, self.ia], x[:, self.ib]

    def merge(self, xa, xb):
        if self.layout == "ab":
            return torch.cat([xa, xb], 1)
        if self.layout == "ba":
            return torch.cat([xb, xa], 1)
        return torch.cat([xa, xb], 1)[:, self.back]

    def log_scale(self, s):
        a = self.clamp
        if self.scale == "exp":
            return s
        if self.scale == "tanh":
            return a * torch.tanh(s / a)
        if self.scale == "atan":
            return (2 * a / math.pi) * torch.atan(s / a)
        if self.scale == "sigmoid":
            return F.logsigmoid(s + 2) if a == 0 else torch.log(torch.sigmoid(s + 2) + a)
        raise ValueError(f"unknown scale map {self.scale!r}")

    def forward(self, x):
        xa, xb = self.split(x)
        h = self.net(xa)
        if self.additive:
            return self.merge(xa, xb + h), 0.0
        c = self.log_scale(h[:, :self.nb])
        return self.merge(xa, xb * torch.exp(c) + h[:, self.nb:]), c.sum(1)

    def inverse(self, z):
        za, zb = self.split(z)
        h = self.net(za)
        if self.additive:
            return self.merge(za, zb - h)
        c = self.log_scale(h[:, :self.nb])
        return self.merge(za, (zb - h[:, self.nb:]) * torch.exp(-c))


class Flow(nn.Module):
    def __init__(self, arch, dtype=torch.float64):
        super().__init__()
        self.arch, self.dim = arch, arch["dim"]
        d, layers = self.dim, []
        for ls in arch["layers"]:
            k = ls["kind"]
            if k == "actnorm":
                layers.append(ActNorm(d, True, ls.get("initialized", False)))
            elif k == "scale":
                layers.append(ActNorm(d, False))
            elif k == "lu":
                layers.append(LU(d))
            elif k in ("reverse", "shuffle"):
                layers.append(Permute(d))
            elif k in ("affine", "additive"):
                layers.append(Coupling(ls, d))
            else:
                raise ValueError(f"unknown layer kind {k!r}")
        self.layers = nn.ModuleList(layers)
        self.to(dtype)

    def forward(self, x):
        """Returns z and log|det dz/dx| per row."""
        logdet = x.new_zeros(x.shape[0])
        for layer in self.layers:
            x, ld = layer(x)
            logdet = logdet + ld
        return x, logdet

    def inverse(self, z):
        for layer in reversed(self.layers):
            z = layer.inverse(z)
        return z

    def log_prob(self, x):
        z, logdet = self(x)
        return -0.5 * self.dim * LOG_2PI - 0.5 * (z * z).sum(1) + logdet

    def sample(self, n):
        dtype = next(self.parameters()).dtype
        return self.inverse(torch.randn(n, self.dim, dtype=dtype))

    def current_arch(self):
        arch = json.loads(json.dumps(self.arch))
        for ls, layer in zip(arch["layers"], self.layers):
            if ls["kind"] == "actnorm" and layer.initialized:
                ls["initialized"] = True
        return arch


def load(path):
    """Returns the Flow of a flowkern model file."""
    meta, tensors = read_model_file(path)
    dtype = TORCH_DTYPES[meta["dtype"]]
    model = Flow(json.loads(meta["arch"]), dtype)
    model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in tensors.items()}, strict=True)
    return model


def save(model, path):
    """Writes model in flowkern's format (Go's flow.Load reads it)."""
    dtype = next(model.parameters()).dtype
    name = {torch.float32: "float32", torch.float64: "float64"}[dtype]
    tensors = {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}
    write_model_file(path, model.current_arch(), name, tensors)


def train_steps(model, x, steps, batch, lr, seed=0):
    """Adam on the mean negative log-likelihood; returns the losses."""
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    g = torch.Generator().manual_seed(seed)
    losses = []
    model.train()
    for _ in range(steps):
        idx = torch.randperm(x.shape[0], generator=g)[:batch]
        loss = -model.log_prob(x[idx]).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def read_rows(path, dim, dtype):
    return torch.from_numpy(np.fromfile(path, "<f8").reshape(-1, dim)).to(dtype)


# ---------------------------------------------------------------- bench


def rss_mib(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def timed(fn, seconds, min_reps, max_reps):
    """Runs fn until it has used `seconds` of process CPU time (at least
    min_reps, at most max_reps times); returns (reps, cpu s, wall s)."""
    fn()  # warm-up
    c0, w0, n = time.process_time(), time.perf_counter(), 0
    while n < min_reps or (n < max_reps and time.process_time() - c0 < seconds):
        fn()
        n += 1
    return n, time.process_time() - c0, time.perf_counter() - w0


def flow_workloads(model, batch, foreach=None):
    """The three workloads of a flow on a batch of standard normals, as
    (name, function, rows per call): a training step (Adam, lr 1e-6), log p
    and sampling (both under no_grad)."""
    dtype = next(model.parameters()).dtype
    x = torch.randn(batch, model.dim, dtype=dtype)
    opt = torch.optim.Adam(model.parameters(), lr=1e-6, foreach=foreach)
    model.train()

    def step():
        loss = -model.log_prob(x).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    def logprob():
        with torch.no_grad():
            model.log_prob(x)

    def sample():
        with torch.no_grad():
            model.sample(batch)

    return [("train", step, 1), ("logprob", logprob, batch), ("sample", sample, batch)]


def lindiff_sampler(path, d, steps, n):
    """The ancestral sampler of models/lindiff in PyTorch (float64), on the
    model in path: raw little-endian float64, W_t (d x d, row-major) for
    t = 1..T, then b_t (d each), then c1, c2, sigma of each step. From
    u ~ N(0, I), for t = T..1: eps = W_t (u + b_t), u = c1 u - c2 eps +
    sigma z. Returns the workload list of one full sampling of n rows."""
    a = np.fromfile(path, "<f8")
    if a.size != steps * (d * d + d + 3):
        raise ValueError(f"{path}: {a.size} numbers, want T (d^2 + d + 3) = {steps * (d * d + d + 3)}")
    w = torch.from_numpy(a[:steps * d * d].reshape(steps, d, d).copy())
    b = torch.from_numpy(a[steps * d * d:steps * (d * d + d)].reshape(steps, d).copy())
    coef = a[steps * (d * d + d):].reshape(steps, 3).tolist()
    wt = w.transpose(1, 2).contiguous()  # u W_t^T is a row-major product
    wb = torch.bmm(b.unsqueeze(1), wt).squeeze(1)  # W_t b_t

    def sample():
        with torch.no_grad():
            u = torch.randn(n, d, dtype=torch.float64)
            eps = torch.empty_like(u)
            for t in range(steps, 0, -1):
                c1, c2, sig = coef[t - 1]
                torch.addmm(wb[t - 1], u, wt[t - 1], out=eps)
                u.mul_(c1).add_(eps, alpha=-c2)
                if sig != 0:
                    u.add_(torch.randn(n, d, dtype=torch.float64), alpha=sig)
        return u

    return [("sample", sample, n)]


def bench(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    base = rss_mib("VmRSS")
    model = load(args.model)
    dtype = next(model.parameters()).dtype
    d, batch = model.dim, args.batch
    works = flow_workloads(model, batch, args.foreach)
    out = {"impl": "pytorch", "config": args.config, "dtype": str(dtype).replace("torch.", ""),
           "threads": args.threads, "batch": batch, "dim": d, "torch": torch.__version__,
           "blas": blas_name(), "env": {k: os.environ.get(k, "") for k in
                                        ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OPENBLAS_CORETYPE")}}
    if args.profile:
        profile(args, *(fn for _, fn, _ in works))
        return
    for name, fn, rows in works:
        n, cpu, wall = timed(fn, args.seconds, args.min_reps, args.max_reps)
        out[name] = {"reps": n, "cpu_s": cpu, "wall_s": wall, "per_cpu_s": n * rows / cpu, "per_wall_s": n * rows / wall}
    out["rss_base_mib"] = base
    out["rss_peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


def serve(args):
    """Times workloads on request, so that a driver (go run ./bench) can
    interleave them with its own: after loading it prints one JSON line
    {"ready": ...}, then answers each line of stdin,
      warm WORK                  one untimed call
      time WORK SECONDS MINREPS  calls until SECONDS of process CPU time
                                 (at least MINREPS): {"reps", "cpu_s", "per_cpu_s"}
    with one JSON line ({"error": ...} on failure), until EOF or "quit"."""
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    if args.model:
        works = flow_workloads(load(args.model), args.batch)
    else:
        works = lindiff_sampler(args.lindiff, args.dim, args.steps, args.n)
    works = {name: (fn, rows) for name, fn, rows in works}

    def reply(obj):
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()

    reply({"ready": True, "torch": torch.__version__, "blas": blas_name(), "threads": torch.get_num_threads()})
    for line in sys.stdin:
        f = line.split()
        if not f:
            continue
        if f[0] == "quit":
            break
        try:
            fn, rows = works[f[1]]
            if f[0] == "warm":
                fn()
                reply({"ok": True})
            elif f[0] == "time":
                seconds, min_reps = float(f[2]), int(f[3])
                c0, n = time.process_time(), 0
                while n < min_reps or time.process_time() - c0 < seconds:
                    fn()
                    n += 1
                cpu = time.process_time() - c0
                reply({"reps": n, "cpu_s": cpu, "per_cpu_s": n * rows / cpu})
            else:
                raise ValueError(f"unknown command {f[0]!r}")
        except (KeyError, IndexError, ValueError, RuntimeError) as e:
            reply({"error": f"{line.strip()!r}: {e!r}"})


def blas_name():
    with open("/proc/self/maps") as f:
        libs = {line.split()[-1] for line in f if "blas" in line.lower() and "/" in line}
    return ",".join(sorted(os.path.basename(p) for p in libs)) or "none"


def profile(args, step, logprob, sample):
    """Prints torch.profiler's top operators of each workload (self CPU time)."""
    from torch.profiler import profile as tprofile, ProfilerActivity
    for name, fn in (("train", step), ("logprob", logprob), ("sample", sample)):
        fn()
        with tprofile(activities=[ProfilerActivity.CPU]) as prof:
            for _ in range(args.min_reps):
                fn()
        print(f"== {name} ({args.config}, {args.min_reps} reps, {args.threads} threads)")
        print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=14))


# ---------------------------------------------------------------- table


def table(args):
    """Markdown table of bench JSON lines (Go and PyTorch), ratio = ours /
    PyTorch in rows (steps) per CPU second."""
    runs = {}
    for path in args.files:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line.startswith("{"):
                    r = json.loads(line)
                    runs[(r["config"], r["dtype"], r["threads"], r["impl"])] = r
    keys = sorted({k[:3] for k in runs}, key=lambda k: (["toy", "d64", "d784"].index(k[0]) if k[0] in ("toy", "d64", "d784") else 9, k[1], k[2]))
    print("| config | dtype | threads | train steps/cpu-s: ours / torch = ratio | LogProb rows/cpu-s | Sample rows/cpu-s | peak RSS MiB ours / torch (torch after import) |")
    print("|---|---|---:|---|---|---|---|")
    for k in keys:
        go, pt = runs.get(k + ("flowkern",)), runs.get(k + ("pytorch",))
        if not go or not pt:
            continue
        cells = []
        for m in ("train", "logprob", "sample"):
            a, b = go[m]["per_cpu_s"], pt[m]["per_cpu_s"]
            fmt = "{:.1f}" if m == "train" else "{:.0f}"
            cells.append(f"{fmt.format(a)} / {fmt.format(b)} = **{a / b:.2f}x**")
        mem = f"{go['rss_peak_mib']:.0f} / {pt['rss_peak_mib']:.0f} ({pt['rss_base_mib']:.0f})"
        print(f"| {k[0]} (d={go['dim']}) | {k[1]} | {k[2]} | " + " | ".join(cells) + f" | {mem} |")


# ---------------------------------------------------------------- main


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    q = sub.add_parser("logprob", help="log p of rows (raw little-endian float64, d per row) -> raw float64")
    q.add_argument("--model", required=True)
    q.add_argument("--data", required=True)
    q.add_argument("--out", required=True)
    q = sub.add_parser("sample", help="n samples -> raw float64")
    q.add_argument("--model", required=True)
    q.add_argument("-n", type=int, default=256)
    q.add_argument("--seed", type=int, default=0)
    q.add_argument("--out", required=True)
    q = sub.add_parser("train", help="Adam steps on rows of --data, then export to --out")
    q.add_argument("--model", required=True)
    q.add_argument("--data", required=True)
    q.add_argument("--out", required=True)
    q.add_argument("--steps", type=int, default=5)
    q.add_argument("--batch", type=int, default=64)
    q.add_argument("--lr", type=float, default=1e-3)
    q.add_argument("--logprob-out", help="also write log p of --data under the trained model")
    q = sub.add_parser("bench", help="time training steps, LogProb and Sample of a model file")
    q.add_argument("--model", required=True)
    q.add_argument("--config", default="")
    q.add_argument("--threads", type=int, default=1)
    q.add_argument("--batch", type=int, default=256)
    q.add_argument("--seconds", type=float, default=2.0, help="CPU seconds per workload")
    q.add_argument("--min-reps", type=int, default=3)
    q.add_argument("--max-reps", type=int, default=100000)
    q.add_argument("--foreach", action=argparse.BooleanOptionalAction, default=None, help="Adam's foreach implementation")
    q.add_argument("--profile", action="store_true", help="print torch.profiler tables instead of timing")
    q = sub.add_parser("serve", help="time workloads of a flow or a linear diffusion sampler on request (stdin)")
    g = q.add_mutually_exclusive_group(required=True)
    g.add_argument("--model", help="flowkern flow model file")
    g.add_argument("--lindiff", help="linear diffusion model, raw float64 (see lindiff_sampler)")
    q.add_argument("--batch", type=int, default=256, help="flow rows per call")
    q.add_argument("--dim", type=int, default=100, help="lindiff d")
    q.add_argument("--steps", type=int, default=1000, help="lindiff T")
    q.add_argument("-n", type=int, default=10000, help="lindiff samples per call")
    q.add_argument("--threads", type=int, default=1)
    q = sub.add_parser("lindiff-sample", help="n rows of the linear diffusion sampler -> raw float64")
    q.add_argument("--model", required=True, help="raw float64 (see lindiff_sampler)")
    q.add_argument("--dim", type=int, required=True)
    q.add_argument("--steps", type=int, required=True)
    q.add_argument("-n", type=int, required=True)
    q.add_argument("--seed", type=int, default=0)
    q.add_argument("--out", required=True)
    q = sub.add_parser("table", help="Markdown table of bench JSON lines")
    q.add_argument("files", nargs="+")
    args = p.parse_args()

    if args.cmd == "table":
        return table(args)
    if args.cmd == "bench":
        return bench(args)
    if args.cmd == "serve":
        return serve(args)
    if args.cmd == "lindiff-sample":
        torch.manual_seed(args.seed)
        _, fn, _ = lindiff_sampler(args.model, args.dim, args.steps, args.n)[0]
        fn().numpy().astype("<f8").tofile(args.out)
        return
    model = load(args.model)
    dtype = next(model.parameters()).dtype
    if args.cmd == "logprob":
        model.eval()
        with torch.no_grad():
            lp = model.log_prob(read_rows(args.data, model.dim, dtype))
        lp.to(torch.float64).numpy().astype("<f8").tofile(args.out)
    elif args.cmd == "sample":
        torch.manual_seed(args.seed)
        with torch.no_grad():
            x = model.sample(args.n)
        x.to(torch.float64).numpy().astype("<f8").tofile(args.out)
    elif args.cmd == "train":
        x = read_rows(args.data, model.dim, dtype)
        losses = train_steps(model, x, args.steps, args.batch, args.lr)
        save(model, args.out)
        print(json.dumps({"losses": losses}))
        if args.logprob_out:
            model.eval()
            with torch.no_grad():
                model.log_prob(x).to(torch.float64).numpy().astype("<f8").tofile(args.logprob_out)


if __name__ == "__main__":
    sys.exit(main())

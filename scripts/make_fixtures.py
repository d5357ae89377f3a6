#!/usr/bin/python3
"""Writes the float64 reference fixtures in test/fixtures/ (run: npm run fixtures).

Every value here comes from an implementation independent of tfjs-gaussian:
- fillTriangular: TFP's own NumPy reference (`_fill_triangular` in TFP's
  fill_triangular tests), copied below.
- triangular solves: torch.linalg.solve_triangular, gradients by autograd.
- KL and NLL: the textbook covariance formulas in float64 (torch.linalg.solve
  and slogdet on Sigma = L L^T), gradients by autograd. They share nothing
  with our triangular-solve algorithm, and are cross-checked against
  torch.distributions (MultivariateNormal, kl_divergence, log_prob) and
  scipy.stats.multivariate_normal where those accept the input.
- The head transform (head.json): torch.logaddexp(x, 0) + shift on the
  scale columns, whose positions come from pack_rows; autograd gradients.
- Calibration (calibration.json): scipy.stats.chi2 / norm for the
  distribution functions, coverage and PIT; the Gaussian CRPS in closed form
  and the mixture CRPS by scipy.integrate.quad (each cross-checked against
  the other form); the energy score in NumPy; the mixture covariance scale
  by scipy.optimize on the float64 mixture NLL.

Needs torch, scipy and numpy: Debian's python3-torch, python3-scipy and
python3-numpy (apt-get install ...), or the bench's venv (npm run bench:peers,
then .peers/bin/python scripts/make_fixtures.py). Names given as arguments
(e.g. log_prob.json) write only those files; each file's meta records the
library versions that made it.
"""
import json
import math
import os
import sys

import numpy as np
import scipy.integrate
import scipy.linalg
import scipy.optimize
import scipy.special
import scipy.stats
import torch

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures')
rng = np.random.default_rng(20261125)


def tolist(x):
    if isinstance(x, torch.Tensor):
        x = x.detach().numpy()
    return np.asarray(x, dtype=np.float64).tolist()


def to32(x):
    """Rounds inputs to float32 first, so that both sides see the same inputs."""
    return np.asarray(x, dtype=np.float32).astype(np.float64)


# ---------------------------------------------------------------- fillTriangular
def np_fill_triangular(x, upper=False):
    """TFP's NumPy reference implementation of `fill_triangular`."""
    x = np.asarray(x)
    m = np.int32(x.shape[-1])
    n = np.sqrt(0.25 + 2. * m) - 0.5
    if n != np.floor(n):
        raise ValueError('Invalid shape.')
    n = np.int32(n)
    x_tail = x[..., (m - (n * n - m)):]
    y = np.concatenate([x, x_tail[..., ::-1]] if upper else [x_tail, x[..., ::-1]], axis=-1)
    y = y.reshape(np.concatenate([np.int32(x.shape[:-1]), np.int32([n, n])], axis=0))
    return np.triu(y) if upper else np.tril(y)


def fill_triangular_cases():
    cases = []
    for n in range(1, 6):
        m = n * (n + 1) // 2
        x = np.arange(1, m + 1, dtype=np.float64)
        for upper in (False, True):
            cases.append({'n': n, 'upper': upper, 'x': tolist(x), 'y': tolist(np_fill_triangular(x, upper))})
    return cases


# ------------------------------------------------------------------ factors
def random_tril(batch, d, neg_diag=False, scale=1.0):
    """Well-conditioned lower factors: |diag| in [0.5, 1.5], off-diagonal N(0, 0.3^2)."""
    L = np.tril(rng.normal(0, 0.3, size=batch + (d, d)), -1)
    diag = rng.uniform(0.5, 1.5, size=batch + (d,))
    if neg_diag:
        diag = diag * rng.choice([-1.0, 1.0], size=diag.shape)
    L = L + np.einsum('...i,ij->...ij', diag, np.eye(d))
    return to32(scale * L)


def cov(L):
    Lt = torch.tril(L)
    return Lt @ Lt.transpose(-1, -2)


def kl_cov(m1, L1, m2, L2):
    """KL(N(m1, S1) || N(m2, S2)) from the covariances, in float64."""
    S1, S2 = cov(L1), cov(L2)
    d = m1.shape[-1]
    delta = (m2 - m1).unsqueeze(-1)
    trace = torch.diagonal(torch.linalg.solve(S2, S1), dim1=-2, dim2=-1).sum(-1)
    maha = (delta * torch.linalg.solve(S2, delta)).sum((-1, -2))
    return 0.5 * (trace + maha - d + torch.linalg.slogdet(S2)[1] - torch.linalg.slogdet(S1)[1])


def nll_cov(x, m, L):
    S = cov(L)
    d = x.shape[-1]
    delta = (x - m).unsqueeze(-1)
    maha = (delta * torch.linalg.solve(S, delta)).sum((-1, -2))
    return 0.5 * (d * math.log(2 * math.pi) + torch.linalg.slogdet(S)[1] + maha)


def crosscheck_kl(m1, L1, m2, L2, kl):
    """Agrees with torch.distributions where the factors have a positive diagonal."""
    if (torch.diagonal(L1, dim1=-2, dim2=-1) > 0).all() and (torch.diagonal(L2, dim1=-2, dim2=-1) > 0).all():
        p = torch.distributions.MultivariateNormal(m1, scale_tril=torch.tril(L1), validate_args=False)
        q = torch.distributions.MultivariateNormal(m2, scale_tril=torch.tril(L2), validate_args=False)
        ref = torch.distributions.kl_divergence(p, q)
        assert torch.allclose(ref, kl, rtol=1e-10, atol=1e-10), (ref, kl)


def grads(f, *args, weights_rng=None):
    """Value of f and the gradients of sum(w * f) for random weights w (from weights_rng, default rng)."""
    ts = [torch.tensor(a, requires_grad=True) for a in args]
    out = f(*ts)
    w = torch.tensor((weights_rng or rng).uniform(0.5, 1.5, size=tuple(out.shape)))
    (out * w).sum().backward()
    return out, w, [t.grad for t in ts]


# ---------------------------------------------------------------- solves
def solve_cases():
    cases = []
    for d, k, bm, br in [(1, 1, (), ()), (3, 2, (), ()), (4, 3, (2,), (2,)), (5, 2, (2, 1), (3,)), (8, 4, (3,), ())]:
        L = random_tril(bm, d, neg_diag=True)
        # Entries in the other triangle must be ignored: fill them with noise.
        L = L + to32(np.triu(rng.normal(0, 5, size=bm + (d, d)), 1))
        B = to32(rng.normal(size=br + (d, k)))
        for adjoint in (False, True):
            def f(Lm, Bm):
                Lt = torch.tril(Lm)
                if adjoint:
                    return torch.linalg.solve_triangular(Lt.transpose(-1, -2), Bm, upper=True)
                return torch.linalg.solve_triangular(Lt, Bm, upper=False)
            X, w, (gL, gB) = grads(f, L, B)
            cases.append({'d': d, 'k': k, 'adjoint': adjoint, 'matrix': tolist(L), 'rhs': tolist(B),
                          'x': tolist(X), 'weights': tolist(w), 'gradMatrix': tolist(gL), 'gradRhs': tolist(gB)})
    return cases


# ---------------------------------------------------------------- KL
def kl_cases():
    cases = []
    for d in (1, 2, 3, 5, 8, 16):
        for batch in ((), (3,), (2, 2)):
            neg = d in (2, 5, 16)
            m1 = to32(rng.normal(size=batch + (d,)))
            m2 = to32(rng.normal(size=batch + (d,)))
            L1 = random_tril(batch, d, neg_diag=neg)
            L2 = random_tril(batch, d, neg_diag=neg)
            kl, w, (g1, gL1, g2, gL2) = grads(kl_cov, m1, L1, m2, L2)
            crosscheck_kl(*(torch.tensor(a) for a in (m1, L1, m2, L2)), kl.detach())
            cases.append({'d': d, 'batch': list(batch), 'negativeDiag': neg,
                          'mean1': tolist(m1), 'scaleTril1': tolist(L1), 'mean2': tolist(m2), 'scaleTril2': tolist(L2),
                          'kl': tolist(kl), 'weights': tolist(w),
                          'gradMean1': tolist(g1), 'gradScaleTril1': tolist(gL1),
                          'gradMean2': tolist(g2), 'gradScaleTril2': tolist(gL2)})
    return cases


# ---------------------------------------------------------------- losses
def pack_rows(m, L, layout):
    """Rows [mean | factor] in the 'full' (row-major, upper part kept as given) or 'packed' layout."""
    d = m.shape[-1]
    if layout == 'full':
        return np.concatenate([m, L.reshape(L.shape[:-2] + (d * d,))], -1)
    # Invert np_fill_triangular by search: position of each packed entry.
    mm = d * (d + 1) // 2
    probe = np_fill_triangular(np.arange(mm, dtype=np.float64))
    packed = np.zeros(L.shape[:-2] + (mm,))
    for i in range(d):
        for j in range(i + 1):
            packed[..., int(probe[i, j])] = L[..., i, j]
    return np.concatenate([m, packed], -1)


def unpack_rows_torch(y, d, layout):
    m = y[..., :d]
    if layout == 'full':
        L = y[..., d:].reshape(y.shape[:-1] + (d, d))
    else:
        mm = d * (d + 1) // 2
        probe = np_fill_triangular(np.arange(mm, dtype=np.float64))
        idx = torch.tensor(probe.reshape(-1).astype(np.int64))
        L = y[..., d:][..., idx].reshape(y.shape[:-1] + (d, d))
    return m, torch.tril(L)


def loss_cases():
    cases = []
    for layout in ('full', 'packed'):
        for d in (1, 2, 3):
            batch = 5
            mt = to32(rng.normal(size=(batch, d)))
            mp = to32(rng.normal(size=(batch, d)))
            Lt = random_tril((batch,), d, neg_diag=(d == 3))
            Lp = random_tril((batch,), d, neg_diag=(d == 3))
            if layout == 'full':
                # The notebook's targets are full random matrices: the upper part must be ignored.
                Lt = Lt + to32(np.triu(rng.uniform(0, 1, size=(batch, d, d)), 1))
                Lp = Lp + to32(np.triu(rng.uniform(0, 1, size=(batch, d, d)), 1))
            yt = to32(pack_rows(mt, Lt, layout))
            yp = to32(pack_rows(mp, Lp, layout))
            for direction in ('forward', 'reverse', 'symmetric'):
                def f(a, b):
                    ma, La = unpack_rows_torch(a, d, layout)
                    mb, Lb = unpack_rows_torch(b, d, layout)
                    fwd = kl_cov(ma, La, mb, Lb)
                    rev = kl_cov(mb, Lb, ma, La)
                    return {'forward': fwd, 'reverse': rev, 'symmetric': fwd + rev}[direction]
                loss, w, (gt, gp) = grads(f, yt, yp)
                cases.append({'kind': 'kl', 'layout': layout, 'd': d, 'direction': direction,
                              'yTrue': tolist(yt), 'yPred': tolist(yp), 'loss': tolist(loss), 'weights': tolist(w),
                              'gradYTrue': tolist(gt), 'gradYPred': tolist(gp)})
            # NLL: targets are points, plain [batch, d] and padded to the width of yPred.
            x = to32(rng.normal(size=(batch, d)) * 1.5)
            for target in ('points', 'padded'):
                xt = x if target == 'points' else np.concatenate([x, to32(rng.normal(size=(batch, yp.shape[1] - d)))], -1)
                def g(a, b):
                    mb, Lb = unpack_rows_torch(b, d, layout)
                    return nll_cov(a[..., :d], mb, Lb)
                loss, w, (gt, gp) = grads(g, xt, yp)
                # Cross-check with scipy where the covariance is explicit.
                for b_ in range(batch):
                    mb, Lb = unpack_rows_torch(torch.tensor(yp[b_]), d, layout)
                    ref = -scipy.stats.multivariate_normal.logpdf(x[b_], mean=mb.numpy(), cov=cov(Lb).numpy())
                    assert abs(ref - float(loss[b_])) < 1e-9, (ref, float(loss[b_]))
                cases.append({'kind': 'nll', 'layout': layout, 'd': d, 'target': target,
                              'yTrue': tolist(xt), 'yPred': tolist(yp), 'loss': tolist(loss), 'weights': tolist(w),
                              'gradYTrue': tolist(gt), 'gradYPred': tolist(gp)})
    return cases


# ---------------------------------------------------------------- accuracy
def f32_list(x):
    """float32 inputs in their shortest float32 spelling (exact after Float32Array rounding)."""
    return [float(np.format_float_positional(np.float32(v), unique=True)) for v in np.asarray(x, np.float32).ravel()]


def conditioned_tril(batch, d, cond):
    """Lower factors whose covariance has condition number `cond`: Sigma = Q diag(lam) Q^T with
    eigenvalues log-spaced in [1, cond] and a random rotation Q, then L = chol(Sigma)."""
    out = []
    for _ in range(batch):
        q, _r = np.linalg.qr(rng.normal(size=(d, d)))
        lam = np.logspace(0, np.log10(cond), d) if d > 1 else np.array([1.0])
        S = (q * lam) @ q.T
        out.append(np.linalg.cholesky(0.5 * (S + S.T)))
    return np.stack(out)


def accuracy_cases():
    """KL(p || q) and its gradients for conditions 1e1..1e6 and d in {2, 8, 32}, float64 references.

    Two kinds of pair: 'independent' (p and q drawn separately, so the KL is
    large) and 'nearby' (q is p with every factor entry perturbed by 1% and the
    mean moved by 0.01: the KL is small, and the terms that make it cancel).
    """
    cases = []
    for pair in ('independent', 'nearby'):
        for d in (2, 8, 32):
            batch = {2: 4, 8: 2, 32: 1}[d]
            for cond in (1e1, 1e2, 1e3, 1e4, 1e5, 1e6):
                # Exact (float64) parameters, and the float32 inputs they round to.
                m1x, L1x = rng.normal(size=(batch, d)), conditioned_tril(batch, d, cond)
                if pair == 'independent':
                    m2x, L2x = rng.normal(size=(batch, d)), conditioned_tril(batch, d, cond)
                else:
                    m2x = m1x + 0.01 * rng.normal(size=(batch, d))
                    L2x = L1x * (1 + 0.01 * rng.normal(size=L1x.shape))
                m1, m2, L1, L2 = to32(m1x), to32(m2x), to32(L1x), to32(L2x)
                kl, w, (g1, gL1, g2, gL2) = grads(kl_cov, m1, L1, m2, L2)
                crosscheck_kl(*(torch.tensor(a) for a in (m1, L1, m2, L2)), kl.detach())
                # The same quantities for the unrounded parameters: what float32 storage itself costs.
                ts = [torch.tensor(a, requires_grad=True) for a in (m1x, L1x, m2x, L2x)]
                klx = kl_cov(*ts)
                (klx * w).sum().backward()
                cases.append({'pair': pair, 'd': d, 'cond': cond, 'batch': batch,
                              'mean1': f32_list(m1), 'scaleTril1': f32_list(L1), 'mean2': f32_list(m2), 'scaleTril2': f32_list(L2),
                              'weights': tolist(w), 'kl': tolist(kl),
                              'gradMean1': tolist(g1.ravel()), 'gradScaleTril1': tolist(torch.tril(gL1).ravel()),
                              'gradMean2': tolist(g2.ravel()), 'gradScaleTril2': tolist(torch.tril(gL2).ravel()),
                              'klExact': tolist(klx),
                              'gradExact': [tolist(ts[0].grad.ravel()), tolist(torch.tril(ts[1].grad).ravel()),
                                            tolist(ts[2].grad.ravel()), tolist(torch.tril(ts[3].grad).ravel())]})
    return cases


# ---------------------------------------------------------------- notebook
def notebook_grid_kl():
    """The seed notebook's grid integration, in float64, over [-10, 10]^2 on 1000 x 1000 points."""
    def L_of(p):
        return np_fill_triangular(np.asarray(p, dtype=np.float64))
    S1 = L_of([1, .5, 1]) @ L_of([1, .5, 1]).T
    S2 = L_of([2, .5, 2]) @ L_of([2, .5, 2]).T
    g = np.linspace(-10, 10, 1000)
    X, Y = np.meshgrid(g, g)
    pos = np.vstack([X.ravel(), Y.ravel()]).T
    p = scipy.stats.multivariate_normal.pdf(pos, mean=[0, 0], cov=S1)
    q = scipy.stats.multivariate_normal.pdf(pos, mean=[0, 0], cov=S2)
    return float(np.sum(p * np.log(p / q)) * (g[1] - g[0]) ** 2)


# ---------------------------------------------------------------- log-density and entropy
# A separate random stream, so that adding these cases leaves every other
# fixture file byte for byte as it was.
family_rng = np.random.default_rng(20261126)


def family_tril(batch, d, neg_diag):
    L = np.tril(family_rng.normal(0, 0.3, size=batch + (d, d)), -1)
    diag = family_rng.uniform(0.5, 1.5, size=batch + (d,))
    if neg_diag:
        diag = diag * family_rng.choice([-1.0, 1.0], size=diag.shape)
    # Noise above the diagonal: it must be ignored.
    L = L + np.einsum('...i,ij->...ij', diag, np.eye(d)) + np.triu(family_rng.normal(0, 5, size=batch + (d, d)), 1)
    return to32(L)


def family_grads(f, *args):
    return grads(f, *args, weights_rng=family_rng)


def entropy_cov(L):
    """1/2 log det(2 pi e Sigma), from the covariance's slogdet (not from the diagonal of L)."""
    d = L.shape[-1]
    return 0.5 * (d * (1 + math.log(2 * math.pi)) + torch.linalg.slogdet(cov(L))[1])


def log_prob_cases():
    """gaussianLogProb: -NLL by the covariance formulas, with broadcast batch shapes."""
    cases = []
    shapes = [(1, (), (), ()), (2, (4,), (), ()), (3, (), (2,), (2,)), (2, (3, 1), (2,), ()),
              (5, (2,), (2,), (2,)), (8, (3,), (), (3,)), (16, (2,), (), ())]
    for i, (d, bx, bm, bl) in enumerate(shapes):
        neg = i % 2 == 1
        x = to32(family_rng.normal(0, 2, size=bx + (d,)))
        m = to32(family_rng.normal(size=bm + (d,)))
        L = family_tril(bl, d, neg)
        lp, w, (gx, gm, gL) = family_grads(lambda x_, m_, L_: -nll_cov(x_, m_, L_), x, m, L)
        t = [torch.tensor(a) for a in (x, m, L)]
        if (torch.diagonal(t[2], dim1=-2, dim2=-1) > 0).all():
            ref = torch.distributions.MultivariateNormal(t[1], scale_tril=torch.tril(t[2]), validate_args=False).log_prob(t[0])
            assert torch.allclose(ref, lp.detach(), rtol=1e-10, atol=1e-10), (ref, lp)
            if not bm and not bl:
                sp = scipy.stats.multivariate_normal.logpdf(x, mean=m, cov=cov(t[2]).numpy())
                assert np.allclose(sp, lp.detach().numpy(), rtol=1e-10, atol=1e-10), (sp, lp)
        cases.append({'d': d, 'negativeDiag': neg, 'x': tolist(x), 'mean': tolist(m), 'scaleTril': tolist(L),
                      'logProb': tolist(lp), 'weights': tolist(w),
                      'gradX': tolist(gx), 'gradMean': tolist(gm), 'gradScaleTril': tolist(gL)})
    return cases


def entropy_cases():
    cases = []
    for i, (d, batch) in enumerate([(1, ()), (2, (3,)), (3, ()), (5, (2, 2)), (8, (2,)), (32, ())]):
        neg = i % 2 == 0
        L = family_tril(batch, d, neg)
        h, w, (gL,) = family_grads(entropy_cov, L)
        t = torch.tensor(L)
        # torch.distributions needs a positive diagonal: flipping the sign of
        # column j of L keeps L L^T and makes L_jj positive.
        pos = torch.tril(t) * torch.sign(torch.diagonal(t, dim1=-2, dim2=-1)).unsqueeze(-2)
        ref = torch.distributions.MultivariateNormal(torch.zeros(batch + (d,)), scale_tril=pos, validate_args=False).entropy()
        assert torch.allclose(ref, h.detach(), rtol=1e-10, atol=1e-10), (ref, h)
        if not batch:
            sp = scipy.stats.multivariate_normal(mean=np.zeros(d), cov=cov(t).numpy()).entropy()
            assert np.allclose(sp, h.detach().numpy(), rtol=1e-10, atol=1e-10), (sp, h)
        cases.append({'d': d, 'negativeDiag': neg, 'scaleTril': tolist(L), 'entropy': tolist(h),
                      'weights': tolist(w), 'gradScaleTril': tolist(gL)})
    return cases


# ---------------------------------------------------------------- cholesky
def spd(n, cond, batch=()):
    """Symmetric positive definite float32 matrices with eigenvalues log-spaced over [1 / cond, 1]
    (times a random scale), random orthogonal eigenvectors; still positive definite after rounding."""
    out = []
    for _ in range(int(np.prod(batch)) if batch else 1):
        Q, _r = np.linalg.qr(family_rng.normal(size=(n, n)))
        lam = np.logspace(0, -math.log10(cond), n) * family_rng.uniform(0.5, 2)
        A = (Q * lam) @ Q.T
        A = to32(0.5 * (A + A.T))
        np.linalg.cholesky(A)  # raises if rounding broke positive definiteness
        out.append(A)
    return np.stack(out).reshape(batch + (n, n)) if batch else out[0]


def cholesky_cases():
    cases = []
    for n, batch, cond in [(1, (), 1e0), (2, (3,), 1e1), (3, (), 1e3), (3, (2, 2), 1e6), (8, (2,), 1e2),
                           (8, (), 1e6), (32, (), 1e1), (32, (), 1e4), (32, (), 1e6)]:
        A = spd(n, cond, batch)
        W = np.tril(family_rng.uniform(-1, 1, size=batch + (n, n)))
        At = torch.tensor(A, requires_grad=True)
        L = torch.linalg.cholesky(At)
        (L * torch.tensor(W)).sum().backward()
        G = At.grad
        # Independent check of the (symmetric) gradient: central differences
        # in float64 along random symmetric directions E: <G, E> = d/dt f(A + tE).
        f = lambda M: float((torch.linalg.cholesky(M) * torch.tensor(W)).sum())
        for _ in range(2):
            E = family_rng.normal(size=A.shape)
            E = torch.tensor(0.5 * (E + np.swapaxes(E, -1, -2)))
            h = 1e-6 * float(np.abs(A).max()) / cond ** 0.5
            fd = (f(torch.tensor(A) + h * E) - f(torch.tensor(A) - h * E)) / (2 * h)
            assert abs(fd - float((G * E).sum())) <= 1e-5 * max(1.0, abs(fd)), (n, cond, fd, float((G * E).sum()))
        assert torch.allclose(G, G.transpose(-1, -2), rtol=1e-12, atol=1e-12 * float(G.abs().max()))
        cases.append({'n': n, 'batch': list(batch), 'cond': cond, 'a': tolist(A), 'l': tolist(L),
                      'weights': tolist(W), 'gradA': tolist(G)})
    return cases


# ---------------------------------------------------------------- distribution objects (diagonal scale)
def mvn_diag_cases():
    """MultivariateNormalDiag against torch's Independent(Normal): log_prob and entropy with
    gradients, and KL diag <-> tril both ways against kl_divergence of MultivariateNormals."""
    cases = []
    for d, batch in [(1, ()), (2, (3,)), (5, ()), (8, (2,))]:
        loc = to32(family_rng.normal(size=batch + (d,)))
        scale = to32(family_rng.uniform(0.5, 2.0, size=batch + (d,)) * family_rng.choice([-1.0, 1.0], size=batch + (d,)))
        x = to32(family_rng.normal(0, 2, size=batch + (d,)))
        loc2 = to32(family_rng.normal(size=batch + (d,)))
        L2 = family_tril(batch, d, False)
        ts = [torch.tensor(a, requires_grad=True) for a in (loc, scale, x, loc2, L2)]
        q = torch.distributions.Independent(torch.distributions.Normal(ts[0], ts[1].abs()), 1)
        lp = q.log_prob(ts[2])
        ent = q.entropy()
        diag_mvn = torch.distributions.MultivariateNormal(ts[0], scale_tril=torch.diag_embed(ts[1].abs()), validate_args=False)
        tril_mvn = torch.distributions.MultivariateNormal(ts[3], scale_tril=torch.tril(ts[4]), validate_args=False)
        kl_dt = torch.distributions.kl_divergence(diag_mvn, tril_mvn)
        kl_td = torch.distributions.kl_divergence(tril_mvn, diag_mvn)
        out = {}
        for name, val in [('logProb', lp), ('entropy', ent), ('klDiagTril', kl_dt), ('klTrilDiag', kl_td)]:
            w = torch.tensor(family_rng.uniform(0.5, 1.5, size=tuple(val.shape)))
            grads = torch.autograd.grad((val * w).sum(), ts, allow_unused=True, retain_graph=True)
            out[name] = {'value': tolist(val), 'weights': tolist(w),
                         'grads': [tolist(g) if g is not None else tolist(torch.zeros_like(t)) for g, t in zip(grads, ts)]}
        cases.append({'d': d, 'batch': list(batch), 'loc': tolist(loc), 'scaleDiag': tolist(scale), 'x': tolist(x),
                      'loc2': tolist(loc2), 'scaleTril2': tolist(L2), **out})
    return cases


# ---------------------------------------------------------------- 'diag' layout losses
def diag_loss_cases():
    """gaussianKLLoss / gaussianNLLLoss({layout: 'diag'}) on rows [mean (d) | σ (d)], against torch's
    Independent(Normal(mean, |σ|)) (kl_divergence, log_prob), with gradients to both row tensors."""
    cases = []
    for d, batch in [(1, 3), (2, 4), (5, 3), (16, 2), (64, 2)]:
        def rows():
            m = family_rng.normal(size=(batch, d))
            sig = family_rng.uniform(0.3, 2.0, size=(batch, d)) * family_rng.choice([-1.0, 1.0], size=(batch, d))
            return to32(np.concatenate([m, sig], -1))
        yt, yp = rows(), rows()
        x = to32(family_rng.normal(0, 2, size=(batch, d)))

        def dist(y):
            return torch.distributions.Independent(torch.distributions.Normal(y[:, :d], y[:, d:].abs()), 1)
        for direction in ('forward', 'reverse', 'symmetric'):
            def f(a, b):
                p, q = dist(a), dist(b)
                kl = torch.distributions.kl_divergence
                return {'forward': lambda: kl(p, q), 'reverse': lambda: kl(q, p), 'symmetric': lambda: kl(p, q) + kl(q, p)}[direction]()
            loss, w, (ga, gb) = family_grads(f, yt, yp)
            cases.append({'kind': 'kl', 'd': d, 'direction': direction, 'yTrue': tolist(yt), 'yPred': tolist(yp),
                          'loss': tolist(loss), 'weights': tolist(w), 'gradYTrue': tolist(ga), 'gradYPred': tolist(gb)})
        for target in ('points', 'padded'):
            xt = x if target == 'points' else to32(np.concatenate([x, family_rng.normal(size=(batch, d))], -1))
            loss, w, (gx, gb) = family_grads(lambda a, b: -dist(b).log_prob(a[:, :d]), xt, yp)
            cases.append({'kind': 'nll', 'd': d, 'target': target, 'yTrue': tolist(xt), 'yPred': tolist(yp),
                          'loss': tolist(loss), 'weights': tolist(w), 'gradYTrue': tolist(gx), 'gradYPred': tolist(gb)})
    return cases


# ---------------------------------------------------------------- mixtures
# Their own generator, so the cases above keep their bits.
mixture_rng = np.random.default_rng(20261127)


def mixture_dist(rows, K, d, layout):
    """torch MixtureSameFamily(Categorical(logits), MultivariateNormal(loc, scale_tril)) (or, for 'diag',
    Independent(Normal(loc, |σ|))) from mixture rows [B, K + K·w], differentiably."""
    B = rows.shape[0]
    logits = rows[:, :K]
    comps = rows[:, K:].reshape(B, K, -1)
    if layout == 'diag':
        comp = torch.distributions.Independent(torch.distributions.Normal(comps[..., :d], comps[..., d:].abs()), 1)
    else:
        m, L = unpack_rows_torch(comps, d, layout)
        comp = torch.distributions.MultivariateNormal(m, scale_tril=L, validate_args=False)
    return torch.distributions.MixtureSameFamily(torch.distributions.Categorical(logits=logits), comp,
                                                 validate_args=False)


def mixture_rows(B, K, d, layout, logits=None, means=None, scale=1.0):
    """Random mixture rows with positive diagonals (torch's MultivariateNormal needs them) and, in 'full',
    N(0, 5²) noise in the strict upper triangles, which must be ignored."""
    if logits is None:
        logits = mixture_rng.normal(0, 1.5, size=(B, K))
    if means is None:
        means = mixture_rng.normal(0, 2, size=(B, K, d))
    if layout == 'diag':
        factor = mixture_rng.uniform(0.4, 1.6, size=(B, K, d)) * scale
    else:
        L = np.tril(mixture_rng.normal(0, 0.3, size=(B, K, d, d)), -1)
        L = (L + np.einsum('...i,ij->...ij', mixture_rng.uniform(0.5, 1.5, size=(B, K, d)), np.eye(d))) * scale
        if layout == 'full':
            L = L + np.triu(mixture_rng.normal(0, 5, size=(B, K, d, d)), 1)
        factor = pack_rows(np.zeros((B, K, d)), L, layout)[..., d:]
    return to32(np.concatenate([logits, np.concatenate([means, factor], -1).reshape(B, -1)], -1))


def crosscheck_mixture(x, yp, K, d, layout, loss):
    """The same NLL by scipy: logsumexp of log softmax(logits) + multivariate_normal.logpdf."""
    from scipy.special import logsumexp, log_softmax
    from scipy.stats import multivariate_normal
    for b in range(x.shape[0]):
        comps = yp[b, K:].reshape(K, -1)
        lp = []
        for k in range(K):
            if layout == 'diag':
                cov_k = np.diag(comps[k, d:] ** 2)
            else:
                _m, L = unpack_rows_torch(torch.tensor(comps[k:k + 1]), d, layout)
                L = L[0].numpy()
                cov_k = L @ L.T
            lp.append(multivariate_normal(comps[k, :d], cov_k).logpdf(x[b]))
        ref = -logsumexp(log_softmax(yp[b, :K].astype(np.float64)) + np.array(lp))
        assert abs(ref - float(loss[b])) <= 1e-9 * max(1.0, abs(ref)), (ref, float(loss[b]))


def mixture_loss_cases():
    """gaussianMixtureNLLLoss against torch MixtureSameFamily, with gradients to the points and the rows.
    Special rows: a component of weight 1e-30 that still explains a point; points 1e3 σ from every
    component; logits of ±1e4."""
    cases = []

    def add(name, K, d, layout, yp, x, target='points'):
        def f(a, b):
            return -mixture_dist(b, K, d, layout).log_prob(a[:, :d])
        xt = x if target == 'points' else to32(np.concatenate([x, mixture_rng.normal(size=(x.shape[0], yp.shape[1] - d))], -1))
        loss, w, (gx, gy) = grads(f, xt, yp, weights_rng=mixture_rng)
        assert torch.isfinite(loss).all() and torch.isfinite(gy).all(), name
        crosscheck_mixture(xt[:, :d], yp, K, d, layout, loss)
        cases.append({'name': name, 'components': K, 'd': d, 'layout': layout, 'target': target,
                      'yTrue': tolist(xt), 'yPred': tolist(yp), 'loss': tolist(loss), 'weights': tolist(w),
                      'gradYTrue': tolist(gx), 'gradYPred': tolist(gy)})

    for layout in ('full', 'packed', 'diag'):
        for K, d, B in [(1, 2, 3), (2, 1, 4), (3, 2, 4), (5, 3, 3), (4, 8, 2)]:
            yp = mixture_rows(B, K, d, layout)
            x = to32(mixture_rng.normal(0, 2.5, size=(B, d)))
            add(f'random K={K} d={d}', K, d, layout, yp, x)
        K, d, B = 3, 2, 3
        add('padded targets', K, d, layout, mixture_rows(B, K, d, layout), to32(mixture_rng.normal(0, 2, size=(B, d))),
            target='padded')
        # Component 1 has weight 1e-30 (logit −69.08 against 0) but sits at the point of rows 1 and 2,
        # 12 σ from component 0: there it carries a responsibility of about 0.3 and 1.
        logits = np.array([[0.0, math.log(1e-30)]] * 3)
        means = np.array([[[0.0, 0.0], [12.0, 0.0]]] * 3)
        x = to32(np.array([[0.3, -0.2], [12.0, 0.0], [12.5, 0.5]]))
        add('a component of weight 1e-30', 2, 2, layout, mixture_rows(3, 2, 2, layout, logits, means), x)
        # Points about 1e3 σ from every component (NLL ~ 5e5), at distinct distances.
        x = to32(np.array([[1000.0, -800.0], [-1200.0, 900.0]]))
        add('points 1e3 σ away', 3, 2, layout, mixture_rows(2, 3, 2, layout), x)
        # Logits of ±1e4: the softmax saturates exactly.
        logits = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4 - 1.0]])
        add('logits of ±1e4', 3, 2, layout, mixture_rows(2, 3, 2, layout, logits),
            to32(mixture_rng.normal(0, 2, size=(2, 2))))
    return cases


def cholesky_accuracy_cases():
    """cholesky(A) and the gradient of sum(W * L) for n in {2, 8, 32} and condition numbers 1e1..1e6
    (npm run accuracy), float64 torch references for the float32 inputs. Own generator: the cases
    above keep their bits."""
    arng = np.random.default_rng(20261128)
    cases = []
    for n in (2, 8, 32):
        for cond in (1e1, 1e2, 1e3, 1e4, 1e5, 1e6):
            Q, _r = np.linalg.qr(arng.normal(size=(n, n)))
            A = (Q * np.logspace(0, -math.log10(cond), n)) @ Q.T
            A = to32(0.5 * (A + A.T))
            np.linalg.cholesky(A)
            W = np.tril(arng.uniform(-1, 1, size=(n, n)))
            At = torch.tensor(A, requires_grad=True)
            L = torch.linalg.cholesky(At)
            (L * torch.tensor(W)).sum().backward()
            cases.append({'n': n, 'cond': cond, 'a': tolist(A), 'l': tolist(L), 'weights': tolist(W),
                          'gradA': tolist(At.grad)})
    return cases


def mixture_log_prob_cases():
    """gaussianMixtureLogProb(x, logits, mean, scaleTril) with broadcast batch shapes, against torch; the
    upper triangles hold noise that must be ignored (torch gets tril)."""
    cases = []
    for K, d, bx, ba, bm in [(2, 1, (), (), ()), (3, 2, (4,), (), (4,)), (4, 3, (2, 1), (3,), (1, 3)), (1, 2, (3,), (3,), (3,))]:
        x = to32(mixture_rng.normal(0, 2, size=bx + (d,)))
        logits = to32(mixture_rng.normal(0, 1.5, size=ba + (K,)))
        mean = to32(mixture_rng.normal(0, 2, size=bm + (K, d)))
        L = np.tril(mixture_rng.normal(0, 0.3, size=bm + (K, d, d)), -1)
        L = L + np.einsum('...i,ij->...ij', mixture_rng.uniform(0.5, 1.5, size=bm + (K, d)), np.eye(d))
        L = to32(L + np.triu(mixture_rng.normal(0, 5, size=bm + (K, d, d)), 1))

        def f(x, a, m, l):
            comp = torch.distributions.MultivariateNormal(m, scale_tril=torch.tril(l), validate_args=False)
            mix = torch.distributions.MixtureSameFamily(torch.distributions.Categorical(logits=a), comp, validate_args=False)
            return mix.log_prob(x)
        lp, w, (gx, ga, gm, gl) = grads(f, x, logits, mean, L, weights_rng=mixture_rng)
        cases.append({'components': K, 'd': d, 'x': tolist(x), 'logits': tolist(logits), 'mean': tolist(mean),
                      'scaleTril': tolist(L), 'logProb': tolist(lp), 'weights': tolist(w), 'gradX': tolist(gx),
                      'gradLogits': tolist(ga), 'gradMean': tolist(gm), 'gradScaleTril': tolist(gl)})
    return cases

# ------------------------------------------------------------- calibration
# Metrics, scores and recalibration (test/metrics/). Only numpy and scipy:
# scipy.stats.chi2 / norm for the distribution functions, closed forms and
# scipy.integrate.quad for the CRPS, scipy.optimize for the mixture scale.
calib_rng = np.random.default_rng(20261202)
CALIB_LEVELS = [1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99,
                1 - 1e-3, 1 - 1e-4, 1 - 1e-5, 1 - 1e-6]
CALIB_DIMS = [1, 2, 3, 4, 5, 7, 10, 30, 50, 64, 100, 101, 300, 500, 999, 1000]


def distribution_function_cases():
    """chi2 and normal CDFs and quantiles from scipy.stats, in float64."""
    ps = np.array(CALIB_LEVELS)
    chi2 = []
    for d in CALIB_DIMS:
        q = scipy.stats.chi2.ppf(ps, d)
        x = np.concatenate([q, d * np.array([0.01, 0.5, 1.0, 2.0, 5.0])])
        x32 = to32(x)  # the PIT tensor sees float32 distances
        chi2.append({'d': d, 'p': tolist(ps), 'quantile': tolist(q), 'x': tolist(x),
                     'cdf': tolist(scipy.stats.chi2.cdf(x, d)), 'sf': tolist(scipy.stats.chi2.sf(x, d)),
                     'x32': tolist(x32), 'cdf32': tolist(scipy.stats.chi2.cdf(x32, d))})
    z = np.array([-37.5, -20, -10, -5, -3, -1.5, -1, -0.25, 0, 0.1, 0.5, 1, 2, 4, 8])
    normal = {'p': tolist(ps), 'quantile': tolist(scipy.stats.norm.ppf(ps)), 'z': tolist(z),
              'cdf': tolist(scipy.stats.norm.cdf(z))}
    return {'chi2': chi2, 'normal': normal}


def calib_factor(n, d):
    L = np.tril(calib_rng.normal(0, 0.4, size=(n, d, d)), -1)
    return to32(L + np.einsum('...i,ij->...ij', calib_rng.uniform(0.5, 1.5, size=(n, d)), np.eye(d)))


def calib_rows(m, L, layout):
    """Rows in `layout`: 'diag' keeps the diagonal; 'full' gets N(0, 5^2) noise above it (ignored)."""
    d = m.shape[-1]
    if layout == 'diag':
        return np.concatenate([m, np.diagonal(L, axis1=-2, axis2=-1)], -1)
    if layout == 'full':
        L = L + to32(np.triu(calib_rng.normal(0, 5, size=L.shape), 1))
    return to32(pack_rows(m, L, layout))


def mahalanobis_sq(x, m, L):
    z = np.stack([scipy.linalg.solve_triangular(L[i], x[i] - m[i], lower=True) for i in range(len(x))])
    return (z ** 2).sum(-1)


def crps_normal(y, mu, sd):
    z = (y - mu) / sd
    return sd * (z * (2 * scipy.stats.norm.cdf(z) - 1) + 2 * scipy.stats.norm.pdf(z) - 1 / math.sqrt(math.pi))


def crps_quad(y, cdf, lo, hi):
    """CRPS = ∫ (F(t) − 1{t ≥ y})² dt by adaptive quadrature (the tails beyond lo, hi are < 1e-300)."""
    a = scipy.integrate.quad(lambda t: cdf(t) ** 2, lo, y, epsabs=1e-13, epsrel=1e-12, limit=500)[0]
    b = scipy.integrate.quad(lambda t: (1 - cdf(t)) ** 2, y, hi, epsabs=1e-13, epsrel=1e-12, limit=500)[0]
    return a + b


def away_from(values, grid, eps):
    return np.min(np.abs(np.subtract.outer(values, grid)), axis=-1) > eps


def gaussian_metric_cases():
    """One Gaussian per row: M², PIT, coverage, CRPS, NLL, sharpness and the closed-form scale."""
    cases = []
    for layout in ('full', 'packed', 'diag'):
        for d in (1, 2, 3, 5):
            n = 8
            m = to32(calib_rng.normal(0, 2, size=(n, d)))
            L = calib_factor(n, d)
            if layout == 'diag':
                L = to32(np.einsum('...i,ij->...ij', np.diagonal(L, axis1=-2, axis2=-1), np.eye(d)))
            # Points at chosen PIT values, kept 1e-3 away from the coverage bounds tested (0.5, 0.9).
            u = calib_rng.uniform(0.02, 0.995, size=n)
            u = np.where(away_from(u, np.array([0.5, 0.9]), 1e-3), u, u + 0.01)
            direction = calib_rng.normal(size=(n, d))
            direction /= np.linalg.norm(direction, axis=-1, keepdims=True)
            r = np.sqrt(scipy.stats.chi2.ppf(u, d))
            x = to32(m + np.einsum('nij,nj->ni', L, direction * r[:, None]))
            m2 = mahalanobis_sq(x, m, L)
            sd = np.sqrt(np.einsum('nij,nij->ni', L, L))
            crps = crps_normal(x, m, sd)
            for i in range(2):  # cross-check the closed form by quadrature
                q = crps_quad(x[i, 0], lambda t: scipy.stats.norm.cdf(t, m[i, 0], sd[i, 0]),
                              m[i, 0] - 40 * sd[i, 0], m[i, 0] + 40 * sd[i, 0])
                assert abs(q - crps[i, 0]) < 1e-9 * max(1, q), (q, crps[i, 0])
            nll = -np.array([scipy.stats.multivariate_normal.logpdf(x[i], m[i], L[i] @ L[i].T) for i in range(n)])
            cases.append({'layout': layout, 'd': d, 'yTrue': tolist(x), 'yPred': tolist(calib_rows(m, L, layout)),
                          'mahalanobisSq': tolist(m2), 'pit': tolist(scipy.stats.chi2.cdf(m2, d)),
                          'coverage50': tolist(m2 <= scipy.stats.chi2.ppf(0.5, d)),
                          'coverage90': tolist(m2 <= scipy.stats.chi2.ppf(0.9, d)),
                          'crps': tolist(crps.mean(-1)), 'nll': tolist(nll),
                          'sharpness': tolist(np.exp(np.log(np.abs(np.diagonal(L, axis1=-2, axis2=-1))).sum(-1) / d)),
                          'scale': math.sqrt(m2.mean() / d)})
    return cases


def mixture_parts(K, n, d, layout):
    logits = to32(calib_rng.normal(0, 1, size=(n, K)))
    m = to32(calib_rng.normal(0, 2, size=(n, K, d)))
    L = calib_factor(n * K, d).reshape(n, K, d, d)
    if layout == 'diag':
        L = to32(np.einsum('...i,ij->...ij', np.diagonal(L, axis1=-2, axis2=-1), np.eye(d)))
    rows = np.concatenate([logits, calib_rows(m, L, layout).reshape(n, -1)], -1)
    return logits, m, L, to32(rows)


def mixture_log_pdf(x, logits, m, L, s=1.0):
    logw = logits - scipy.special.logsumexp(logits, -1, keepdims=True)
    K = logits.shape[-1]
    comp = np.stack([np.array([scipy.stats.multivariate_normal.logpdf(x[i], m[i, k], s * s * L[i, k] @ L[i, k].T)
                               for k in range(K)]) for i in range(len(x))])
    return scipy.special.logsumexp(logw + comp, -1)


def grimit_crps(y, w, mu, sd):
    """The mixture CRPS of one marginal in closed form (Grimit et al. 2006), for the cross-check."""
    def A(mm, ss):
        return 2 * ss * scipy.stats.norm.pdf(mm / ss) + mm * (2 * scipy.stats.norm.cdf(mm / ss) - 1)
    t1 = (w * A(y - mu, sd)).sum()
    t2 = (w[:, None] * w[None, :] * A(mu[:, None] - mu[None, :], np.sqrt(sd[:, None] ** 2 + sd[None, :] ** 2))).sum()
    return t1 - 0.5 * t2


def mixture_metric_cases():
    """Mixture CRPS by quadrature (cross-checked against the closed form), NLL and the fitted scale."""
    cases = []
    for layout, K, d in (('diag', 2, 1), ('diag', 3, 2), ('full', 2, 2), ('packed', 3, 3), ('full', 1, 2)):
        n = 5
        logits, m, L, rows = mixture_parts(K, n, d, layout)
        w = scipy.special.softmax(logits, -1)
        x = to32(np.einsum('nk,nkd->nd', w, m) + calib_rng.normal(0, 1.5, size=(n, d)))
        sd = np.sqrt(np.einsum('nkij,nkij->nki', L, L))
        crps = np.zeros((n, d))
        for i in range(n):
            for j in range(d):
                def cdf(t, i=i, j=j):
                    return float((w[i] * scipy.stats.norm.cdf(t, m[i, :, j], sd[i, :, j])).sum())
                lo = (m[i, :, j] - 40 * sd[i, :, j]).min()
                hi = (m[i, :, j] + 40 * sd[i, :, j]).max()
                crps[i, j] = crps_quad(x[i, j], cdf, lo, hi)
                closed = grimit_crps(x[i, j], w[i], m[i, :, j], sd[i, :, j])
                assert abs(closed - crps[i, j]) < 1e-8 * max(1, crps[i, j]), (closed, crps[i, j])
        nll = -mixture_log_pdf(x, logits, m, L)
        res = scipy.optimize.minimize_scalar(lambda t: -mixture_log_pdf(x, logits, m, L, math.exp(t)).mean(),
                                             bounds=(-9, 9), method='bounded', options={'xatol': 1e-10})
        cases.append({'layout': layout, 'components': K, 'd': d, 'yTrue': tolist(x), 'yPred': tolist(rows),
                      'crps': tolist(crps.mean(-1)), 'nll': tolist(nll), 'scale': math.exp(res.x)})
    return cases


def energy_score_cases():
    """The fair energy score of given draws, in NumPy."""
    cases = []
    for S, n, d, shift in ((2, 3, 1, 0.0), (12, 4, 3, 0.0), (40, 3, 5, 1e3)):
        x = to32(shift + calib_rng.normal(0, 1, size=(S, n, d)))
        y = to32(shift + calib_rng.normal(0, 1.5, size=(n, d)))
        to_point = np.linalg.norm(x - y, axis=-1).mean(0)
        pairs = np.linalg.norm(x[:, None] - x[None, :], axis=-1).sum((0, 1))
        cases.append({'samples': tolist(x), 'y': tolist(y), 'energyScore': tolist(to_point - pairs / (2 * S * (S - 1)))})
    return cases


def report_cases():
    """calibrationReport on larger data: coverage, uncertainty-toolbox's calibration errors, PIT histogram.

    uncertainty-toolbox (interval proportions, 100 levels on linspace(0, 1, 100)) counts a point at
    expected proportion p when |z| <= Phi^-1(1/2 + p/2), i.e. M^2 <= chi2_1^-1(p); for d > 1 the
    ellipsoid M^2 <= chi2_d^-1(p) takes its place. Its miscalibration_area is the area between the
    piecewise-linear curve and the diagonal; here by dense quadrature (2e6 trapezoids), independent of
    the segment formula in calibration_report.ts."""
    cases = []
    exp = np.linspace(0, 1, 100)
    levels = np.arange(1, 100) / 100
    edges = np.concatenate([exp, levels, np.arange(11) / 10])
    for layout, d, n, spread in (('diag', 1, 300, 1.4), ('full', 3, 200, 0.8)):
        m = to32(calib_rng.normal(0, 1, size=(n, d)))
        L = calib_factor(n, d)
        if layout == 'diag':
            L = to32(np.einsum('...i,ij->...ij', np.diagonal(L, axis1=-2, axis2=-1), np.eye(d)))
        x = to32(m + spread * np.einsum('nij,nj->ni', L, calib_rng.normal(size=(n, d))))
        u = scipy.stats.chi2.cdf(mahalanobis_sq(x, m, L), d)
        keep = away_from(u, edges, 2e-5)  # no point within float32 reach of a level or bin edge
        x, m, L, u = x[keep], m[keep], L[keep], u[keep]
        m2 = mahalanobis_sq(x, m, L)
        obs = np.array([(m2 <= scipy.stats.chi2.ppf(p, d)).mean() if p < 1 else 1.0 for p in exp])
        fine = np.linspace(0, 1, 2_000_001)
        area = np.trapezoid(np.abs(np.interp(fine, exp, obs) - fine), fine)
        sd = np.sqrt(np.einsum('nij,nij->ni', L, L))
        cases.append({'layout': layout, 'd': d, 'yTrue': tolist(x), 'yPred': tolist(calib_rows(m, L, layout)),
                      'coverage': tolist([(m2 <= scipy.stats.chi2.ppf(p, d)).mean() for p in levels]),
                      'miscalibrationArea': float(area),
                      'rmsCalibrationError': float(np.sqrt(np.mean((exp - obs) ** 2))),
                      'pitHistogram': tolist(np.histogram(u, bins=10, range=(0, 1))[0] / len(u)),
                      'nll': float(-np.mean([scipy.stats.multivariate_normal.logpdf(x[i], m[i], L[i] @ L[i].T)
                                            for i in range(len(x))])),
                      'crps': float(crps_normal(x, m, sd).mean()),
                      'sharpness': float(np.mean(np.exp(np.log(np.abs(np.diagonal(L, axis1=-2, axis2=-1))).sum(-1) / d)))})
    return cases


# ---------------------------------------------------------------- gaussianLatent
latent_rng = np.random.default_rng(20261203)
LATENT_SHIFT = 1e-5


def head_torch(x, d, layout, shift=LATENT_SHIFT):
    """gaussianHead's transform, written again in torch: mean and strict lower pass,
    each scale diagonal becomes log(1 + e^x) + shift (torch.logaddexp, exact)."""
    m = x[..., :d]
    if layout == 'diag':
        return m, torch.diag_embed(torch.logaddexp(x[..., d:], torch.zeros(())) + shift)
    _, L = unpack_rows_torch(x, d, layout)
    diag = torch.diagonal(L, dim1=-2, dim2=-1)
    return m, torch.tril(L, -1) + torch.diag_embed(torch.logaddexp(diag, torch.zeros(())) + shift)


def latent_cases():
    """KL(q(z|x) || prior) of the gaussianLatent layer: q from raw rows through the head
    transform, the prior standard normal, a fixed diagonal, a fixed full factor, or learnable
    (raw weights through the same transform, with softplus^-1(1 - shift) added to the diagonal
    so that zero weights are N(0, I)). KL by torch.distributions.kl_divergence of
    MultivariateNormals in float64; the gradient of the batch mean by autograd."""
    cases = []
    c = math.log(math.expm1(1 - LATENT_SHIFT))
    for layout, d in [('diag', 1), ('diag', 4), ('full', 3), ('packed', 3)]:
        w = d * 2 if layout == 'diag' else (d + d * d if layout == 'full' else d + d * (d + 1) // 2)
        for prior in ['standardNormal', 'diag', 'tril', 'learnable']:
            n = 6
            x = to32(latent_rng.normal(0, 1, size=(n, w)))
            spec = {}
            raw = []
            if prior == 'diag':
                spec = {'loc': to32(latent_rng.normal(0, 1, size=d)), 'scaleDiag': to32(latent_rng.uniform(0.5, 2, size=d))}
            elif prior == 'tril':
                L = np.tril(latent_rng.normal(0, 0.4, size=(d, d)), -1) + np.diag(latent_rng.uniform(0.5, 1.5, size=d))
                spec = {'loc': to32(latent_rng.normal(0, 1, size=d)), 'scaleTril': to32(L)}
            elif prior == 'learnable':
                raw = [to32(latent_rng.normal(0, 0.5, size=d)), to32(latent_rng.normal(0, 0.5, size=w - d))]
            ts = [torch.tensor(a, requires_grad=True) for a in [x] + raw]
            mq, Lq = head_torch(ts[0], d, layout)
            q = torch.distributions.MultivariateNormal(mq, scale_tril=Lq)
            if prior == 'standardNormal':
                p = torch.distributions.MultivariateNormal(torch.zeros(d), scale_tril=torch.eye(d))
            elif prior == 'diag':
                p = torch.distributions.MultivariateNormal(torch.tensor(spec['loc']), scale_tril=torch.diag(torch.tensor(spec['scaleDiag'])))
            elif prior == 'tril':
                p = torch.distributions.MultivariateNormal(torch.tensor(spec['loc']), scale_tril=torch.tensor(spec['scaleTril']))
            else:
                if layout == 'diag':
                    shift = torch.full((d,), c)
                else:
                    shift = torch.zeros(w - d)
                    probe = torch.tensor(np.arange(w, dtype=np.float64))
                    _, P = unpack_rows_torch(probe, d, layout)
                    for i in range(d):
                        shift[int(P[i, i]) - d] = c
                mp, Lp = head_torch(torch.cat([ts[1], ts[2] + shift]), d, layout)
                p = torch.distributions.MultivariateNormal(mp, scale_tril=Lp)
            kl = torch.distributions.kl_divergence(q, p)
            kl.mean().backward()
            cases.append({'layout': layout, 'd': d, 'prior': prior, 'x': tolist(x),
                          'priorSpec': {k: tolist(v) for k, v in spec.items()},
                          'priorWeights': [tolist(r) for r in raw],
                          'kl': tolist(kl), 'value': float(kl.mean()),
                          'gradX': tolist(ts[0].grad), 'gradPrior': [tolist(t.grad) for t in ts[1:]]})
    return cases

lowrank_rng = np.random.default_rng(20261204)


def lowrank_rows(B, d, r, sigma='unit', w_scale=0.5):
    """Rows [mean | sigma | W row-major], float32-rounded. sigma: 'unit' U(0.5, 1.5), 'range'
    10^U(-3, 3), 'small' U(0.005, 0.02)."""
    mean = lowrank_rng.normal(0, 1, (B, d))
    if sigma == 'unit':
        s = lowrank_rng.uniform(0.5, 1.5, (B, d))
    elif sigma == 'range':
        s = 10.0 ** lowrank_rng.uniform(-3, 3, (B, d))
    else:
        s = lowrank_rng.uniform(0.005, 0.02, (B, d))
    W = lowrank_rng.normal(0, w_scale, (B, d, r)) if w_scale > 0 else np.zeros((B, d, r))
    return to32(np.concatenate([mean, s, W.reshape(B, d * r)], -1))


def lowrank_torch(y, d):
    r = y.shape[-1] // d - 2
    mean, s, W = y[:, :d], y[:, d:2 * d], y[:, 2 * d:].reshape(-1, d, r)
    return torch.distributions.LowRankMultivariateNormal(mean, cov_factor=W, cov_diag=s * s)


def lowrank_cases():
    """The 'lowrank' layout, Sigma = diag(sigma^2) + W W^T: NLL by
    torch.distributions.LowRankMultivariateNormal.log_prob and KL by its
    kl_divergence (lowrank against lowrank), float64, of float32 inputs; the
    gradients of the per-row values' sum by autograd. 'composite': whether the
    float32 composite path is held to these values (well-conditioned cases)."""
    nll, kl = [], []
    for name, B, d, r, sigma, w, composite in [
            ('small', 4, 3, 1, 'unit', 0.5, True), ('d8r2', 4, 8, 2, 'unit', 0.5, True),
            ('d32r4', 3, 32, 4, 'unit', 0.5, True), ('d128r8', 2, 128, 8, 'unit', 0.3, True),
            ('d512r32', 1, 512, 32, 'unit', 0.2, True), ('sigma 1e-3..1e3', 3, 16, 3, 'range', 1.0, False),
            ('W >> sigma', 3, 16, 4, 'small', 10.0, False), ('W = 0', 3, 8, 2, 'unit', 0.0, True)]:
        y = lowrank_rows(B, d, r, sigma, w)
        # A draw from the row's own Gaussian: mean + W e_r + sigma e_d.
        Wm = y[:, 2 * d:].reshape(B, d, r)
        x = to32(y[:, :d] + np.einsum('bij,bj->bi', Wm, lowrank_rng.normal(0, 1, (B, r)))
                 + y[:, d:2 * d] * lowrank_rng.normal(0, 1, (B, d)))
        xt = torch.tensor(x, requires_grad=True)
        yt = torch.tensor(y, requires_grad=True)
        v = -lowrank_torch(yt, d).log_prob(xt)
        v.sum().backward()
        nll.append({'name': name, 'd': d, 'r': r, 'composite': composite, 'x': tolist(x), 'yPred': tolist(y),
                    'nll': tolist(v.detach()), 'gradX': tolist(xt.grad), 'gradPred': tolist(yt.grad)})
    for name, B, d, rt, rp, direction, sigma, w, composite in [
            ('small', 4, 3, 1, 1, 'forward', 'unit', 0.5, True), ('d8r2', 4, 8, 2, 2, 'reverse', 'unit', 0.5, True),
            ('d32r4', 3, 32, 4, 4, 'symmetric', 'unit', 0.5, True), ('ranks 2 and 5', 3, 16, 2, 5, 'forward', 'unit', 0.5, True),
            ('ranks 6 and 1', 3, 16, 6, 1, 'symmetric', 'unit', 0.5, True),
            ('d512r32', 1, 512, 32, 32, 'forward', 'unit', 0.2, True),
            ('sigma 1e-3..1e3', 3, 16, 3, 3, 'forward', 'range', 1.0, False),
            ('W >> sigma', 3, 16, 4, 4, 'forward', 'small', 10.0, False), ('W = 0', 3, 8, 2, 2, 'symmetric', 'unit', 0.0, True),
            ('nearby (1 %)', 3, 16, 4, 4, 'forward', 'unit', 0.5, False)]:
        yT = lowrank_rows(B, d, rt, sigma, w)
        if name.startswith('nearby'):
            yP = to32(yT * (1 + 0.01 * lowrank_rng.normal(0, 1, yT.shape)))
        else:
            yP = lowrank_rows(B, d, rp, sigma, w)
        tt = torch.tensor(yT, requires_grad=True)
        tp = torch.tensor(yP, requires_grad=True)
        pt, pp = lowrank_torch(tt, d), lowrank_torch(tp, d)
        v = 0
        if direction != 'reverse':
            v = v + torch.distributions.kl_divergence(pt, pp)
        if direction != 'forward':
            v = v + torch.distributions.kl_divergence(pp, pt)
        v.sum().backward()
        kl.append({'name': name, 'd': d, 'rTrue': rt, 'rPred': rp, 'direction': direction, 'composite': composite,
                   'yTrue': tolist(yT), 'yPred': tolist(yP), 'kl': tolist(v.detach()),
                   'gradTrue': tolist(tt.grad), 'gradPred': tolist(tp.grad)})
    return {'nll': nll, 'kl': kl, 'distribution': lowrank_distribution_cases(), 'mixture': lowrank_mixture_cases(),
            'accuracy': lowrank_accuracy_cases()}


def lowrank_accuracy_cases():
    """The 'lowrank' NLL for condition numbers of Sigma 1e1..1e6 (npm run accuracy): sigma^2 in
    [0.5, 1] and W = U diag(s) with orthonormal U and s log-spaced up to sqrt(cond), so the
    largest eigenvalue of Sigma is about cond and the smallest about 0.5 to 1; d in {16, 128},
    r = 4, points drawn from the Gaussian. float64 torch values and gradients of the float32
    inputs."""
    cases = []
    for d in (16, 128):
        for cond in (1e1, 1e2, 1e3, 1e4, 1e5, 1e6):
            B, r = 4, 4
            U = np.linalg.qr(lowrank_rng.normal(size=(B, d, r)))[0]
            sv = np.sqrt(cond) * np.logspace(-1, 0, r)[::-1]
            W = U * sv
            y = to32(np.concatenate([lowrank_rng.normal(size=(B, d)), np.sqrt(lowrank_rng.uniform(0.5, 1, (B, d))),
                                     W.reshape(B, d * r)], -1))
            Wm = y[:, 2 * d:].reshape(B, d, r)
            x = to32(y[:, :d] + np.einsum('bij,bj->bi', Wm, lowrank_rng.normal(size=(B, r)))
                     + y[:, d:2 * d] * lowrank_rng.normal(size=(B, d)))
            yt = torch.tensor(y, requires_grad=True)
            v = -lowrank_torch(yt, d).log_prob(torch.tensor(x))
            v.sum().backward()
            cases.append({'d': d, 'r': r, 'cond': cond, 'x': tolist(x), 'yPred': tolist(y), 'nll': tolist(v.detach()),
                          'gradPred': tolist(yt.grad)})
    return cases


def lowrank_mixture_cases():
    """Mixture NLL with 'lowrank' components, rows [logits (K) | K rows [mean | sigma | W]]:
    MixtureSameFamily(Categorical(logits), LowRankMultivariateNormal), float64; gradients of
    the per-row values' sum by autograd."""
    cases = []
    for B, K, d, r in [(4, 3, 8, 2), (3, 5, 32, 4)]:
        logits = to32(lowrank_rng.normal(0, 1, (B, K)))
        comps = np.stack([lowrank_rows(B, d, r) for _ in range(K)], 1)  # [B, K, d(2 + r)]
        y = np.concatenate([logits, comps.reshape(B, -1)], -1)
        x = to32(comps[:, 0, :d] + lowrank_rng.normal(0, 1, (B, d)))
        xt = torch.tensor(x, requires_grad=True)
        yt = torch.tensor(y, requires_grad=True)
        c = yt[:, K:].reshape(B, K, -1)
        comp = torch.distributions.LowRankMultivariateNormal(
            c[..., :d], cov_factor=c[..., 2 * d:].reshape(B, K, d, r), cov_diag=c[..., d:2 * d] ** 2)
        mix = torch.distributions.MixtureSameFamily(torch.distributions.Categorical(logits=yt[:, :K]), comp)
        v = -mix.log_prob(xt)
        v.sum().backward()
        cases.append({'K': K, 'd': d, 'r': r, 'x': tolist(x), 'yPred': tolist(y), 'nll': tolist(v.detach()),
                      'gradX': tolist(xt.grad), 'gradPred': tolist(yt.grad)})
    return cases


def lowrank_distribution_cases():
    """LowRankMultivariateNormal(loc, covFactor, covDiag) as torch's (covDiag the variance):
    log_prob of points [S, B, d], entropy, and KL against a MultivariateNormal with a
    diagonal and with a triangular scale, both directions; gradients of each sum for the
    parameters by autograd."""
    cases = []
    for B, d, r, S in [(3, 4, 2, 2), (2, 16, 3, 3), (2, 64, 8, 1)]:
        loc = to32(lowrank_rng.normal(0, 1, (B, d)))
        W = to32(lowrank_rng.normal(0, 0.5, (B, d, r)))
        v = to32(lowrank_rng.uniform(0.3, 2.0, (B, d)))
        x = to32(lowrank_rng.normal(0, 1.5, (S, B, d)))
        qloc = to32(lowrank_rng.normal(0, 1, (B, d)))
        qdiag = to32(lowrank_rng.uniform(0.5, 1.5, (B, d)))
        qtril = to32(np.tril(lowrank_rng.normal(0, 0.3, (B, d, d)), -1) + np.eye(d) * lowrank_rng.uniform(0.7, 1.4, (B, d, 1)))
        case = {'B': B, 'd': d, 'r': r, 'loc': tolist(loc), 'covFactor': tolist(W), 'covDiag': tolist(v), 'x': tolist(x),
                'qLoc': tolist(qloc), 'qScaleDiag': tolist(qdiag), 'qScaleTril': tolist(qtril)}

        def run(f):
            ts = [torch.tensor(a, requires_grad=True) for a in (loc, W, v)]
            p = torch.distributions.LowRankMultivariateNormal(ts[0], cov_factor=ts[1], cov_diag=ts[2])
            out = f(p)
            out.sum().backward()
            g = [t.grad if t.grad is not None else torch.zeros_like(t) for t in ts]  # entropy does not depend on loc
            return {'value': tolist(out.detach()), 'gradLoc': tolist(g[0]), 'gradCovFactor': tolist(g[1]),
                    'gradCovDiag': tolist(g[2])}
        qd = torch.distributions.MultivariateNormal(torch.tensor(qloc), scale_tril=torch.diag_embed(torch.tensor(qdiag)))
        qt = torch.distributions.MultivariateNormal(torch.tensor(qloc), scale_tril=torch.tensor(qtril))
        kl = torch.distributions.kl_divergence
        case['logProb'] = run(lambda p: p.log_prob(torch.tensor(x)))
        case['entropy'] = run(lambda p: p.entropy())
        case['klToDiag'] = run(lambda p: kl(p, qd))
        case['klFromDiag'] = run(lambda p: kl(qd, p))
        case['klToTril'] = run(lambda p: kl(p, qt))
        case['klFromTril'] = run(lambda p: kl(qt, p))
        cases.append(case)
    return cases


HEAD_SHIFTS = [1e-5, 0.0, 0.25]


def head_column_classes(d, layout, r=0):
    """Per column of one row: 'keep', 'scale' or 'zero', found by packing a marker
    Gaussian (mean 3, strict lower 2, diagonal 1) with pack_rows, so the layout's
    column order comes from the fill_triangular reference, not from our code."""
    if layout == 'diag':
        return ['keep'] * d + ['scale'] * d
    if layout == 'lowrank':
        return ['keep'] * d + ['scale'] * d + ['keep'] * (d * r)
    L = np.tril(np.full((d, d), 2.0), -1) + np.eye(d)
    row = pack_rows(np.full((d,), 3.0), L, layout)
    return ['keep' if v in (2.0, 3.0) else 'scale' if v == 1.0 else 'zero' for v in row]


def head_cases():
    """gaussianHead / gaussianMixtureHead: kept columns pass through, scale columns
    become softplus(x) + shift (torch.logaddexp(x, 0) in float64: exact at both
    ends, unlike F.softplus's threshold), the 'full' upper triangle 0. Gradient of
    sum(head(x) * w) by autograd. Inputs span +-1e3, +-40, +-15, 0 and N(0, 3)."""
    cases = []
    head_rng = np.random.default_rng(20261202)
    specs = [('full', 3, 0, 0), ('packed', 4, 0, 0), ('diag', 5, 0, 0), ('lowrank', 4, 2, 0),
             ('packed', 2, 0, 3), ('diag', 3, 0, 2)]
    for layout, d, r, K in specs:
        one = head_column_classes(d, layout, r)
        classes = one if K == 0 else ['keep'] * K + one * K
        w = len(classes)
        extremes = [1e3, -1e3, 40.0, -40.0, 15.0, -15.0, 0.0, 1e-3]
        rows = [np.full(w, v) for v in extremes] + list(head_rng.normal(0, 3, size=(6, w)))
        x = to32(np.stack(rows))
        for shift in HEAD_SHIFTS:
            xt = torch.tensor(x, requires_grad=True)
            cols = []
            for c, k in enumerate(classes):
                v = xt[:, c]
                cols.append(v if k == 'keep' else torch.logaddexp(v, torch.zeros_like(v)) + shift if k == 'scale'
                            else torch.zeros_like(v))
            y = torch.stack(cols, -1)
            wts = torch.tensor(to32(head_rng.normal(0, 1, size=x.shape)))
            (g,) = torch.autograd.grad((y * wts).sum(), xt)
            cases.append({'layout': layout, 'dim': d, 'rank': r, 'components': K, 'diagShift': shift,
                          'x': tolist(x), 'weights': tolist(wts), 'y': tolist(y), 'grad': tolist(g)})
    return cases


def main():
    os.makedirs(OUT, exist_ok=True)
    fixtures = {
        'fill_triangular.json': {'cases': fill_triangular_cases()},
        'triangular_solve.json': {'cases': solve_cases()},
        'kl_divergence.json': {'cases': kl_cases()},
        'losses.json': {'cases': loss_cases()},
        'notebook.json': {'gridKL': notebook_grid_kl()},
        'accuracy.json': {'cases': accuracy_cases()},
        'log_prob.json': {'cases': log_prob_cases()},
        'entropy.json': {'cases': entropy_cases()},
        'cholesky.json': {'cases': cholesky_cases()},
        'mvn_diag.json': {'cases': mvn_diag_cases()},
        'diag_losses.json': {'cases': diag_loss_cases()},
        'mixture_losses.json': {'cases': mixture_loss_cases()},
        'mixture_log_prob.json': {'cases': mixture_log_prob_cases()},
        'cholesky_accuracy.json': {'cases': cholesky_accuracy_cases()},
        'calibration.json': {'distributionFunctions': distribution_function_cases(), 'gaussian': gaussian_metric_cases(),
                             'mixture': mixture_metric_cases(), 'energyScore': energy_score_cases(),
                             'report': report_cases()},
        'latent.json': {'cases': latent_cases()},
        'lowrank.json': lowrank_cases(),
        'head.json': {'cases': head_cases()},
    }
    meta = {'generator': 'scripts/make_fixtures.py', 'torch': torch.__version__,
            'numpy': np.__version__, 'scipy': scipy.__version__}
    only = sys.argv[1:]  # e.g. `make_fixtures.py log_prob.json`: write just these files
    for name, body in fixtures.items():
        if only and name not in only:
            continue
        with open(os.path.join(OUT, name), 'w') as f:
            json.dump({'meta': meta, **body}, f, separators=(',', ':'))
        print('wrote', name)


if __name__ == '__main__':
    main()

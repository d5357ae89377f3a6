#!/usr/bin/env python3
"""Peer timings for bench.ts: the same work as one of our loss steps, in
PyTorch, JAX or TensorFlow, whichever this Python has.

    python3 bench/peers.py <torch|torch-solve|jax|tf|tf-xla>

A small server, so that bench.ts can time each peer right after each of its
own cells (the machine is shared and its speed drifts; adjacent measurements
make the ratios fair). It prints "ready <peer> <version>" (or "unavailable
<reason>" and exits), then answers each line
"<kl|nll|chol|dkl|dnll|mixK|lrnllR|lrklR> <batch> <d> <min_time_s> <min_reps>" with the median ms per step
('chol': value and gradient of sum(cholesky(A) * W), A [batch, d, d];
'dkl', 'dnll': the KL and NLL steps on rows [mean | σ] of a diagonal Gaussian;
'mixK', e.g. 'mix5': the NLL step of a K-component mixture, rows
[logits (K) | K rows [mean | L row-major]]; torch: MixtureSameFamily(
Categorical(logits), MultivariateNormal(loc, scale_tril));
'lrnllR', 'lrklR': the NLL and KL steps on 'lowrank' rows of rank R,
[mean | sigma | W], Sigma = diag(sigma^2) + W W^T; torch:
LowRankMultivariateNormal, jax: the same Woodbury and determinant-lemma
identities as ours, jit-compiled; the other peers answer "null").

"mlp <batch> <d> <min_time_s> <min_reps> <inputs> <hidden>" times a whole
training step of the regression MLP of bench/fit_steps.ts (in -> H relu ->
H relu -> [mean | packed lower factor], softplus + 1e-5 on the diagonal, the
Gaussian NLL, Adam(1e-3)), float32, 1 thread, the loss read back:
- torch: nn.Sequential, MultivariateNormal(loc, scale_tril).log_prob, Adam;
- tf:    Keras 3 model.train_on_batch (compile defaults: no XLA on a CPU-only
         machine), the NLL written with tf.linalg.triangular_solve.
The other peers answer "null".

The step is value-and-gradient of mean(loss(y_true, y_pred)) with respect to
y_pred, float32, rows [mean | L row-major], 1 thread:
- torch:       torch.distributions (MultivariateNormal, kl_divergence,
               log_prob), validate_args=False;
- torch-solve: the same maths written directly with one batched
               torch.linalg.solve_triangular per step (PyTorch's fastest form);
- jax:         jax.jit(jax.value_and_grad(...)) with
               jax.scipy.linalg.solve_triangular, the process pinned to one CPU;
- tf / tf-xla: tf.function (without / with jit_compile=True) of a
               GradientTape step with tf.linalg.triangular_solve.
"""
import json
import os
import statistics
import sys
import time

PEER = sys.argv[1] if len(sys.argv) > 1 else 'torch'

# One thread everywhere. jaxlib splits batched triangular solves across
# threads whatever XLA_FLAGS says (and once deadlocked unpinned), so the JAX
# process is pinned to one CPU as well.
os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')
os.environ.setdefault('OMP_NUM_THREADS', '1')
os.environ.setdefault('MKL_NUM_THREADS', '1')
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
if PEER == 'jax':
    os.sched_setaffinity(0, {0})
    os.environ['XLA_FLAGS'] = '--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1'
    os.environ['JAX_PLATFORMS'] = 'cpu'

import numpy as np  # noqa: E402

LOG_2PI = float(np.log(2 * np.pi))


def rows(rng, batch, d):
    """[mean | L row-major] rows with a well-conditioned lower factor (|diag| in [0.5, 1.5])."""
    m = rng.standard_normal((batch, d))
    L = np.tril(rng.standard_normal((batch, d, d)) * 0.3, -1) + np.eye(d) * rng.uniform(0.5, 1.5, (batch, d, 1))
    return np.concatenate([m, L.reshape(batch, d * d)], -1).astype(np.float32)


def spd_batch(rng, batch, d):
    """Symmetric positive definite [batch, d, d] float32 matrices (condition <= ~50) and lower weights."""
    M = rng.standard_normal((batch, d, d)) / np.sqrt(d)
    A = M @ np.swapaxes(M, -1, -2) + np.eye(d)
    W = np.tril(rng.uniform(-1, 1, (batch, d, d)))
    return A.astype(np.float32), W.astype(np.float32)


def mixture_rows(rng, K, batch, d):
    """[logits (K) | K rows [mean | L]] with logits ~ N(0, 1)."""
    comps = np.stack([rows(rng, batch, d) for _ in range(K)], 1).reshape(batch, -1)
    return np.concatenate([rng.standard_normal((batch, K)).astype(np.float32), comps], -1)


def lowrank_kind(kind):
    """('nll' | 'kl', rank) for 'lrnllR' / 'lrklR', else None."""
    for k in ('lrnll', 'lrkl'):
        if kind.startswith(k):
            return k[2:], int(kind[len(k):])
    return None


def lowrank_rows(rng, batch, d, r):
    """'lowrank' rows [mean | sigma | W row-major]: sigma in [0.5, 1.5], W ~ N(0, 0.3^2)."""
    return np.concatenate([rng.standard_normal((batch, d)), rng.uniform(0.5, 1.5, (batch, d)),
                           rng.standard_normal((batch, d * r)) * 0.3], -1).astype(np.float32)


def mix_k(kind):
    return int(kind[3:]) if kind.startswith('mix') else 0


def diag_rows(rng, batch, d):
    """[mean | σ] rows, σ in [0.5, 1.5]."""
    return np.concatenate([rng.standard_normal((batch, d)), rng.uniform(0.5, 1.5, (batch, d))], -1).astype(np.float32)


def make_torch(direct):
    import torch
    torch.set_num_threads(1)

    def unpack(y, d):
        return y[:, :d], torch.tril(y[:, d:].reshape(-1, d, d))

    def kl_direct(mt, Lt, mp, Lp, d):
        # KL(t || p) = 1/2 (||Lp^-1 Lt||^2 + ||Lp^-1 (mp - mt)||^2 - d) + sum log|Lp_ii| - sum log|Lt_ii|
        rhs = torch.cat([Lt, (mp - mt).unsqueeze(-1)], -1)
        X = torch.linalg.solve_triangular(Lp, rhs, upper=False)
        logdet = lambda L: torch.log(torch.abs(torch.diagonal(L, dim1=-2, dim2=-1))).sum(-1)
        return 0.5 * (X.square().sum((-2, -1)) - d) + logdet(Lp) - logdet(Lt)

    def nll_direct(x, mp, Lp, d):
        z = torch.linalg.solve_triangular(Lp, (x - mp).unsqueeze(-1), upper=False)
        return 0.5 * d * LOG_2PI + torch.log(torch.abs(torch.diagonal(Lp, dim1=-2, dim2=-1))).sum(-1) + 0.5 * z.square().sum((-2, -1))

    def mlp_setup(batch, d, inputs, hidden):
        torch.manual_seed(0)
        w = d + d * (d + 1) // 2
        model = torch.nn.Sequential(torch.nn.Linear(inputs, hidden), torch.nn.ReLU(),
                                    torch.nn.Linear(hidden, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, w))
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        rng = np.random.default_rng(0)
        x = torch.from_numpy(rng.standard_normal((batch, inputs)).astype(np.float32))
        y = torch.from_numpy(rng.standard_normal((batch, d)).astype(np.float32))
        r, c = torch.tril_indices(d, d)
        on_diag = (r == c)

        def mlp_step():
            opt.zero_grad()
            out = model(x)
            packed = out[:, d:]
            packed = torch.where(on_diag, torch.nn.functional.softplus(packed) + 1e-5, packed)
            L = out.new_zeros(batch, d, d)
            L[:, r, c] = packed
            q = torch.distributions.MultivariateNormal(out[:, :d], scale_tril=L, validate_args=False)
            loss = (-q.log_prob(y)).mean()
            loss.backward()
            opt.step()
            return loss.item()
        return mlp_step

    def lowrank_setup(what, r, batch, d):
        rng = np.random.default_rng(0)
        yt = torch.from_numpy(lowrank_rows(rng, batch, d, r))
        yp0 = torch.from_numpy(lowrank_rows(rng, batch, d, r))
        x = torch.from_numpy(rng.standard_normal((batch, d)).astype(np.float32))

        def dist(y):
            return torch.distributions.LowRankMultivariateNormal(
                y[:, :d], cov_factor=y[:, 2 * d:].reshape(batch, d, r), cov_diag=y[:, d:2 * d] ** 2, validate_args=False)

        def lr_step():
            yp = yp0.detach().requires_grad_(True)
            if what == 'kl':
                loss = torch.distributions.kl_divergence(dist(yt), dist(yp)).mean()
            else:
                loss = (-dist(yp).log_prob(x)).mean()
            loss.backward()
            return loss.item(), yp.grad.numpy()
        return lr_step

    def setup(kind, batch, d, inputs=0, hidden=0):
        if kind == 'mlp':
            return mlp_setup(batch, d, inputs, hidden) if not direct else None
        if lowrank_kind(kind):
            return None if direct else lowrank_setup(*lowrank_kind(kind), batch, d)
        rng = np.random.default_rng(0)
        yt = torch.from_numpy(rows(rng, batch, d))
        yp0 = torch.from_numpy(rows(rng, batch, d))
        x = torch.from_numpy(rng.standard_normal((batch, d)).astype(np.float32))

        if kind == 'chol':
            A0, W = spd_batch(rng, batch, d)
            A0, W = torch.from_numpy(A0), torch.from_numpy(W)

            def chol_step():
                A = A0.detach().requires_grad_(True)
                loss = (torch.linalg.cholesky(A) * W).sum()
                loss.backward()
                return loss.item(), A.grad.numpy()
            return chol_step

        if mix_k(kind):
            K = mix_k(kind)
            m0 = torch.from_numpy(mixture_rows(rng, K, batch, d))

            def mix_step():
                yp = m0.detach().requires_grad_(True)
                logits = yp[:, :K]
                c = yp[:, K:].reshape(batch, K, d + d * d)
                loc, L = c[..., :d], torch.tril(c[..., d:].reshape(batch, K, d, d))
                if direct:
                    z = torch.linalg.solve_triangular(L, (x[:, None, :] - loc).unsqueeze(-1), upper=False)
                    logdet = torch.log(torch.abs(torch.diagonal(L, dim1=-2, dim2=-1))).sum(-1)
                    lp = -0.5 * d * LOG_2PI - logdet - 0.5 * z.square().sum((-2, -1))
                    loss = -torch.logsumexp(torch.log_softmax(logits, -1) + lp, -1).mean()
                else:
                    mix = torch.distributions.MixtureSameFamily(
                        torch.distributions.Categorical(logits=logits, validate_args=False),
                        torch.distributions.MultivariateNormal(loc, scale_tril=L, validate_args=False), validate_args=False)
                    loss = (-mix.log_prob(x)).mean()
                loss.backward()
                return loss.item(), yp.grad.numpy()
            return mix_step

        if kind in ('dkl', 'dnll'):
            dt0, dp0 = torch.from_numpy(diag_rows(rng, batch, d)), torch.from_numpy(diag_rows(rng, batch, d))

            def diag_step():
                yp = dp0.detach().requires_grad_(True)
                mp, sp = yp[:, :d], yp[:, d:]
                if direct:
                    if kind == 'dkl':
                        mt, st = dt0[:, :d], dt0[:, d:]
                        loss = (torch.log(sp / st) + (st ** 2 + (mt - mp) ** 2) / (2 * sp ** 2) - 0.5).sum(-1).mean()
                    else:
                        z = (x - mp) / sp
                        loss = (0.5 * d * LOG_2PI + torch.log(sp).sum(-1) + 0.5 * (z * z).sum(-1)).mean()
                else:
                    q = torch.distributions.Independent(torch.distributions.Normal(mp, sp, validate_args=False), 1)
                    if kind == 'dkl':
                        p = torch.distributions.Independent(torch.distributions.Normal(dt0[:, :d], dt0[:, d:], validate_args=False), 1)
                        loss = torch.distributions.kl_divergence(p, q).mean()
                    else:
                        loss = (-q.log_prob(x)).mean()
                loss.backward()
                return loss.item(), yp.grad.numpy()
            return diag_step

        def step():
            yp = yp0.detach().requires_grad_(True)
            mp, Lp = unpack(yp, d)
            if kind == 'kl':
                mt, Lt = unpack(yt, d)
                if direct:
                    loss = kl_direct(mt, Lt, mp, Lp, d).mean()
                else:
                    p = torch.distributions.MultivariateNormal(mt, scale_tril=Lt, validate_args=False)
                    q = torch.distributions.MultivariateNormal(mp, scale_tril=Lp, validate_args=False)
                    loss = torch.distributions.kl_divergence(p, q).mean()
            else:
                if direct:
                    loss = nll_direct(x, mp, Lp, d).mean()
                else:
                    q = torch.distributions.MultivariateNormal(mp, scale_tril=Lp, validate_args=False)
                    loss = (-q.log_prob(x)).mean()
            loss.backward()
            return loss.item(), yp.grad.numpy()
        return step
    return torch.__version__, setup


def make_jax():
    import jax
    import jax.numpy as jnp
    from jax.scipy.linalg import solve_triangular

    def unpack(y, d):
        return y[:, :d], jnp.tril(y[:, d:].reshape(-1, d, d))

    def logdet(L):
        return jnp.log(jnp.abs(jnp.diagonal(L, axis1=-2, axis2=-1))).sum(-1)

    def lowrank_setup(what, r, batch, d):
        rng = np.random.default_rng(0)
        yt = jnp.asarray(lowrank_rows(rng, batch, d, r))
        yp0 = jnp.asarray(lowrank_rows(rng, batch, d, r))
        x = jnp.asarray(rng.standard_normal((batch, d)).astype(np.float32))

        def parts(y):
            m, s, W = y[:, :d], y[:, d:2 * d], y[:, 2 * d:].reshape(batch, d, r)
            is2 = 1 / (s * s)
            A = W * is2[..., None]
            K = jnp.linalg.cholesky(jnp.eye(r) + jnp.einsum('bij,bik->bjk', W, A))
            half_logdet = jnp.log(jnp.abs(s)).sum(-1) + logdet(K)
            return m, s, W, is2, A, K, half_logdet

        # The fixed input (points or the true rows) is an argument, not a captured constant that XLA would fold.
        def nll(y, x):
            m, s, W, is2, A, K, hl = parts(y)
            delta = x - m
            v = solve_triangular(K, jnp.einsum('bij,bi->bj', A, delta)[..., None], lower=True)
            return (0.5 * d * LOG_2PI + hl + 0.5 * ((delta * delta * is2).sum(-1) - jnp.square(v).sum((-2, -1)))).mean()

        def kl(y, yt):
            mp, sp, Wp, _, _, _, hlp = parts(yt)
            mq, sq, Wq, is2q, Aq, Kq, hlq = parts(y)
            delta = mq - mp
            R = jnp.concatenate([jnp.swapaxes(Aq * sp[..., None], 1, 2), jnp.einsum('bij,bik->bjk', Aq, Wp),
                                 jnp.einsum('bij,bi->bj', Aq, delta)[..., None]], -1)
            X = solve_triangular(Kq, R, lower=True)
            tr = ((sp * sp + jnp.square(Wp).sum(-1) + delta * delta) * is2q).sum(-1) - jnp.square(X).sum((-2, -1))
            return (0.5 * (tr - d) + hlq - hlp).mean()
        g = jax.jit(jax.value_and_grad(kl if what == 'kl' else nll))
        other = yt if what == 'kl' else x

        def lr_step():
            v, gr = g(yp0, other)
            return float(v), np.asarray(gr)
        return lr_step

    def setup(kind, batch, d, inputs=0, hidden=0):
        if kind == 'mlp':
            return None
        if lowrank_kind(kind):
            return lowrank_setup(*lowrank_kind(kind), batch, d)
        rng = np.random.default_rng(0)
        yt = jnp.asarray(rows(rng, batch, d))
        yp = jnp.asarray(rows(rng, batch, d))
        x = jnp.asarray(rng.standard_normal((batch, d)).astype(np.float32))

        if kind == 'chol':
            A, W = (jnp.asarray(v) for v in spd_batch(rng, batch, d))
            g = jax.jit(jax.value_and_grad(lambda a: (jnp.linalg.cholesky(a) * W).sum()))

            def chol_step():
                v, gr = g(A)
                return float(v), np.asarray(gr)
            return chol_step

        if mix_k(kind):
            K = mix_k(kind)
            ym = jnp.asarray(mixture_rows(rng, K, batch, d))

            def mloss(yp):
                logits = yp[:, :K]
                c = yp[:, K:].reshape(batch, K, d + d * d)
                loc, L = c[..., :d], jnp.tril(c[..., d:].reshape(batch, K, d, d))
                z = solve_triangular(L, (x[:, None, :] - loc)[..., None], lower=True)
                lp = -0.5 * d * LOG_2PI - logdet(L) - 0.5 * jnp.square(z).sum((-2, -1))
                return -jax.scipy.special.logsumexp(jax.nn.log_softmax(logits, -1) + lp, -1).mean()
            fm = jax.jit(jax.value_and_grad(mloss))

            def mix_step():
                v, g = fm(ym)
                return float(v), np.asarray(g)
            return mix_step

        if kind in ('dkl', 'dnll'):
            dt, dp = jnp.asarray(diag_rows(rng, batch, d)), jnp.asarray(diag_rows(rng, batch, d))

            def dloss(yp):
                mp, sp = yp[:, :d], yp[:, d:]
                if kind == 'dkl':
                    mt, st = dt[:, :d], dt[:, d:]
                    return (jnp.log(sp / st) + (st ** 2 + (mt - mp) ** 2) / (2 * sp ** 2) - 0.5).sum(-1).mean()
                z = (x - mp) / sp
                return (0.5 * d * LOG_2PI + jnp.log(sp).sum(-1) + 0.5 * (z * z).sum(-1)).mean()
            fd = jax.jit(jax.value_and_grad(dloss))

            def diag_step():
                v, g = fd(dp)
                return float(v), np.asarray(g)
            return diag_step

        def loss(yp):
            mp, Lp = unpack(yp, d)
            if kind == 'kl':
                mt, Lt = unpack(yt, d)
                rhs = jnp.concatenate([Lt, (mp - mt)[..., None]], -1)
                X = solve_triangular(Lp, rhs, lower=True)
                return (0.5 * (jnp.square(X).sum((-2, -1)) - d) + logdet(Lp) - logdet(Lt)).mean()
            z = solve_triangular(Lp, (x - mp)[..., None], lower=True)
            return (0.5 * d * LOG_2PI + logdet(Lp) + 0.5 * jnp.square(z).sum((-2, -1))).mean()
        f = jax.jit(jax.value_and_grad(loss))

        def step():
            v, g = f(yp)
            return float(v), np.asarray(g)
        return step
    return jax.__version__, setup


def make_tf(xla):
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)

    def unpack(y, d):
        return y[:, :d], tf.linalg.band_part(tf.reshape(y[:, d:], [-1, d, d]), -1, 0)

    def logdet(L):
        return tf.reduce_sum(tf.math.log(tf.abs(tf.linalg.diag_part(L))), -1)

    def mlp_setup(batch, d, inputs, hidden):
        import keras
        keras.utils.set_random_seed(0)
        w = d + d * (d + 1) // 2
        # Column k of the packed part holds L[r_k, c_k]; gather builds L row-major, upper entries from a zero column.
        r, c = np.tril_indices(d)
        index = np.full(d * d, w - d)
        index[r * d + c] = np.arange(len(r))
        on_diag = tf.constant(r == c)

        def nll(y_true, y_pred):
            packed = y_pred[:, d:]
            packed = tf.where(on_diag, tf.nn.softplus(packed) + 1e-5, packed)
            L = tf.reshape(tf.gather(tf.pad(packed, [[0, 0], [0, 1]]), index, axis=1), [-1, d, d])
            z = tf.linalg.triangular_solve(L, (y_true - y_pred[:, :d])[..., None], lower=True)
            return 0.5 * d * LOG_2PI + logdet(L) + 0.5 * tf.reduce_sum(tf.square(z), [-2, -1])

        model = keras.Sequential([keras.Input((inputs,)), keras.layers.Dense(hidden, activation='relu'),
                                  keras.layers.Dense(hidden, activation='relu'), keras.layers.Dense(w)])
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=nll)
        rng = np.random.default_rng(0)
        x = rng.standard_normal((batch, inputs)).astype(np.float32)
        y = rng.standard_normal((batch, d)).astype(np.float32)

        def mlp_step():
            return float(model.train_on_batch(x, y))
        return mlp_step

    def setup(kind, batch, d, inputs=0, hidden=0):
        if kind == 'mlp':
            return mlp_setup(batch, d, inputs, hidden) if not xla else None
        if lowrank_kind(kind):
            return None
        rng = np.random.default_rng(0)
        yt = tf.constant(rows(rng, batch, d))
        yp = tf.constant(rows(rng, batch, d))
        x = tf.constant(rng.standard_normal((batch, d)).astype(np.float32))

        if kind == 'chol':
            A, W = (tf.constant(v) for v in spd_batch(rng, batch, d))

            @tf.function(jit_compile=xla)
            def fc(a):
                with tf.GradientTape() as tape:
                    tape.watch(a)
                    loss = tf.reduce_sum(tf.linalg.cholesky(a) * W)
                return loss, tape.gradient(loss, a)

            def chol_step():
                v, gr = fc(A)
                return float(v), gr.numpy()
            return chol_step

        if mix_k(kind):
            K = mix_k(kind)
            ym = tf.constant(mixture_rows(rng, K, batch, d))

            @tf.function(jit_compile=xla)
            def fmix(yp):
                with tf.GradientTape() as tape:
                    tape.watch(yp)
                    logits = yp[:, :K]
                    c = tf.reshape(yp[:, K:], [batch, K, d + d * d])
                    loc = c[..., :d]
                    L = tf.linalg.band_part(tf.reshape(c[..., d:], [batch, K, d, d]), -1, 0)
                    z = tf.linalg.triangular_solve(L, (x[:, None, :] - loc)[..., None], lower=True)
                    lp = -0.5 * d * LOG_2PI - logdet(L) - 0.5 * tf.reduce_sum(tf.square(z), [-2, -1])
                    loss = -tf.reduce_mean(tf.reduce_logsumexp(tf.nn.log_softmax(logits, -1) + lp, -1))
                return loss, tape.gradient(loss, yp)

            def mix_step():
                v, g = fmix(ym)
                return float(v), g.numpy()
            return mix_step

        if kind in ('dkl', 'dnll'):
            dt, dp = tf.constant(diag_rows(rng, batch, d)), tf.constant(diag_rows(rng, batch, d))

            @tf.function(jit_compile=xla)
            def fdiag(yp):
                with tf.GradientTape() as tape:
                    tape.watch(yp)
                    mp, sp = yp[:, :d], yp[:, d:]
                    if kind == 'dkl':
                        mt, st = dt[:, :d], dt[:, d:]
                        loss = tf.reduce_mean(tf.reduce_sum(tf.math.log(sp / st) + (st ** 2 + (mt - mp) ** 2) / (2 * sp ** 2) - 0.5, -1))
                    else:
                        z = (x - mp) / sp
                        loss = tf.reduce_mean(0.5 * d * LOG_2PI + tf.reduce_sum(tf.math.log(sp), -1) + 0.5 * tf.reduce_sum(z * z, -1))
                return loss, tape.gradient(loss, yp)

            def diag_step():
                v, g = fdiag(dp)
                return float(v), g.numpy()
            return diag_step

        @tf.function(jit_compile=xla)
        def f(yp):
            with tf.GradientTape() as tape:
                tape.watch(yp)
                mp, Lp = unpack(yp, d)
                if kind == 'kl':
                    mt, Lt = unpack(yt, d)
                    rhs = tf.concat([Lt, (mp - mt)[..., None]], -1)
                    X = tf.linalg.triangular_solve(Lp, rhs, lower=True)
                    loss = tf.reduce_mean(0.5 * (tf.reduce_sum(tf.square(X), [-2, -1]) - d) + logdet(Lp) - logdet(Lt))
                else:
                    z = tf.linalg.triangular_solve(Lp, (x - mp)[..., None], lower=True)
                    loss = tf.reduce_mean(0.5 * d * LOG_2PI + logdet(Lp) + 0.5 * tf.reduce_sum(tf.square(z), [-2, -1]))
            return loss, tape.gradient(loss, yp)

        def step():
            v, g = f(yp)
            return float(v), g.numpy()
        return step
    return tf.__version__, setup


def warm_up(f):
    """bench.ts warmUp's rule: >= 50 steps, then blocks of 10 until two block medians agree within 5 % (<= 300)."""
    prev = float('inf')
    for steps in range(0, 300, 10):
        t = []
        for _ in range(10):
            t0 = time.perf_counter()
            f()
            t.append(time.perf_counter() - t0)
        m = statistics.median(t)
        if steps + 10 >= 50 and abs(m - prev) <= 0.05 * prev:
            return
        prev = m


def median_ms(f, min_time, min_reps):
    warm_up(f)
    times = []
    start = time.perf_counter()
    while len(times) < min_reps or time.perf_counter() - start < min_time:
        t0 = time.perf_counter()
        f()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def main():
    try:
        version, setup = {
            'torch': lambda: make_torch(False), 'torch-solve': lambda: make_torch(True),
            'jax': make_jax, 'tf': lambda: make_tf(False), 'tf-xla': lambda: make_tf(True),
        }[PEER]()
    except Exception as e:  # not installed in this Python: bench.ts skips the peer
        print('unavailable', type(e).__name__, str(e).split('\n')[0], flush=True)
        return
    print('ready', PEER, version, flush=True)
    for line in sys.stdin:
        kind, batch, d, min_time, min_reps, *extra = line.split()
        step = setup(kind, int(batch), int(d), *map(int, extra))
        print(json.dumps(None if step is None else median_ms(step, float(min_time), int(min_reps))), flush=True)


if __name__ == '__main__':
    main()

"""The test oracle: KDA as the token-by-token recurrence of docs/semantics.md, in NumPy float64.

Per sequence and value head hv (q/k head hv // (HV/H)), state S in R^{K x V}:
    S' = diag(exp(a_t)) S,  u = beta_t (v_t - S'^T k_t),  S = S' + k_t u^T,  o_t = scale S^T q_t
"""
import numpy as np


def err_ratio(x, ref):
    x = np.asarray(x, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    den = np.sqrt(np.mean(ref * ref))
    return float(np.sqrt(np.mean((x - ref) ** 2)) / (den if den > 0 else 1.0))


def _l2norm(x):
    return x / np.sqrt(np.sum(x * x, axis=-1, keepdims=True) + 1e-6)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _softplus(x):
    return np.where(x > 20.0, x, np.log1p(np.exp(np.minimum(x, 20.0))))


def log_decay(g, gate, lower_bound, A_log, dt_bias):
    """a = log-decay [.., HV, K] from g [.., HV, K]."""
    g = np.asarray(g, np.float64)
    if gate == "precomputed":
        return g
    HV, K = g.shape[-2], g.shape[-1]
    x = g + (0.0 if dt_bias is None else np.asarray(dt_bias, np.float64).reshape(HV, K))
    A = None if A_log is None else np.exp(np.asarray(A_log, np.float64))[:, None]
    if gate == "bounded":
        return lower_bound * _sigmoid(x if A is None else A * x)
    if gate == "softplus":
        return -(1.0 if A is None else A) * _softplus(x)
    raise ValueError(gate)


def run_sequence(q, k, v, a, b, S, scale):
    """One sequence: q, k [T, H, K], v [T, HV, V], a [T, HV, K], b [T, HV], S [HV, K, V] (updated).
    Returns o [T, HV, V] and the states after each token [T, HV, K, V]."""
    T, H, K = q.shape
    HV = v.shape[1]
    grp = HV // H
    o = np.zeros((T, HV, v.shape[2]))
    states = np.zeros((T,) + S.shape)
    for t in range(T):
        qq = np.repeat(q[t], grp, axis=0)
        kk = np.repeat(k[t], grp, axis=0)
        S = np.exp(a[t])[:, :, None] * S
        u = b[t][:, None] * (v[t] - np.einsum("hkv,hk->hv", S, kk))
        S = S + kk[:, :, None] * u[:, None, :]
        o[t] = scale * np.einsum("hkv,hk->hv", S, qq)
        states[t] = S
    return o, states


def preprocess(q, k, v, g, beta, *, gate="bounded", lower_bound=-5.0, A_log=None, dt_bias=None, qk_l2norm=True,
               beta_sigmoid=True, allow_neg_eigval=False):
    q, k, v, beta = (np.asarray(x, np.float64) for x in (q, k, v, beta))
    if qk_l2norm:
        q, k = _l2norm(q), _l2norm(k)
    if beta_sigmoid:
        beta = _sigmoid(beta)
    if allow_neg_eigval:
        beta = 2.0 * beta
    return q, k, v, log_decay(g, gate, lower_bound, A_log, dt_bias), beta


def to_kv(S, v_first):
    """A state [.., V, K] (v_first) or [.., K, V] as [.., K, V] float64."""
    S = np.asarray(S, np.float64)
    return np.swapaxes(S, -1, -2) if v_first else S


def kda_prefill(q, k, v, g, beta, *, scale=None, initial_state=None, cu_seqlens=None, state_v_first=True, **pre):
    """Returns (o [B, T, HV, V], final_state [N, HV, ..] in the given layout) in float64."""
    B, T, H, K = q.shape
    HV, V = v.shape[2], v.shape[3]
    scale = K ** -0.5 if scale is None else scale
    q, k, v, a, b = preprocess(q, k, v, g, beta, **pre)
    if cu_seqlens is None:
        seqs = [(n, n * T, (n + 1) * T) for n in range(B)]
    else:
        cu = np.asarray(cu_seqlens)
        seqs = [(n, int(cu[n]), int(cu[n + 1])) for n in range(len(cu) - 1)]
    flat = lambda x: x.reshape((B * T,) + x.shape[2:])
    q, k, v, a, b = map(flat, (q, k, v, a, b))
    o = np.zeros((B * T, HV, V))
    final = np.zeros((len(seqs), HV, K, V))
    for n, bos, eos in seqs:
        S = np.zeros((HV, K, V)) if initial_state is None else to_kv(initial_state[n], state_v_first).copy()
        if eos > bos:
            o[bos:eos], states = run_sequence(q[bos:eos], k[bos:eos], v[bos:eos], a[bos:eos], b[bos:eos], S, scale)
            S = states[-1]
        final[n] = S
    final = np.swapaxes(final, -1, -2) if state_v_first else final
    return o.reshape(B, T, HV, V), final
